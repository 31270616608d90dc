"""Hostile requests against the server, the CLI and the feed fetcher: every parameter
validated into the one error shape, no stack traces, SQL injection strings inert in every
filter, article markup always escaped, unsafe fetches refused.

Complements tests/test_api.py and tests/test_watch.py (which hold the basic cases)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from typer.testing import CliRunner

from dyads.api.app import MAX_BODY_BYTES, create_app
from dyads.api.server import background_server
from dyads.cli.main import app as cli
from dyads.feeds import FetchError, FetchPolicy, Watcher, fetch
from dyads.store.db import Store

XSS = "<script>alert('pwned')</script>"
ARTICLES = [
    {"date": "2020-03-10", "title": f"Accusation {XSS}", "source": f"Wire {XSS}", "url": "javascript:alert(1)",
     "text": f"Iranian officials accused the United States of sabotage on Monday. {XSS}\n\n"
             "Iraq asked Iran to release detained Iraqi fishermen, the foreign ministry said."},
    {"date": "2020-01-06", "title": "Border deal",
     "text": "Iraq and Iran signed a border agreement in Baghdad on Monday, the two governments said."},
]
INJECTIONS = ["' OR '1'='1", "IRQ'; DROP TABLE mentions; --", "1) OR (1=1", '" OR ""="', "%' --",
              "IRQ\x00", "IRQ UNION SELECT * FROM articles", "ǏRQ"]
FILTERS = {
    "/events": ["actor", "recipient", "event", "since", "until", "unit", "limit", "offset"],
    "/series": ["actor", "recipient", "event", "since", "until", "unit", "by", "undirected"],
    "/actors": ["since", "until", "code", "limit"],
    "/network": ["actor", "recipient", "event", "since", "until", "limit"],
    "/places": ["actor", "recipient", "event", "since", "until", "limit"],
    "/ui/events": ["actor", "recipient", "event", "since", "until", "offset"],
    "/ui/dyads": ["actor", "recipient", "event", "since", "until", "by", "period", "directed"],
    "/ui/network": ["actor", "recipient", "event", "since", "until"],
    "/ui/map": ["actor", "recipient", "event", "since", "until"],
}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, coder: Any) -> Iterator[tuple[str, Any]]:
    db = tmp_path_factory.mktemp("hostile") / "hostile.duckdb"
    application = create_app(db, coder=coder)
    with background_server(application) as base:
        r = httpx.post(f"{base}/articles", json=ARTICLES, timeout=120)
        assert r.status_code == 201, r.text
        yield base, application


@pytest.fixture(scope="module")
def base(served: tuple[str, Any]) -> str:
    return served[0]


def _get(base: str, path: str, **params: Any) -> httpx.Response:
    return httpx.get(base + path, params=params, timeout=60)


def _no_internals(r: httpx.Response) -> None:
    for leak in ("Traceback", 'File "/', "duckdb.", "Binder Error", "Parser Error", "site-packages"):
        assert leak not in r.text, (r.status_code, r.text[:500])


def _error_shape(r: httpx.Response) -> None:
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "detail"}


# -- parameter validation ------------------------------------------------------------------

BAD_PARAMS = [
    ("/events", {"since": "2020-13-45"}), ("/events", {"until": "2020-02-30"}), ("/events", {"limit": -1}),
    ("/events", {"limit": 0}), ("/events", {"limit": 10**9}), ("/events", {"offset": -1}),
    ("/events", {"offset": 10**13}), ("/events", {"unit": "cluster"}), ("/events", {"limit": "ten"}),
    ("/events", {"since": "2021-01-01", "until": "2020-01-01"}), ("/events", {"recipient": "IR"}),
    ("/series", {"by": "decade"}), ("/series", {"since": "0000-00-00"}), ("/series", {"unit": "x"}),
    ("/series", {"undirected": "perhaps"}), ("/series", {"actor": "IRAQ"}), ("/series", {"event": "NUKE"}),
    ("/actors", {"limit": -5}), ("/actors", {"limit": 10**7}), ("/actors", {"until": "tomorrow"}),
    ("/actors", {"code": "12"}), ("/network", {"limit": 0}), ("/network", {"limit": 10**6}),
    ("/network", {"event": "'"}), ("/places", {"limit": -1}), ("/places", {"since": "2020-1-1x"}),
]


@pytest.mark.parametrize(("path", "params"), BAD_PARAMS, ids=[f"{p}-{'-'.join(map(str, q))}" for p, q in BAD_PARAMS])
def test_reliability_server_bad_parameter_is_a_4xx_in_the_error_shape(base: str, path: str,
                                                                     params: dict[str, Any]) -> None:
    r = _get(base, path, **params)
    assert r.status_code in (400, 422), (r.status_code, r.text[:300])
    _error_shape(r)
    _no_internals(r)


def test_reliability_server_chunked_body_over_limit_is_413(base: str) -> None:
    """A body with no Content-Length is counted while it streams."""
    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b"x" * 65536
        yield b'"}'

    r = httpx.post(f"{base}/code", content=chunks(), headers={"content-type": "application/json"}, timeout=60)
    assert r.status_code == 413
    _error_shape(r)


@pytest.mark.parametrize("path", ["/code", "/articles"])
def test_reliability_server_lone_surrogate_text_is_refused_not_500(base: str, path: str) -> None:
    body = b'{"text": "Iraq met Iran in Baghdad on Monday \\ud800 officials said."}'
    r = httpx.post(base + path, content=body, headers={"content-type": "application/json"}, timeout=60)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["detail"][0]["type"] == "string_unicode"
    _no_internals(r)


# -- SQL injection ------------------------------------------------------------------------

INJECTION_CASES = [(path, name, value) for path, names in FILTERS.items() for name in names for value in INJECTIONS]


@pytest.mark.parametrize(("path", "name"), sorted({(p, n) for p, n, _ in INJECTION_CASES}))
def test_reliability_server_injection_in_every_filter_is_inert(served: tuple[str, Any], path: str, name: str) -> None:
    base, _ = served
    before = _get(base, "/health").json()["counts"]
    for value in INJECTIONS:
        r = _get(base, path, **{name: value})
        assert r.status_code in (200, 400, 404, 422), (value, r.status_code, r.text[:300])
        _no_internals(r)
        if r.status_code == 200 and not path.startswith("/ui"):
            body = r.json()
            assert not body.get("events") and not body.get("rows") and not body.get("edges") \
                and not body.get("places") and not body.get("actors"), (name, value)
    assert _get(base, "/health").json()["counts"] == before


@pytest.mark.parametrize("template", ["/events/{}", "/articles/{}", "/ui/events/{}", "/ui/articles/{}"])
def test_reliability_server_injection_in_path_ids_is_404(base: str, template: str) -> None:
    for value in INJECTIONS:
        r = httpx.get(base + template.format(quote(value, safe="")), timeout=30)
        assert r.status_code == 404, (value, r.status_code)
        _no_internals(r)


def test_reliability_server_library_queries_bind_injection_strings(served: tuple[str, Any]) -> None:
    """Below the validation layer: the query functions take hostile values as plain data."""
    from dyads.api import reads
    from dyads.store import queries
    from dyads.store.queries import Filters

    service = served[1].state.service
    with service.read() as s:
        for value in INJECTIONS:
            for filters in (Filters(actor=value), Filters(recipient=value), Filters(event=value)):
                assert queries.events(s, filters) == []
                assert queries.series(s, filters) == []
                assert reads.network(s, filters) == [] and reads.places(s, filters) == []
                assert reads.top_pairs(s, filters) == []
                assert reads.count_events(s, filters) == 0
            assert queries.actors(s, code=value) == []
            assert reads.event_detail(s, value) is None and reads.article_detail(s, value) is None
        assert s._con.execute("SELECT count(*) FROM mentions").fetchone()[0] > 0


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory: pytest.TempPathFactory, coder: Any) -> Path:
    path = tmp_path_factory.mktemp("cli") / "cli.duckdb"
    articles = tmp_path_factory.mktemp("cli-in") / "a.jsonl"
    import json

    articles.write_text("\n".join(json.dumps({**a, "date": a["date"]}) for a in ARTICLES) + "\n")
    result = CliRunner().invoke(cli, ["ingest", str(articles), "--db", str(path), "--workers", "1"])
    assert result.exit_code == 0, result.output
    return path


CLI_FILTERS = {
    "events": ["--actor", "--recipient", "--event", "--since", "--until", "--unit"],
    "series": ["--actor", "--recipient", "--event", "--since", "--until"],
    "actors": ["--since", "--until"],
    "export": ["--actor", "--recipient", "--event", "--since", "--until"],
}


@pytest.mark.parametrize(("command", "flag"), [(c, f) for c, flags in CLI_FILTERS.items() for f in flags])
def test_reliability_server_cli_injection_in_every_filter_is_inert(cli_db: Path, tmp_path: Path, command: str,
                                                                   flag: str) -> None:
    with Store(cli_db, read_only=True) as store:
        before = store.counts()
    for value in INJECTIONS:
        args = [command, "--db", str(cli_db), flag, value]
        if command == "export":
            args += ["--format", "plover-jsonl", "--out", str(tmp_path / "out.jsonl")]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code in (0, 2), (value, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        if result.exit_code == 0 and command == "events":
            assert result.stdout.strip() == "", (flag, value)
    with Store(cli_db, read_only=True) as store:
        assert store.counts() == before


def test_reliability_server_export_path_with_quote_is_not_sql(cli_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "it's'; DROP TABLE mentions; --"
    result = CliRunner().invoke(cli, ["export", "--db", str(cli_db), "--format", "parquet", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert list(out.rglob("*.parquet"))
    with Store(cli_db, read_only=True) as store:
        assert store.counts()["mentions"] > 0


# -- escaping on every dashboard page ----------------------------------------------------------


def _pages(base: str) -> list[str]:
    event = _get(base, "/events", event="ACCUSE").json()["events"][0]
    return ["/ui/events", "/ui/events?event=ACCUSE", f"/ui/events/{event['id']}", f"/ui/articles/{event['article_id']}",
            "/ui/dyads?actor=IRN&recipient=USA", "/ui/network", "/ui/map"]


def test_reliability_server_every_page_escapes_article_markup(base: str) -> None:
    for path in _pages(base):
        r = httpx.get(base + path, timeout=30)
        assert r.status_code == 200, path
        assert "<script>alert(" not in r.text, path
        assert 'href="javascript:' not in r.text.replace("'", '"'), path
    article = httpx.get(base + _pages(base)[3], timeout=30).text
    assert "&lt;script&gt;alert(" in article  # shown, as text


def test_reliability_server_code_page_escapes_pasted_markup(base: str) -> None:
    r = httpx.post(f"{base}/ui/code", content=f"text=Iraq+accused+Iran+of+sabotage+on+Monday.+{XSS}&date=2020-01-01",
                   headers={"content-type": "application/x-www-form-urlencoded"}, timeout=60)
    assert r.status_code == 200
    assert "<script>alert(" not in r.text and "&lt;script&gt;" in r.text


# -- fetching: redirects to internal addresses, timeouts, sizes ----------------------------------

PUBLIC = "93.184.216.34"  # an address outside every private, loopback and reserved range


@pytest.fixture()
def public_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make news.example resolve to a public address (the check resolves; MockTransport answers)."""
    real = socket.getaddrinfo

    def fake(host: str, *args: Any, **kwargs: Any) -> Any:
        if host == "news.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC, 80))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)


REDIRECT_TARGETS = [
    ("http://127.0.0.1:8000/admin", "private-address"), ("http://localhost/", "private-address"),
    ("http://169.254.169.254/latest/meta-data/", "private-address"), ("http://10.0.0.7/", "private-address"),
    ("http://[::1]/", "private-address"), ("http://192.168.1.1/", "private-address"),
    ("http://0.0.0.0/", "private-address"), ("file:///etc/passwd", "scheme"), ("gopher://news.example/", "scheme"),
]


@pytest.mark.parametrize(("target", "reason"), REDIRECT_TARGETS, ids=[t for t, _ in REDIRECT_TARGETS])
def test_reliability_server_redirect_from_public_host_to_internal_is_refused(public_dns: None, target: str,
                                                                            reason: str) -> None:
    hits: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hits.append(str(request.url))
        return httpx.Response(302, headers={"Location": target})

    with httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=False) as client:
        with pytest.raises(FetchError) as err:
            fetch("http://news.example/story", FetchPolicy(), client)
    assert err.value.reason == reason
    assert hits == ["http://news.example/story"]  # the internal target was never requested


def test_reliability_server_redirect_loop_is_bounded(public_dns: None) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "http://news.example/again"})

    with httpx.Client(transport=httpx.MockTransport(handler)) as client, pytest.raises(FetchError) as err:
        fetch("http://news.example/story", FetchPolicy(), client)
    assert err.value.reason == "redirects"


class _Slow(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/slow":
            time.sleep(3)
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()  # no Content-Length: the size is only known while streaming
        try:
            for _ in range(64):
                self.wfile.write(b"<p>" + b"x" * 1024 + b"</p>")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the fetcher hung up at its limit, as it should

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def slow_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(("path", "policy", "reason"), [
    ("/slow", FetchPolicy(allow_private=True, timeout=0.5), "timeout"),
    ("/big", FetchPolicy(allow_private=True, max_bytes=10_000), "too-large"),
])
def test_reliability_server_fetch_timeout_and_streamed_size_limit(slow_site: str, path: str, policy: FetchPolicy,
                                                                  reason: str) -> None:
    from dyads.feeds import make_client

    start = time.monotonic()
    with make_client(policy) as client, pytest.raises(FetchError) as err:
        fetch(slow_site + path, policy, client)
    assert err.value.reason == reason
    assert time.monotonic() - start < 2.5


def test_reliability_server_watch_cli_refuses_file_url(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["watch", "file:///etc/passwd", "--db", str(tmp_path / "w.duckdb"), "--once"])
    assert result.exit_code == 1
    assert "only http and https" in result.output


def test_reliability_server_feed_entity_bomb_is_harmless(tmp_path: Path, coder: Any) -> None:
    lol = "".join(f'<!ENTITY l{i} "' + f"&l{i - 1};" * 10 + '">' for i in range(1, 10))
    feed = tmp_path / "bomb.xml"
    feed.write_text(f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY l0 "lol">{lol}]>'
                    '<rss version="2.0"><channel><title>&l9;</title><item><title>x</title>'
                    "<link>http://127.0.0.1:9/a</link></item></channel></rss>")
    start = time.monotonic()
    with Store(tmp_path / "bomb.duckdb") as store:
        result = Watcher(store, FetchPolicy(), coder=coder).poll([str(feed)])
        title = store._con.execute("SELECT title FROM feeds").fetchone()
    assert time.monotonic() - start < 10
    assert result.stored == 0
    assert title is None or title[0] is None or len(title[0]) < 10_000
