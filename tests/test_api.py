"""The REST API against a real uvicorn server on loopback (one server per module)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from dyads.api.app import MAX_BATCH, MAX_BODY_BYTES, MAX_PAGE, create_app
from dyads.api.server import background_server

ROOT = Path(__file__).resolve().parents[1]

# Small hand-written articles: dates, dyads and one with markup in its text and title.
ARTICLES: list[dict[str, Any]] = [
    {"date": "2020-01-06", "title": "Border deal",
     "text": "Iraq and Iran signed a border agreement in Baghdad on Monday, the two governments said.\n\n"
             "Iranian President Hassan Rouhani met Iraqi Prime Minister Adel Abdul Mahdi in Baghdad on Sunday,"
             " and he said that the talks had been useful."},
    {"date": "2020-02-11", "title": "Embassy attacked",
     "text": "Protesters attacked the US embassy in Baghdad on Tuesday, officials said.\n\n"
             "The United States accused Iran of organising the attack on its embassy."},
    {"date": "2020-03-02", "title": "Shelling",
     "text": "Kenyan troops shelled al-Shabaab positions in southern Somalia on Sunday."},
    {"date": "2020-03-10", "title": "<script>alert('title')</script>",
     "text": "Iranian officials accused the United States of sabotage <b>on</b> Monday.\n\n"
             "<script>alert('x')</script>"},
    {"date": "2020-04-01", "title": "Fishermen",
     "text": "Iraq asked Iran to release detained Iraqi fishermen, the foreign ministry said on Wednesday."},
]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, coder: Any) -> Any:
    """A served app over a fresh database holding ARTICLES; yields (base_url, app)."""
    db = tmp_path_factory.mktemp("api") / "api.duckdb"
    app = create_app(db, coder=coder)
    with background_server(app) as base:
        r = httpx.post(f"{base}/articles", json=ARTICLES, timeout=120)
        assert (r.status_code, r.json()["added"]) == (201, len(ARTICLES)), r.text
        yield base, app


@pytest.fixture(scope="module")
def base(api: Any) -> str:
    return api[0]


def get(base: str, path: str, **params: Any) -> httpx.Response:
    return httpx.get(base + path, params=params, timeout=30)


# -- coding ---------------------------------------------------------------------


def test_api_code_returns_events_with_offsets_without_storing(base: str) -> None:
    before = get(base, "/health").json()["counts"]
    r = httpx.post(f"{base}/code", json={"text": "Kenyan troops shelled al-Shabaab positions in Somalia on "
                                                 "Sunday, killing ten fighters.", "date": "2021-05-04"}, timeout=60)
    assert r.status_code == 200
    body = r.json()
    assert [e["event"] for e in body["events"]] == ["ASSAULT"]
    text = body["article"]["text"]
    mark = body["marks"][0]
    assert text[mark["trigger"]["start"]:mark["trigger"]["end"]] == "shelled"
    assert get(base, "/health").json()["counts"] == before


def test_api_articles_stores_once(base: str) -> None:
    article = {"text": "Iraq asked Turkey to withdraw its troops from northern Iraq on Friday.", "date": "2020-05-02"}
    first = httpx.post(f"{base}/articles", json=article, timeout=60)
    second = httpx.post(f"{base}/articles", json={"articles": [article]}, timeout=60)
    assert (first.status_code, first.json()["added"]) == (201, 1)
    assert (second.status_code, second.json()["skipped"], second.json()["added"]) == (200, 1, 0)
    article_id = first.json()["articles"][0]["id"]
    assert get(base, f"/articles/{article_id}").json()["article"]["text"] == article["text"]


# -- reading --------------------------------------------------------------------


@pytest.mark.parametrize(("params", "check"), [
    ({"actor": "IRQ"}, lambda e: "IRQ" in [a["code"] for a in e["actor"]]),
    ({"recipient": "usa"}, lambda e: "USA" in [a["code"] for a in e["recipient"]]),
    ({"event": "assault"}, lambda e: e["event"] == "ASSAULT"),
    ({"since": "2020-02-01", "until": "2020-03-05"}, lambda e: "2020-02-01" <= e["date"] <= "2020-03-05"),
])
def test_api_events_filters(base: str, params: dict[str, str], check: Any) -> None:
    body = get(base, "/events", **params).json()
    assert body["events"], params
    assert body["total"] == len(body["events"])
    assert all(check(e) for e in body["events"])


def test_api_events_pages_are_disjoint_and_cover_total(base: str) -> None:
    total = get(base, "/events").json()["total"]
    seen: list[str] = []
    offset: int | None = 0
    while offset is not None:
        body = get(base, "/events", limit=2, offset=offset).json()
        seen += [e["id"] for e in body["events"]]
        offset = body["next_offset"]
    assert len(seen) == len(set(seen)) == total >= 5


def test_api_event_detail_has_mentions_and_sentences(base: str) -> None:
    event = get(base, "/events", event="ACCUSE", recipient="IRN").json()["events"][0]
    body = get(base, f"/events/{event['id']}").json()
    assert body["mention"]["id"] == event["id"]
    assert event["id"] in [m["id"] for m in body["mentions"]]
    assert all(m["text"] for m in body["mentions"])
    by_cluster = get(base, f"/events/{body['cluster']['cluster_id']}").json()
    assert [m["id"] for m in by_cluster["mentions"]] == [m["id"] for m in body["mentions"]]


def test_api_article_marks_point_into_its_text(base: str) -> None:
    event = get(base, "/events", event="CONSULT").json()["events"][0]
    body = get(base, f"/articles/{event['article_id']}").json()
    text = body["article"]["text"]
    assert len(body["marks"]) == len(body["events"]) >= 2
    for mark, record in zip(body["marks"], sorted(body["events"], key=lambda r: r["text_info"]["start"]), strict=True):
        assert text[mark["sentence"]["start"]:mark["sentence"]["end"]] == record["text"]
        assert mark["sentence"]["start"] <= mark["trigger"]["start"] < mark["trigger"]["end"] <= mark["sentence"]["end"]


def test_api_series_counts_the_pair(base: str) -> None:
    rows = get(base, "/series", actor="IRQ", recipient="IRN", by="month").json()["rows"]
    events = get(base, "/events", actor="IRQ", recipient="IRN").json()["events"]
    assert sum(r["total"] for r in rows) == len(events) >= 1
    assert {r["period"] for r in rows} == {e["date"][:7] for e in events}


def test_api_actors_counts_roles(base: str) -> None:
    actors = {(a["code"], a["sector"]): a for a in get(base, "/actors").json()["actors"]}
    assert any(code == "IRN" and a["as_recipient"] >= 2 for (code, _), a in actors.items())


def test_api_network_and_places(base: str) -> None:
    edges = get(base, "/network").json()["edges"]
    assert {"source": "KEN", "target": "SOM"}.items() <= next(e for e in edges if e["source"] == "KEN").items()
    places = {p["place"] for p in get(base, "/places").json()["places"]}
    assert "Baghdad" in places


# -- errors ---------------------------------------------------------------------


def _post(base: str, path: str, **kw: Any) -> httpx.Response:
    return httpx.post(base + path, timeout=60, **kw)


ERROR_CASES = [
    ("empty-text", 400, lambda b: _post(b, "/code", json={"text": "   \n  "})),
    ("unknown-event", 404, lambda b: get(b, "/events/0123456789abcdef0123")),
    ("unknown-article", 404, lambda b: get(b, "/articles/nope")),
    ("unknown-path", 404, lambda b: get(b, "/no/such/path")),
    ("body-too-large", 413, lambda b: _post(b, "/code", content=b"x" * (MAX_BODY_BYTES + 1),
                                             headers={"content-type": "application/json"})),
    ("batch-too-large", 413, lambda b: _post(b, "/articles", json=[{"text": "Hello."}] * (MAX_BATCH + 1))),
    ("page-too-large", 422, lambda b: get(b, "/events", limit=MAX_PAGE + 1)),
    ("bad-date", 422, lambda b: get(b, "/events", since="yesterday")),
    ("bad-event-type", 422, lambda b: get(b, "/events", event="FROBNICATE")),
    ("bad-code", 422, lambda b: get(b, "/events", actor="IRAQ")),
    ("bad-json", 422, lambda b: _post(b, "/code", content=b"{not json", headers={"content-type": "application/json"})),
    ("wrong-method", 405, lambda b: httpx.delete(b + "/events", timeout=30)),
    ("missing-text", 422, lambda b: _post(b, "/code", json={"title": "no text"})),
]


@pytest.mark.parametrize(("name", "status", "call"), ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_api_errors_share_one_shape(base: str, name: str, status: int, call: Any) -> None:
    r = call(base)
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "detail"}
    assert isinstance(body["error"]["code"], str) and body["error"]["message"]


class _BrokenCoder:
    """A coder that crashes, to provoke a 500."""

    def code(self, articles: Any) -> Any:
        raise RuntimeError("boom")


def test_api_internal_error_has_the_same_shape(tmp_path: Path) -> None:
    with background_server(create_app(tmp_path / "broken.duckdb", coder=_BrokenCoder())) as b:
        r = _post(b, "/code", json={"text": "Iraq asked Iran for help."})
    assert r.status_code == 500
    assert r.json()["error"]["code"] == "internal_error"
    assert "boom" not in r.text  # internals stay in the server log


# -- docs, concurrency, locking, escaping ------------------------------------------


def test_api_docs_are_served_without_a_cdn(base: str) -> None:
    page = get(base, "/docs").text
    assert "/docs-assets/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    assert get(base, "/docs-assets/swagger-ui-bundle.js").status_code == 200
    paths = get(base, "/openapi.json").json()["paths"]
    assert {"/code", "/articles", "/events", "/events/{event_id}", "/series", "/actors",
            "/articles/{article_id}"} <= set(paths)


def test_api_reads_are_not_blocked_by_a_running_write(api: Any) -> None:
    base, app = api
    service = app.state.service
    started, release = threading.Event(), threading.Event()

    def slow_write(store: Any) -> None:
        con = store._con
        con.execute("BEGIN TRANSACTION")
        con.execute("INSERT INTO rejections VALUES ('slow', 'test', 'store', 'test', 'held open', NULL, now())")
        started.set()
        release.wait(10)
        con.execute("ROLLBACK")

    writer = threading.Thread(target=service.write, args=(slow_write,))
    writer.start()
    try:
        assert started.wait(10)
        t0 = time.monotonic()
        r = get(base, "/events", limit=5)
        elapsed = time.monotonic() - t0
    finally:
        release.set()
        writer.join(15)
    assert r.status_code == 200 and r.json()["events"]
    assert elapsed < 3.0


def test_api_other_process_cannot_write_while_serving(api: Any) -> None:
    _, app = api
    code = (
        "import sys\nfrom dyads.store.db import Store, StoreLockedError\n"
        "try:\n    Store(sys.argv[1])\nexcept StoreLockedError as e:\n    print(e); sys.exit(3)\n"
    )
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}
    r = subprocess.run([sys.executable, "-c", code, str(app.state.service.path)],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 3, r.stderr
    assert "in use by another dyads process" in r.stdout


@pytest.mark.parametrize("path", ["/ui/events", "/ui/events?event=ACCUSE", "ARTICLE"])
def test_api_dashboard_escapes_article_text(base: str, path: str) -> None:
    event = get(base, "/events", event="ACCUSE", actor="IRN").json()["events"][0]
    if path == "ARTICLE":
        path = f"/ui/articles/{event['article_id']}"
    html = get(base, path).text
    assert "&lt;b&gt;on&lt;/b&gt;" in html
    assert "<b>on</b>" not in html and "<script>alert" not in html


def test_api_json_keeps_text_verbatim(base: str) -> None:
    event = get(base, "/events", event="ACCUSE", actor="IRN").json()["events"][0]
    article = get(base, f"/articles/{event['article_id']}").json()["article"]
    assert "<script>alert('x')</script>" in article["text"]
    assert json.dumps(article)  # plain JSON, escaping is the page's job


def test_api_serve_command_owns_the_database(tmp_path: Path) -> None:
    """`dyads serve` in its own process answers on loopback; `dyads ingest` meanwhile fails clearly."""
    import os
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = tmp_path / "served.duckdb"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    cli = [sys.executable, "-c", "from dyads.cli.main import app; app()"]
    server = subprocess.Popen([*cli, "serve", "--db", str(db), "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert health.json()["counts"]["articles"] == 0
        ingest = subprocess.run([*cli, "ingest", str(ROOT / "examples" / "articles"), "--db", str(db)],
                                env=env, capture_output=True, text=True, timeout=120)
        assert ingest.returncode == 2
        assert "in use by another dyads process" in ingest.stderr
    finally:
        server.terminate()
        server.wait(30)


def test_api_series_pages_with_a_total(base: str) -> None:
    whole = get(base, "/series", by="month").json()
    assert whole["total"] == len(whole["rows"]) >= 2 and whole["next_offset"] is None
    first = get(base, "/series", by="month", limit=1).json()
    assert first["total"] == whole["total"] and first["next_offset"] == 1
    second = get(base, "/series", by="month", limit=1, offset=1).json()
    assert first["rows"] + second["rows"] == whole["rows"][:2]
