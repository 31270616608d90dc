"""The dashboard: server-rendered HTML pages under /ui, charts as inline SVG, no CDN.

Pages are Jinja2 templates with autoescaping on, so article text (which may contain
markup) is always shown as text. JavaScript is optional sugar (static/app.js).
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from dyads.api import reads
from dyads.api.service import StoreService
from dyads.store import queries
from dyads.store.queries import Filters, QueryError
from dyads.types import PLOVER_TYPES
from dyads.web import svg
from dyads.web.highlight import segments

HERE = Path(__file__).parent
PAGE = 50
QUAD_NAMES = {q: label for q, _, label, _ in svg.QUAD_STYLE}
PERIODS = ("day", "week", "month", "year")


@functools.lru_cache(maxsize=1)
def _env() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every {{ value }} is escaped: article text is never markup
        undefined=jinja2.StrictUndefined,
    )
    env.globals.update(quad_names=QUAD_NAMES, plover_types=PLOVER_TYPES, who=who, evidence=evidence,
                       is_web_url=is_web_url)
    return env


def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A template rendered to an HTML response."""
    return HTMLResponse(_env().get_template(name).render(**context), status_code=status)


def error_page(status: int, message: str) -> HTMLResponse:
    """The HTML face of an API error, for pages under /ui."""
    return render("error.html", status=status, page="error", status_code=status, message=message)


def is_web_url(url: str | None) -> bool:
    """Only http(s) URLs become links: a stored ``javascript:`` URL must stay text."""
    return bool(url) and urlsplit(url).scheme.lower() in ("http", "https")  # type: ignore[arg-type]


def who(entities: list[dict[str, Any]] | None) -> str:
    """Entities as 'IRQ GOV, USA' (code and sector), or '-'."""
    parts = [" ".join(p for p in (e.get("code"), e.get("sector")) if p) or e.get("entity_text", "?")
             for e in entities or []]
    return ", ".join(parts) or "-"


def evidence(record: dict[str, Any]) -> tuple[str, str, str]:
    """The evidence sentence split around its trigger word: (before, trigger, after)."""
    sentence = record.get("text") or ""
    start = record.get("text_info", {}).get("start", 0)
    trig = record.get("trigger") or {}
    lo, hi = trig.get("start", 0) - start, trig.get("end", 0) - start
    if not 0 <= lo < hi <= len(sentence):
        return sentence, "", ""
    return sentence[:lo], sentence[lo:hi], sentence[hi:]


def _code(value: str | None) -> str | None:
    """A 3-letter code from a form field, upper-cased; blank or malformed is no filter."""
    value = (value or "").strip().upper()
    return value if len(value) == 3 and value.isalpha() else None


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _event(value: str | None) -> str | None:
    value = (value or "").strip().upper()
    return value if value in PLOVER_TYPES else None


def _int(value: str | None, default: int, lo: int, hi: int) -> int:
    try:
        return max(lo, min(hi, int(value))) if value else default
    except ValueError:
        return default


def _form(request: Request) -> dict[str, Any]:
    """The shared filter fields from the query string, cleaned (bad values are dropped)."""
    q = request.query_params
    return {
        "actor": _code(q.get("actor")), "recipient": _code(q.get("recipient")),
        "event": _event(q.get("event")), "since": _date(q.get("since")), "until": _date(q.get("until")),
    }


def _filters(form: dict[str, Any]) -> Filters:
    return Filters(form["actor"], form["recipient"], form["event"], form["since"], form["until"])


def _qs(**params: Any) -> str:
    """A query string of the non-empty params."""
    return urlencode({k: (v.isoformat() if isinstance(v, dt.date) else v)
                      for k, v in params.items() if v not in (None, "", False)})


def add_ui_routes(app: FastAPI, service: StoreService) -> None:
    """Mount /static and the /ui pages on ``app``."""
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/ui", include_in_schema=False)
    @app.get("/ui/events", include_in_schema=False)
    def events_page(request: Request) -> HTMLResponse:
        form = _form(request)
        offset = _int(request.query_params.get("offset"), 0, 0, 10_000_000)
        with service.read() as s:
            rows = queries.events(s, _filters(form), limit=PAGE, offset=offset)  # type: ignore[arg-type]
            total = reads.count_events(s, _filters(form))
        pager = {
            "prev": "?" + _qs(**form, offset=max(0, offset - PAGE)) if offset > 0 else None,
            "next": "?" + _qs(**form, offset=offset + PAGE) if offset + PAGE < total else None,
            "first": offset + 1 if rows else 0, "last": offset + len(rows), "total": total,
        }
        return render("events.html", page="events", form=form, rows=rows, pager=pager)

    @app.get("/ui/events/{event_id}", include_in_schema=False)
    def event_page(event_id: str) -> HTMLResponse:
        with service.read() as s:
            found = reads.event_detail(s, event_id)
        if found is None:
            return error_page(404, f"no event with id {event_id!r}")
        return render("event.html", page="events", found=found)

    @app.get("/ui/articles/{article_id}", include_in_schema=False)
    def article_page(article_id: str) -> HTMLResponse:
        with service.read() as s:
            found = reads.article_detail(s, article_id)
        if found is None:
            return error_page(404, f"no article with id {article_id!r}")
        article = found["article"]
        marks = reads.marks_of(found["events"])
        return render("article.html", page="events", article=article, events=found["events"],
                      segments=segments(article["text"], marks))

    @app.get("/ui/dyads", include_in_schema=False)
    def dyads_page(request: Request) -> HTMLResponse:
        q = request.query_params
        form = _form(request)
        by = q.get("by") if q.get("by") in PERIODS else "month"
        directed = q.get("directed") == "1"
        period = q.get("period") or None
        with service.read() as s:
            pairs = reads.top_pairs(s, Filters(since=form["since"], until=form["until"], event=form["event"]))
            if not (form["actor"] and form["recipient"]) and pairs:
                form["actor"], form["recipient"] = pairs[0]["actor"], pairs[0]["recipient"]
            bars, behind = [], []
            if form["actor"] and form["recipient"]:
                rows = queries.series(s, _filters(form), by=by, undirected=not directed)  # type: ignore[arg-type]
                bars = _bars(rows, by, form, directed)
                if period:
                    behind = _period_events(s, form, by, period, directed)
        return render("dyads.html", page="dyads", form=form, by=by, directed=directed, period=period,
                      pairs=pairs, chart=svg.dyad_chart(bars), behind=behind, periods=PERIODS,
                      pair_qs=lambda p: _qs(actor=p["actor"], recipient=p["recipient"], by=by))

    @app.get("/ui/network", include_in_schema=False)
    def network_page(request: Request) -> HTMLResponse:
        form = _form(request)
        with service.read() as s:
            edges = reads.network(s, _filters(form), limit=80)
        href = lambda a, b: "/ui/events?" + _qs(actor=a, recipient=b, event=form["event"],  # noqa: E731
                                                 since=form["since"], until=form["until"])
        return render("network.html", page="network", form=form, edges=edges[:25],
                      chart=svg.network_chart(edges, href), href=href)

    @app.get("/ui/map", include_in_schema=False)
    def map_page(request: Request) -> HTMLResponse:
        form = _form(request)
        with service.read() as s:
            points = reads.places(s, _filters(form))
        return render("map.html", page="map", form=form, places=points[:25], chart=svg.map_chart(points))

    @app.get("/ui/code", include_in_schema=False)
    def code_form() -> HTMLResponse:
        return render("code.html", page="code", text="", date="", title="", result=None, message=None)

    @app.post("/ui/code", include_in_schema=False)
    async def code_submit(request: Request) -> HTMLResponse:
        # A urlencoded form parsed here: python-multipart would be a dependency for one form.
        fields = parse_qs((await request.body()).decode("utf-8", errors="replace"))
        text = (fields.get("text") or [""])[0]
        title = (fields.get("title") or [""])[0].strip() or None
        date = (fields.get("date") or [""])[0].strip()
        return await run_in_threadpool(_code_page, service, text, title, date)


def _code_page(service: StoreService, text: str, title: str | None, date: str) -> HTMLResponse:
    """Code pasted text and show it with its events marked (nothing is stored)."""
    from pydantic import ValidationError

    from dyads.api.app import ApiError, ArticleIn, code_one

    keep = {"page": "code", "text": text, "date": date, "title": title or ""}
    try:
        item = ArticleIn(text=text, title=title, date=_date(date) if date else None)
        if date and item.date is None:
            raise ApiError(400, f"{date!r} is not a date; use YYYY-MM-DD")
        result = code_one(service, item)
    except ValidationError as err:
        return render("code.html", status=422, result=None, message=err.errors()[0]["msg"], **keep)
    except ApiError as err:
        return render("code.html", status=err.status, result=None, message=err.message, **keep)
    marks = reads.marks_of(result["events"])
    result["segments"] = segments(result["article"]["text"], marks)
    return render("code.html", result=result, message=None, **keep)


def _bars(rows: list[dict[str, Any]], by: str, form: dict[str, Any], directed: bool) -> list[svg.Bar]:
    """One bar per period from first to last (empty periods included), quad counts summed."""
    counts: dict[str, dict[int, int]] = {}
    for r in rows:
        c = counts.setdefault(r["period"], {})
        for quad, key, _, _ in svg.QUAD_STYLE:
            c[quad] = c.get(quad, 0) + int(r.get(key) or 0)
    labels = _fill(sorted(counts), by)
    base = {"actor": form["actor"], "recipient": form["recipient"], "by": by, "event": form["event"],
            "since": form["since"], "until": form["until"], "directed": "1" if directed else None}
    return [svg.Bar(p, counts.get(p, {}), "/ui/dyads?" + _qs(**base, period=p) + "#behind") for p in labels]


def _fill(labels: list[str], by: str, cap: int = 400) -> list[str]:
    """Every period label from the first to the last, so gaps show as gaps."""
    if len(labels) < 2:
        return labels
    out: list[str] = []
    lo, _ = reads.period_range(labels[0], by)
    end, _ = reads.period_range(labels[-1], by)
    day = lo
    while day <= end and len(out) < cap:
        label = _label(day, by)
        out.append(label)
        _, last = reads.period_range(label, by)
        day = last + dt.timedelta(days=1)
    return out if len(out) < cap else labels


def _label(day: dt.date, by: str) -> str:
    if by == "year":
        return f"{day.year:04d}"
    if by == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def _period_events(s: Any, form: dict[str, Any], by: str, period: str, directed: bool) -> list[dict[str, Any]]:
    """The events behind one bar: the pair (both ways unless directed) within the period."""
    try:
        lo, hi = reads.period_range(period, by)
    except ValueError:
        return []
    since = max(lo, form["since"]) if form["since"] else lo
    until = min(hi, form["until"]) if form["until"] else hi
    pairs = [(form["actor"], form["recipient"])]
    if not directed and form["actor"] != form["recipient"]:
        pairs.append((form["recipient"], form["actor"]))
    found: dict[str, dict[str, Any]] = {}
    try:
        for a, r in pairs:
            for rec in queries.events(s, Filters(a, r, form["event"], since, until), limit=200):
                found[rec["id"]] = rec
    except QueryError:
        return []
    return sorted(found.values(), key=lambda r: (r.get("date") or "", r["id"]))
