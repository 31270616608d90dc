"""`dyads watch`: feeds and pages from a local HTTP server, coded and stored exactly once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from dyads.feeds import FetchError, FetchPolicy, Watcher, check_url, fetch, make_client, seen_urls
from dyads.store.db import Store

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article><h1>{title}</h1>{paras}</article>
<footer>Copyright Example Wire. All rights reserved.</footer></body></html>"""

ARTICLES = {
    "/news/talks.html": ("Iraq and Iran hold talks", [
        "Iraq's foreign minister met his Iranian counterpart in Tehran on Monday, and the two men said that "
        "the talks had been friendly and useful for both of their countries.",
        "The ministers said that they would meet again next month to discuss the water dispute that has "
        "strained relations between the neighbours for years.",
    ]),
    "/news/shelling.html": ("Kenyan troops shell positions", [
        "Kenyan troops shelled al-Shabaab positions in southern Somalia on Sunday, and the army said that "
        "the operation had been a success for the African Union mission.",
        "A spokesman for the group said that it would fight on, and residents said that many of them had "
        "left their homes before the attack.",
    ]),
}


def rss(base: str, links: list[str]) -> bytes:
    items = "".join(
        f"<item><title>Item {i}</title><link>{base}{link}</link>"
        f"<pubDate>Tue, 13 Oct 2020 08:00:00 GMT</pubDate></item>"
        for i, link in enumerate(links)
    )
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Example Wire</title>'
            f"<link>{base}/</link><description>news</description>{items}</channel></rss>").encode()


class Site:
    """A tiny local news site: pages, a feed, and a count of every request."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.routes: dict[str, tuple[int, str, bytes, dict[str, str]]] = {}
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                site.hits[self.path] += 1
                status, ctype, body, headers = site.routes.get(self.path, (404, "text/plain", b"not found", {}))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def add(self, path: str, body: bytes, ctype: str = "text/html; charset=utf-8", status: int = 200,
            headers: dict[str, str] | None = None) -> None:
        self.routes[path] = (status, ctype, body, headers or {})


@pytest.fixture()
def site() -> Iterator[Site]:
    s = Site()
    for path, (title, paras) in ARTICLES.items():
        s.add(path, PAGE.format(title=title, paras="".join(f"<p>{p}</p>" for p in paras)).encode())
    s.add("/feed.xml", rss(s.base, [*ARTICLES, "/news/gone.html", "/news/flaky.html"]), "application/rss+xml")
    s.add("/news/flaky.html", b"try later", "text/plain", status=503)
    s.add("/redirect", b"", status=302, headers={"Location": "file:///etc/passwd"})
    s.thread.start()
    yield s
    s.server.shutdown()
    s.server.server_close()


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "watch.duckdb") as s:
        yield s


ALLOW = FetchPolicy(allow_private=True, timeout=5)


@pytest.mark.parametrize("as_file", [False, True], ids=["feed-url", "feed-file"])
def test_watch_stores_each_article_once_across_polls(site: Site, store: Store, coder: Any, tmp_path: Path,
                                                     as_file: bool) -> None:
    feed = f"{site.base}/feed.xml"
    if as_file:
        path = tmp_path / "feed.xml"
        path.write_bytes(site.routes["/feed.xml"][2])
        feed = str(path)
    watcher = Watcher(store, ALLOW, coder=coder)
    first = watcher.poll([feed])
    second = watcher.poll([feed])
    assert (first.stored, first.new_items) == (2, 4)
    assert (second.stored, second.new_items) == (0, 1)  # only the flaky page is tried again
    assert store.counts()["articles"] == 2
    assert all(site.hits[p] == 1 for p in ARTICLES)
    assert site.hits["/news/flaky.html"] == 2
    assert site.hits["/news/gone.html"] == 1  # a 404 is final: not fetched again
    statuses = seen_urls(store)
    assert sorted(statuses.values()) == ["rejected", "stored", "stored"]


def test_watch_stored_articles_keep_url_source_and_feed_date(site: Site, store: Store, coder: Any) -> None:
    Watcher(store, ALLOW, coder=coder).poll([f"{site.base}/feed.xml"])
    rows = store._con.execute("SELECT url, source, published, text FROM articles ORDER BY url").fetchall()
    assert [r[0] for r in rows] == sorted(site.base + p for p in ARTICLES)
    assert {r[1] for r in rows} == {"Example Wire"}
    assert {str(r[2]) for r in rows} == {"2020-10-13"}
    assert all("All rights reserved" not in r[3] and "Home" not in r[3] for r in rows)
    events = store.events(event="ASSAULT")
    assert events and {e["actor"][0]["code"] for e in events} == {"KEN"}


def test_watch_failing_feed_is_reported_not_fatal(site: Site, store: Store, coder: Any) -> None:
    messages: list[str] = []
    watcher = Watcher(store, ALLOW, coder=coder, report=messages.append)
    result = watcher.poll([f"{site.base}/missing-feed.xml", f"{site.base}/feed.xml"])
    assert (result.feeds_failed, result.feeds_ok, result.stored) == (1, 1, 2)
    assert any("missing-feed.xml failed" in m for m in messages)
    failures = store._con.execute("SELECT failures FROM feeds WHERE url LIKE '%missing-feed.xml'").fetchone()
    assert failures == (1,)
    watcher.poll([f"{site.base}/missing-feed.xml"])
    assert site.hits["/missing-feed.xml"] == 2  # retried on the next poll


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "ftp://example.org/feed.xml", "/etc/passwd", "http://127.0.0.1/feed",
    "http://localhost/feed", "http://10.1.2.3/feed", "http://192.168.0.1/feed", "http://[::1]/feed",
    "http://169.254.169.254/latest/meta-data",
])
def test_watch_refuses_unsafe_urls(url: str) -> None:
    with pytest.raises(FetchError):
        check_url(url, FetchPolicy())


def test_watch_allow_private_permits_loopback_only_over_http() -> None:
    check_url("http://127.0.0.1:8000/feed", ALLOW)
    with pytest.raises(FetchError):
        check_url("file:///etc/passwd", ALLOW)


def test_watch_redirect_to_other_scheme_is_refused(site: Site) -> None:
    with make_client(ALLOW) as client, pytest.raises(FetchError) as err:
        fetch(f"{site.base}/redirect", ALLOW, client)
    assert err.value.reason == "scheme"


def test_watch_size_limit(site: Site) -> None:
    small = FetchPolicy(allow_private=True, max_bytes=100)
    with make_client(small) as client, pytest.raises(FetchError) as err:
        fetch(f"{site.base}/news/talks.html", small, client)
    assert err.value.reason == "too-large"


def test_watch_cli_once(site: Site, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from dyads.cli.main import app

    db = tmp_path / "cli.duckdb"
    args = ["watch", f"{site.base}/feed.xml", "--db", str(db), "--once", "--allow-private"]
    first = CliRunner().invoke(app, args)
    second = CliRunner().invoke(app, args)
    assert first.exit_code == 0 and second.exit_code == 0, first.output
    with Store(db, read_only=True) as s:
        assert s.counts()["articles"] == 2
    assert "stored 2" in first.output and "stored 0" in second.output
    refused = CliRunner().invoke(app, ["watch", f"{site.base}/feed.xml", "--db", str(db), "--once"])
    assert refused.exit_code == 1 and "--allow-private" in refused.output
