"""The FastAPI application: the REST API, one JSON error shape, size limits, the dashboard.

``create_app(db)`` opens the store for the life of the app (the process owns the one
DuckDB connection; see ``dyads.api.service``). Every error, whatever its cause, is
``{"error": {"code": ..., "message": ..., "detail": ...}}``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Body, FastAPI, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from dyads.api import reads
from dyads.api.service import StoreService
from dyads.store.db import StoreError
from dyads.store.queries import Filters, QueryError
from dyads.store import queries
from dyads.types import PLOVER_TYPES, Article, Rejection

log = logging.getLogger("dyads.api")

MAX_BODY_BYTES = 2_000_000  # a request body larger than this is refused with 413
MAX_TEXT_CHARS = 500_000  # one article's text
MAX_BATCH = 50  # articles per POST /articles
MAX_PAGE = 500  # events per page
DEFAULT_PAGE = 50
MAX_SERIES_PAGE = 5000  # series rows per page (a whole month-by-dyad table over 1M events is ~100k rows)

ERROR_CODES: dict[int, str] = {
    400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "payload_too_large",
    415: "unsupported_media_type", 422: "validation_error", 500: "internal_error",
    503: "unavailable",
}

Code3 = Annotated[str | None, Query(pattern=r"^[A-Za-z]{3}$", description="ISO3 or IGO/NGO/IMG code, e.g. IRQ.")]
EventType = Annotated[str | None, Query(description="PLOVER event type, e.g. ASSAULT.")]
Since = Annotated[dt.date | None, Query(description="Earliest event date (inclusive).")]
Until = Annotated[dt.date | None, Query(description="Latest event date (inclusive).")]
Unit = Annotated[Literal["mention", "event"], Query(description="Each coded mention, or each event cluster once.")]


class ApiError(Exception):
    """An error with an HTTP status, answered in the one error shape."""

    def __init__(self, status: int, message: str, detail: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.detail = detail


def error_body(status: int, message: str, detail: Any = None) -> dict[str, Any]:
    """The one error shape."""
    return {"error": {"code": ERROR_CODES.get(status, f"http_{status}"), "message": message,
                      "detail": jsonable_encoder(detail)}}


class ArticleIn(BaseModel):
    """An article to code: its text and what is known about it."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS, description="The article text.")
    title: str | None = Field(None, max_length=1000)
    date: dt.date | None = Field(None, description="Publication date; relative dates resolve against it.")
    url: str | None = Field(None, max_length=2000)
    source: str | None = Field(None, max_length=200)
    id: str | None = Field(None, max_length=200, description="Article id; default: a hash of title and text.")


class ArticleBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    articles: list[ArticleIn]


# -- body size limit ----------------------------------------------------------------


class _TooLarge(Exception):
    pass


class BodyLimit:
    """ASGI middleware: refuse bodies over ``limit`` bytes (by header, or while streaming)."""

    def __init__(self, app: Callable[..., Awaitable[None]], limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: MutableMapping[str, Any], receive: Callable[[], Awaitable[Any]],
                       send: Callable[[Any], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        seen = 0
        started = exceeded = False

        async def limited_receive() -> Any:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    exceeded = True
                    raise _TooLarge
            return message

        async def watched_send(message: Any) -> None:
            nonlocal started
            if exceeded:
                # FastAPI turns any error while reading the body into its own 400; a cut-off
                # body gets the 413 instead, whatever the app answered.
                if message["type"] == "http.response.start" and not started:
                    started = True
                    await self._refuse(send)
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, watched_send)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Callable[[Any], Awaitable[None]]) -> None:
        response = JSONResponse(error_body(
            413, f"request body is larger than {self.limit} bytes",
            {"limit_bytes": self.limit}), status_code=413)
        await response({"type": "http"}, _no_receive, send)


async def _no_receive() -> Any:
    return {"type": "http.disconnect"}


# -- the app ------------------------------------------------------------------------


def create_app(
    db: str | Path,
    *,
    coder: Any = None,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> FastAPI:
    """The API and dashboard over the store at ``db`` (opened now, closed at shutdown)."""
    service = StoreService(db, coder=coder)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            service.close()

    app = FastAPI(
        title="dyads",
        summary="PLOVER political events coded from news: code articles, store them, query them.",
        version=_version(),
        docs_url=None,  # served below from packaged assets: no CDN
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.service = service
    _add_error_handlers(app)
    _add_api_routes(app, service)
    _add_docs(app)

    from dyads.web.routes import add_ui_routes

    add_ui_routes(app, service)
    app.add_middleware(BodyLimit, limit=max_body_bytes)
    return app


def _version() -> str:
    from dyads import __version__

    return __version__


def _wants_html(request: Request) -> bool:
    return request.url.path.startswith("/ui")


def _error_response(request: Request, status: int, message: str, detail: Any = None) -> Any:
    if _wants_html(request):
        from dyads.web.routes import error_page

        return error_page(status, message)
    return JSONResponse(error_body(status, message, detail), status_code=status)


def _add_error_handlers(app: FastAPI) -> None:
    """Every error in the one shape: HTTP errors, validation, bad queries, crashes."""

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Any:
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such path: {request.url.path}"
        return _error_response(request, exc.status_code, message)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Any:
        return _error_response(request, exc.status, exc.message, exc.detail)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Any:
        # The offending input is left out: it may be a whole article.
        problems = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        first = problems[0] if problems else {"loc": [], "msg": "invalid request"}
        where = ".".join(str(p) for p in first["loc"])
        return _error_response(request, 422, f"invalid request: {where}: {first['msg']}", problems)

    @app.exception_handler(QueryError)
    async def query_error(request: Request, exc: QueryError) -> Any:
        return _error_response(request, 400, str(exc))

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Any:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _error_response(request, 500, "internal error; the server log has the details",
                               {"type": type(exc).__name__})


def _add_docs(app: FastAPI) -> None:
    """Swagger UI at /docs from the assets packaged by fastapi-offline (works offline)."""
    import fastapi_offline

    assets = Path(fastapi_offline.__file__).parent / "static"
    app.mount("/docs-assets", StaticFiles(directory=assets), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json", title="dyads API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon.png",
        )


def make_filters(actor: str | None = None, recipient: str | None = None, event: str | None = None,
                 since: dt.date | None = None, until: dt.date | None = None) -> Filters:
    """Query filters from request values; an unknown event type is a 422 like other bad values."""
    if event is not None and event.strip().upper() not in PLOVER_TYPES:
        raise ApiError(422, f"invalid request: query.event: {event!r} is not a PLOVER type",
                       [{"loc": ["query", "event"], "msg": f"use one of {' '.join(PLOVER_TYPES)}",
                         "type": "enum"}])
    if since is not None and until is not None and since > until:
        raise ApiError(422, f"invalid request: since {since} is after until {until}")
    return Filters(actor, recipient, event.strip().upper() if event else None, since, until)


def build_article(item: ArticleIn) -> Article | Rejection:
    """Clean the text as ingest does and make the Article (id: content hash unless given)."""
    from dyads.ingest.clean import clean_text
    from dyads.ingest.readers import article_id, non_english_reason

    origin = item.url or "api"
    text = clean_text(item.text)
    if not text.strip():
        return Rejection(origin, "read", "empty", "no text left after removing whitespace and boilerplate", item.id)
    if (why := non_english_reason(f"{item.title or ''}\n{text}")) is not None:
        return Rejection(origin, "read", "language", f"text does not look like English ({why})", item.id)
    return Article(
        id=item.id or article_id(text, item.title), text=text, title=item.title, url=item.url,
        source=item.source, published=item.date, origin=origin,
    )


def _article_json(article: Article) -> dict[str, Any]:
    return {"id": article.id, "title": article.title, "url": article.url, "source": article.source,
            "published": article.published.isoformat() if article.published else None,
            "text": article.text}


def code_one(service: StoreService, item: ArticleIn) -> dict[str, Any]:
    """Code one article without storing it: its (cleaned) text, events and marks."""
    article = build_article(item)
    if isinstance(article, Rejection):
        raise ApiError(400, article.message, {"reason": article.reason})
    coded = service.code([article])[0]
    events = [e.to_dict() for e in coded.events]
    return {
        "article": _article_json(article),
        "events": events,
        "marks": [m.to_dict() for m in reads.marks_of(events)],
        "rejections": [{"stage": r.stage, "reason": r.reason, "message": r.message} for r in coded.rejections],
    }


def _add_api_routes(app: FastAPI, service: StoreService) -> None:
    @app.get("/health", tags=["meta"])
    def health() -> dict[str, Any]:
        """Liveness and the store's row counts."""
        with service.read() as s:
            counts = {t: s._con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # fixed names
                      for t in ("articles", "mentions", "rejections")}
        return {"status": "ok", "db": str(service.path), "counts": counts}

    @app.post("/code", tags=["coding"])
    def code(item: ArticleIn) -> dict[str, Any]:
        """Code one article and return its events (with character offsets); nothing is stored."""
        return code_one(service, item)

    @app.post("/articles", tags=["coding"])
    def add_articles(
        body: Annotated[ArticleIn | ArticleBatch | list[ArticleIn], Body()],
    ) -> JSONResponse:
        """Code and store one article, a list, or {"articles": [...]}; storing again changes nothing."""
        items = body.articles if isinstance(body, ArticleBatch) else body if isinstance(body, list) else [body]
        if len(items) > MAX_BATCH:
            raise ApiError(413, f"at most {MAX_BATCH} articles per request, got {len(items)}",
                           {"limit_articles": MAX_BATCH})
        if not items:
            raise ApiError(400, "no articles given")
        result = store_articles(service, items)
        return JSONResponse(result, status_code=201 if result["added"] else 200)

    @app.get("/events", tags=["query"])
    def list_events(
        actor: Code3 = None, recipient: Code3 = None, event: EventType = None,
        since: Since = None, until: Until = None, unit: Unit = "mention",
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    ) -> dict[str, Any]:
        """Stored events, filtered as `dyads events`, ordered by date (undated last), paged."""
        filters = make_filters(actor, recipient, event, since, until)
        with service.read() as s:
            rows = queries.events(s, filters, unit=unit, limit=limit, offset=offset)  # type: ignore[arg-type]
            total = reads.count_events(s, filters, unit)
        nxt = offset + limit if offset + limit < total else None
        return {"total": total, "limit": limit, "offset": offset, "next_offset": nxt, "unit": unit, "events": rows}

    @app.get("/events/{event_id}", tags=["query"])
    def get_event(event_id: str) -> dict[str, Any]:
        """One event by mention id or cluster id, with all its mentions and their sentences."""
        with service.read() as s:
            found = reads.event_detail(s, event_id)
        if found is None:
            raise ApiError(404, f"no event with id {event_id!r}")
        return found

    @app.get("/series", tags=["query"])
    def series(
        by: Literal["day", "week", "month", "year"] = "month",
        actor: Code3 = None, recipient: Code3 = None, event: EventType = None,
        since: Since = None, until: Until = None, unit: Unit = "mention",
        undirected: bool = False,
        limit: Annotated[int, Query(ge=1, le=MAX_SERIES_PAGE)] = MAX_SERIES_PAGE,
        offset: Annotated[int, Query(ge=0, le=100_000_000)] = 0,
    ) -> dict[str, Any]:
        """Counts per dyad and period, by PLOVER type and quad class, as `dyads series`; paged
        (rows in dyad, then period order), with the total row count."""
        with service.read() as s:
            page = queries.series_page(s, make_filters(actor, recipient, event, since, until),  # type: ignore[arg-type]
                                       by=by, unit=unit, undirected=undirected, limit=limit, offset=offset)
        nxt = offset + limit if offset + limit < page.total else None
        return {"by": by, "unit": unit, "total": page.total, "limit": limit, "offset": offset,
                "next_offset": nxt, "rows": page.rows}

    @app.get("/actors", tags=["query"])
    def actors(
        since: Since = None, until: Until = None, code: Code3 = None,
        limit: Annotated[int, Query(ge=1, le=5000)] = 200,
    ) -> dict[str, Any]:
        """Actors seen with their counts as actor and recipient; most mentioned first."""
        with service.read() as s:
            rows = queries.actors(s, since=since, until=until, code=code, limit=limit)  # type: ignore[arg-type]
        return {"actors": rows}

    @app.get("/articles/{article_id}", tags=["query"])
    def get_article(article_id: str) -> dict[str, Any]:
        """An article's text and its events, each marked by character offsets into the text."""
        with service.read() as s:
            found = reads.article_detail(s, article_id)
        if found is None:
            raise ApiError(404, f"no article with id {article_id!r}")
        return found

    @app.get("/network", tags=["query"])
    def network(
        actor: Code3 = None, recipient: Code3 = None, event: EventType = None,
        since: Since = None, until: Until = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> dict[str, Any]:
        """Who acts on whom: directed actor -> recipient edges weighted by mention counts."""
        with service.read() as s:
            edges = reads.network(s, make_filters(actor, recipient, event, since, until), limit)
        return {"edges": edges}

    @app.get("/places", tags=["query"])
    def places(
        actor: Code3 = None, recipient: Code3 = None, event: EventType = None,
        since: Since = None, until: Until = None,
        limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    ) -> dict[str, Any]:
        """Event places with coordinates and mention counts."""
        with service.read() as s:
            rows = reads.places(s, make_filters(actor, recipient, event, since, until), limit)
        return {"places": rows}

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ui/events")


def store_articles(service: StoreService, items: list[ArticleIn]) -> dict[str, Any]:
    """Code articles here, then store them through the writer thread; a status per article."""
    built = [build_article(i) for i in items]
    articles = [a for a in built if isinstance(a, Article)]
    coded = {c.article.id: c for c in service.code(articles)} if articles else {}

    def write(store: Any) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        extra: list[Rejection] = []
        for a in built:
            if isinstance(a, Rejection):
                out.append({"id": a.article_id, "status": "rejected", "reason": a.reason, "message": a.message})
                extra.append(a)
                continue
            c = coded[a.id]
            extra.extend(c.rejections)
            try:
                added = store.add(a, c.events)
            except StoreError as err:
                out.append({"id": a.id, "status": "rejected", "reason": err.reason, "message": str(err)})
                continue
            out.append({"id": a.id, "status": "added" if added else "skipped", "events": len(c.events)})
        if extra:
            store.add_rejections(extra)
        return out

    statuses = service.write(write)
    counts = {k: sum(1 for s in statuses if s["status"] == v)
              for k, v in (("added", "added"), ("skipped", "skipped"), ("rejected", "rejected"))}
    return {**counts, "articles": statuses}
