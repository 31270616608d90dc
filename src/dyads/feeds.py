"""Live feeds (`dyads watch`): poll RSS/Atom feeds, fetch new articles, code and store them.

Each item URL is fetched once: fetched URLs are kept in the store's ``feed_items`` table
(migration ``0003_feeds``). A feed that fails is reported and polled again next time;
a page that fails for a passing reason (timeout, 5xx) stays unseen and is retried.

Fetching is guarded: only http(s), no private, loopback or link-local addresses unless
allowed, a timeout, a byte limit and a bounded number of redirects (each hop checked).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urljoin, urlsplit

from dyads.types import Article, Rejection

if TYPE_CHECKING:
    import httpx

    from dyads.coder import Coder
    from dyads.store.db import Store

_PAGE_TYPES = ("text/html", "application/xhtml+xml")
_TRANSIENT_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """What the watcher may fetch, and how much."""

    allow_private: bool = False  # private, loopback and link-local addresses (tests, intranets)
    timeout: float = 20.0  # seconds, per connect/read
    max_bytes: int = 5_000_000  # a page or feed larger than this is refused
    max_redirects: int = 5


class FetchError(Exception):
    """A URL could not be fetched; ``transient`` errors are worth retrying later."""

    def __init__(self, url: str, reason: str, message: str, transient: bool = False) -> None:
        super().__init__(f"{url}: {message}")
        self.url = url
        self.reason = reason
        self.transient = transient


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str  # after redirects
    content: bytes
    content_type: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One feed item: where the article is and what the feed says about it."""

    url: str
    title: str | None = None
    published: dt.date | None = None


@dataclass(frozen=True, slots=True)
class PollResult:
    """What one poll did, summed over its feeds."""

    feeds_ok: int = 0
    feeds_failed: int = 0
    new_items: int = 0
    stored: int = 0
    skipped: int = 0  # fetched, but the same article was already stored (e.g. under another URL)
    rejected: int = 0  # fetched but not storable: no text, not English, not HTML, ...
    retry_later: int = 0  # passing failures, left unseen
    errors: tuple[str, ...] = field(default=())


# -- guarded fetching ---------------------------------------------------------------


def check_url(url: str, policy: FetchPolicy) -> None:
    """Refuse non-HTTP(S) URLs and (unless allowed) hosts resolving to non-public addresses."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(url, "scheme", f"only http and https URLs are fetched, not {parts.scheme or 'a bare path'!r}")
    host = parts.hostname
    if not host:
        raise FetchError(url, "bad-url", "URL has no host")
    if policy.allow_private:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError) as exc:
        raise FetchError(url, "dns", f"cannot resolve {host}: {exc}", transient=True) from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global:
            # The check resolves the name itself; a name that re-resolves differently at
            # connect time (DNS rebinding) is not caught: run behind a firewall if that matters.
            raise FetchError(url, "private-address",
                             f"{host} resolves to {address}, a private/loopback/reserved address;"
                             " use --allow-private to fetch from such hosts")


def fetch(url: str, policy: FetchPolicy, client: httpx.Client) -> Fetched:
    """GET a URL within the policy, following redirects one checked hop at a time."""
    import httpx

    current = url
    for _ in range(policy.max_redirects + 1):
        check_url(current, policy)
        try:
            with client.stream("GET", current) as response:
                if response.is_redirect and "location" in response.headers:
                    current = urljoin(current, response.headers["location"])
                    continue
                if response.status_code >= 400:
                    raise FetchError(current, f"http-{response.status_code}",
                                     f"server answered {response.status_code}",
                                     transient=response.status_code in _TRANSIENT_STATUS)
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > policy.max_bytes:
                    raise _too_large(current, policy)
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > policy.max_bytes:
                        raise _too_large(current, policy)
                    chunks.append(chunk)
                content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
                return Fetched(str(response.url), b"".join(chunks), content_type)
        except httpx.TimeoutException as exc:
            raise FetchError(current, "timeout", f"timed out after {policy.timeout}s", transient=True) from exc
        except httpx.HTTPError as exc:
            raise FetchError(current, "network", f"{type(exc).__name__}: {exc}", transient=True) from exc
    raise FetchError(url, "redirects", f"more than {policy.max_redirects} redirects")


def _too_large(url: str, policy: FetchPolicy) -> FetchError:
    return FetchError(url, "too-large", f"larger than {policy.max_bytes} bytes")


def make_client(policy: FetchPolicy) -> httpx.Client:
    """An HTTP client that follows no redirects by itself and ignores proxy variables."""
    import httpx

    from dyads import __version__

    return httpx.Client(
        timeout=policy.timeout, follow_redirects=False, trust_env=False,
        headers={"User-Agent": f"dyads/{__version__} (feed watcher)"},
    )


# -- feeds and pages ----------------------------------------------------------------


def parse_feed(content: bytes, source: str) -> tuple[str | None, list[Entry]]:
    """The feed's title and its entries with a link (RSS 0.9x/1.0/2.0 and Atom, via feedparser)."""
    import feedparser

    parsed = feedparser.parse(content)
    if not parsed.entries and parsed.get("bozo"):
        problem = parsed.get("bozo_exception")
        raise FetchError(source, "bad-feed", f"not an RSS or Atom feed ({problem})")
    entries: list[Entry] = []
    for item in parsed.entries:
        link = item.get("link")
        if not link:
            continue
        stamp = item.get("published_parsed") or item.get("updated_parsed")
        published = dt.date(stamp.tm_year, stamp.tm_mon, stamp.tm_mday) if stamp else None
        entries.append(Entry(urldefrag(link.strip()).url, item.get("title"), published))
    return parsed.feed.get("title"), entries


def page_article(page: Fetched, entry: Entry, feed_title: str | None, default_date: dt.date | None) -> Article | Rejection:
    """The article in a fetched page: main text by trafilatura, cleaned as ingest cleans it."""
    import trafilatura

    from dyads.ingest.clean import clean_text
    from dyads.ingest.readers import article_id, non_english_reason, unusable_text

    origin = entry.url
    if page.content_type and page.content_type not in _PAGE_TYPES:
        return Rejection(origin, "read", "not-html", f"{origin}: content type {page.content_type} is not an HTML page")
    try:
        doc = trafilatura.bare_extraction(page.content, url=page.url, with_metadata=True,
                                          include_comments=False, include_tables=False)
    except Exception as exc:  # trafilatura raises assorted errors on malformed pages
        return Rejection(origin, "read", "no-text", f"{origin}: HTML could not be parsed ({type(exc).__name__})")
    raw = getattr(doc, "text", None) if doc is not None else None
    if raw and (problem := unusable_text(raw)) is not None:
        return Rejection(origin, "read", problem[0], f"{origin}: {problem[1]}")
    text = clean_text("\n\n".join((raw or "").split("\n")))  # trafilatura: one paragraph per line
    if not text:
        return Rejection(origin, "read", "no-text", f"{origin}: no article text found in the page")
    title = entry.title or getattr(doc, "title", None)
    if (why := non_english_reason(f"{title or ''}\n{text}")) is not None:
        return Rejection(origin, "read", "language", f"{origin}: text does not look like English ({why})")
    published = entry.published or _iso_date(getattr(doc, "date", None)) or default_date
    return Article(
        id=article_id(text, title), text=text, title=title, url=entry.url,
        source=feed_title or getattr(doc, "sitename", None), published=published, origin=origin,
    )


def _iso_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


# -- the watcher --------------------------------------------------------------------


class Watcher:
    """Polls feeds into one store; remembers fetched URLs in the store itself."""

    def __init__(
        self,
        store: Store,
        policy: FetchPolicy = FetchPolicy(),
        *,
        coder: Coder | None = None,
        default_date: dt.date | None = None,
        report: Callable[[str], None] = lambda msg: None,
    ) -> None:
        self.store = store
        self.policy = policy
        self._coder = coder
        self.default_date = default_date
        self.report = report

    @property
    def coder(self) -> Coder:
        if self._coder is None:
            from dyads.coder import Coder

            self._coder = Coder()
        return self._coder

    def run(self, feeds: Sequence[str], every_minutes: float, polls: int | None = None) -> None:
        """Poll every ``every_minutes`` (forever, or ``polls`` times)."""
        done = 0
        while polls is None or done < polls:
            started = time.monotonic()
            self.poll(feeds)
            done += 1
            if polls is not None and done >= polls:
                return
            time.sleep(max(0.0, every_minutes * 60 - (time.monotonic() - started)))

    def poll(self, feeds: Sequence[str]) -> PollResult:
        """Poll each feed once; a failing feed is reported and counted, never fatal."""
        total = PollResult()
        with make_client(self.policy) as client:
            for feed in feeds:
                result = self._poll_feed(feed, client)
                total = _sum(total, result)
        self.report(
            f"polled {len(feeds)} feed(s) ({total.feeds_failed} failed): {total.new_items} new item(s),"
            f" stored {total.stored}, already stored {total.skipped}, rejected {total.rejected},"
            f" retry later {total.retry_later}"
        )
        return total

    def _poll_feed(self, feed: str, client: httpx.Client) -> PollResult:
        try:
            content = self._read_feed(feed, client)
            title, entries = parse_feed(content, feed)
        except FetchError as err:
            self._feed_status(feed, None, str(err))
            self.report(f"feed {feed} failed, will retry next poll: {err}")
            return PollResult(feeds_failed=1, errors=(str(err),))
        self._feed_status(feed, title, None)
        fresh = self._unseen(list(dict.fromkeys(e.url for e in entries)))
        by_url = {e.url: e for e in entries}
        return _sum(PollResult(feeds_ok=1, new_items=len(fresh)),
                    self._take(feed, title, [by_url[u] for u in fresh], client))

    def _read_feed(self, feed: str, client: httpx.Client) -> bytes:
        """A feed's bytes: from a local file if ``feed`` is one, else over HTTP(S)."""
        path = Path(feed)
        if "://" not in feed and path.is_file():
            if path.stat().st_size > self.policy.max_bytes:
                raise _too_large(feed, self.policy)
            return path.read_bytes()
        return fetch(feed, self.policy, client).content

    def _take(self, feed: str, feed_title: str | None, entries: Sequence[Entry], client: httpx.Client) -> PollResult:
        """Fetch, extract, code and store new entries; mark each URL seen unless retryable."""
        articles: list[tuple[Entry, Article]] = []
        rejected: list[tuple[Entry, Rejection]] = []
        retry, errors = 0, []
        for entry in entries:
            try:
                page = fetch(entry.url, self.policy, client)
            except FetchError as err:
                if err.transient:
                    retry += 1
                    errors.append(str(err))
                    self.report(f"{entry.url}: {err.reason}, will retry next poll")
                else:
                    rejected.append((entry, Rejection(entry.url, "read", err.reason, str(err))))
                continue
            item = page_article(page, entry, feed_title, self.default_date)
            if isinstance(item, Rejection):
                rejected.append((entry, item))
            else:
                articles.append((entry, item))
        stored = skipped = 0
        coded_all = self.coder.code(a for _, a in articles) if articles else iter(())
        for (entry, article), coded in zip(articles, coded_all, strict=True):
            try:
                added = self.store.add(article, coded.events)
            except Exception as err:  # a StoreError: recorded as a rejection, the poll goes on
                rejected.append((entry, Rejection(entry.url, "store", getattr(err, "reason", "store-error"),
                                                  str(err), article.id)))
                continue
            if coded.rejections:
                self.store.add_rejections(coded.rejections)
            stored += added
            skipped += not added
            self._mark(entry.url, feed, article.id, "stored" if added else "duplicate", None)
        for entry, rej in rejected:
            self.report(f"{entry.url}: not stored: {rej.reason}: {rej.message}")
            self._mark(entry.url, feed, rej.article_id, "rejected", rej.reason)
        if rejected:
            self.store.add_rejections(r for _, r in rejected)
        return PollResult(stored=stored, skipped=skipped, rejected=len(rejected), retry_later=retry,
                          errors=tuple(errors))

    # -- the seen-URL tables (package-internal use of the store's connection) -------

    def _con(self) -> Any:
        return self.store._con  # noqa: SLF001 - feed tables live beside the store's own

    def _unseen(self, urls: list[str]) -> list[str]:
        if not urls:
            return []
        rows = self._con().execute(
            "SELECT url FROM feed_items WHERE url IN (SELECT unnest(?::VARCHAR[]))", [urls]
        ).fetchall()
        seen = {r[0] for r in rows}
        return [u for u in urls if u not in seen]

    def _mark(self, url: str, feed: str, article_id: str | None, status: str, reason: str | None) -> None:
        self._con().execute(
            "INSERT INTO feed_items VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [url, feed, article_id, status, reason, _now()],
        )

    def _feed_status(self, feed: str, title: str | None, error: str | None) -> None:
        now = _now()
        self._con().execute(
            "INSERT INTO feeds VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET"
            " title = coalesce(excluded.title, feeds.title), last_polled = excluded.last_polled,"
            " last_ok = coalesce(excluded.last_ok, feeds.last_ok),"
            " failures = CASE WHEN excluded.last_error IS NULL THEN 0 ELSE feeds.failures + 1 END,"
            " last_error = excluded.last_error",
            [feed, title, now, None if error else now, 0 if error is None else 1, error],
        )


def seen_urls(store: Store) -> dict[str, str]:
    """Every fetched item URL and its status (stored, duplicate, rejected)."""
    return dict(store._con.execute("SELECT url, status FROM feed_items ORDER BY url").fetchall())  # noqa: SLF001


def _sum(a: PollResult, b: PollResult) -> PollResult:
    return PollResult(
        a.feeds_ok + b.feeds_ok, a.feeds_failed + b.feeds_failed, a.new_items + b.new_items,
        a.stored + b.stored, a.skipped + b.skipped, a.rejected + b.rejected,
        a.retry_later + b.retry_later, a.errors + b.errors,
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
