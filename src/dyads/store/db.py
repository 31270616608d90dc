"""The DuckDB event store: articles, their coded event mentions, and rejections.

One ``Store`` is the one writer. Whole articles are written in one transaction, keys are
content-derived (article id, ``Event.id``), so re-ingesting is idempotent, and schema
changes are named migrations applied once at open.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb

from dyads.types import Article, Entity, Event, Rejection


class StoreError(Exception):
    """Something is wrong with the database or with what was asked of it."""

    reason = "store-error"  # the Rejection.reason used when an article is dropped for this


class StoreLockedError(StoreError):
    """Another process (or another connection here) holds the database."""

    reason = "locked"


class ArticleConflictError(StoreError):
    """An article id is already stored with different content."""

    reason = "id-conflict"


class InvalidEventsError(StoreError):
    """An article's events cannot be stored as given (wrong article id, repeated ids)."""

    reason = "bad-events"


class DuplicateMentionError(StoreError):
    """An event id is already stored under another article."""

    reason = "duplicate-mention"


@dataclass(frozen=True, slots=True)
class Migration:
    """One named schema change; applied once, in list order, recorded by name."""

    name: str
    sql: str


# Migrations are frozen history: never edit one that has shipped, append a new one.
# 0002 adds event clusters (dyads.dedup.cluster): a `clusters` summary table plus a
# mention -> cluster link table, without touching `mentions`' existing columns.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "0001_initial",
        """
        CREATE TABLE articles (
            id VARCHAR PRIMARY KEY,
            title VARCHAR,
            url VARCHAR,
            source VARCHAR,
            published DATE,
            origin VARCHAR,
            text VARCHAR NOT NULL,
            content_hash VARCHAR NOT NULL,
            ingested_at TIMESTAMP NOT NULL,
            n_events INTEGER NOT NULL
        );
        CREATE TABLE mentions (
            id VARCHAR PRIMARY KEY,
            article_id VARCHAR NOT NULL,
            date DATE,
            date_precision VARCHAR,
            date_text VARCHAR,
            event VARCHAR NOT NULL,
            mode VARCHAR,
            context VARCHAR[],
            cameo VARCHAR,
            quad_code TINYINT,
            event_scale DOUBLE,
            actor_code VARCHAR,
            actor_codes VARCHAR[],
            recipient_code VARCHAR,
            recipient_codes VARCHAR[],
            actor JSON,
            recipient JSON,
            event_loc JSON,
            country_code VARCHAR,
            lat DOUBLE,
            lon DOUBLE,
            event_text VARCHAR,
            text VARCHAR,
            sentence INTEGER,
            "start" INTEGER,
            "end" INTEGER,
            negated BOOLEAN,
            future BOOLEAN,
            hypothetical BOOLEAN,
            historical BOOLEAN,
            attribution JSON,
            confidence DOUBLE,
            coder VARCHAR,
            rule VARCHAR,
            record JSON NOT NULL
        );
        CREATE INDEX mentions_article_id ON mentions (article_id);
        CREATE INDEX mentions_date ON mentions (date);
        CREATE INDEX mentions_actor_code ON mentions (actor_code);
        CREATE INDEX mentions_recipient_code ON mentions (recipient_code);
        CREATE INDEX mentions_event ON mentions (event);
        CREATE TABLE rejections (
            id VARCHAR PRIMARY KEY,
            origin VARCHAR,
            stage VARCHAR NOT NULL,
            reason VARCHAR NOT NULL,
            message VARCHAR,
            article_id VARCHAR,
            "at" TIMESTAMP NOT NULL
        );
        """,
    ),
    Migration(
        "0002_clusters",
        """
        CREATE TABLE mention_clusters (
            mention_id VARCHAR PRIMARY KEY,
            block VARCHAR NOT NULL,
            lo DATE,
            hi DATE,
            cluster_id VARCHAR
        );
        CREATE INDEX mention_clusters_block ON mention_clusters (block);
        CREATE INDEX mention_clusters_cluster ON mention_clusters (cluster_id);
        CREATE TABLE clusters (
            id VARCHAR PRIMARY KEY,
            best_mention_id VARCHAR NOT NULL,
            event VARCHAR NOT NULL,
            date DATE,
            date_precision VARCHAR,
            quad_code TINYINT,
            event_scale DOUBLE,
            actor_code VARCHAR,
            actor_codes VARCHAR[],
            recipient_code VARCHAR,
            recipient_codes VARCHAR[],
            country_code VARCHAR,
            n_mentions INTEGER NOT NULL,
            n_articles INTEGER NOT NULL,
            n_sources INTEGER NOT NULL,
            first_reported DATE,
            last_reported DATE
        );
        CREATE INDEX clusters_date ON clusters (date);
        """,
    ),
    # 0003 (dyads.feeds, `dyads watch`): feeds polled and item URLs already fetched, so a
    # URL is fetched once; a feed's failures are counted, not fatal.
    Migration(
        "0003_feeds",
        """
        CREATE TABLE feeds (
            url VARCHAR PRIMARY KEY,
            title VARCHAR,
            last_polled TIMESTAMP,
            last_ok TIMESTAMP,
            failures INTEGER NOT NULL DEFAULT 0,
            last_error VARCHAR
        );
        CREATE TABLE feed_items (
            url VARCHAR PRIMARY KEY,
            feed VARCHAR,
            article_id VARCHAR,
            status VARCHAR NOT NULL,
            reason VARCHAR,
            fetched_at TIMESTAMP NOT NULL
        );
        """,
    ),
)

# Column name and DuckDB type of each inserted row, in row order. Rows go in as one
# list per column (`SELECT unnest(?::T[]), ...`): DuckDB's executemany binds row by row
# and stores ~2k rows/s, column lists store ~100k rows/s.
_ARTICLE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "VARCHAR"), ("title", "VARCHAR"), ("url", "VARCHAR"), ("source", "VARCHAR"),
    ("published", "DATE"), ("origin", "VARCHAR"), ("text", "VARCHAR"),
    ("content_hash", "VARCHAR"), ("ingested_at", "TIMESTAMP"), ("n_events", "INTEGER"),
)
_MENTION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "VARCHAR"), ("article_id", "VARCHAR"), ("date", "DATE"),
    ("date_precision", "VARCHAR"), ("date_text", "VARCHAR"), ("event", "VARCHAR"),
    ("mode", "VARCHAR"), ("context", "VARCHAR[]"), ("cameo", "VARCHAR"),
    ("quad_code", "TINYINT"), ("event_scale", "DOUBLE"), ("actor_code", "VARCHAR"),
    ("actor_codes", "VARCHAR[]"), ("recipient_code", "VARCHAR"),
    ("recipient_codes", "VARCHAR[]"), ("actor", "JSON"), ("recipient", "JSON"),
    ("event_loc", "JSON"), ("country_code", "VARCHAR"), ("lat", "DOUBLE"),
    ("lon", "DOUBLE"), ("event_text", "VARCHAR"), ("text", "VARCHAR"),
    ("sentence", "INTEGER"), ("start", "INTEGER"), ("end", "INTEGER"),
    ("negated", "BOOLEAN"), ("future", "BOOLEAN"), ("hypothetical", "BOOLEAN"),
    ("historical", "BOOLEAN"), ("attribution", "JSON"), ("confidence", "DOUBLE"),
    ("coder", "VARCHAR"), ("rule", "VARCHAR"), ("record", "JSON"),
)
_REJECTION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "VARCHAR"), ("origin", "VARCHAR"), ("stage", "VARCHAR"), ("reason", "VARCHAR"),
    ("message", "VARCHAR"), ("article_id", "VARCHAR"), ("at", "TIMESTAMP"),
)


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What ``Store.add_many`` did: articles newly stored, already present, rejected."""

    added: int = 0
    skipped: int = 0
    rejected: int = 0

    def __add__(self, other: BatchResult) -> BatchResult:
        return BatchResult(
            self.added + other.added, self.skipped + other.skipped,
            self.rejected + other.rejected,
        )


Item = tuple[Article, Sequence[Event]]


class Store:
    """The dyads database: one connection, whole-article writes, parameterised reads."""

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._con = _connect(self.path, read_only)
        try:
            if read_only:
                _check_migrated(self._con, self.path)
            else:
                _migrate(self._con, self.path)
                self._cluster_unclustered()
        except BaseException:
            self._con.close()
            raise

    # -- lifecycle ---------------------------------------------------------------

    def close(self) -> None:
        """Close the connection, releasing the file lock for other processes."""
        self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def migrations(self) -> list[str]:
        """Names of the migrations applied to this database, in order."""
        rows = self._con.execute(
            "SELECT name FROM schema_migrations ORDER BY name"
        ).fetchall()
        return [r[0] for r in rows]

    # -- writes ------------------------------------------------------------------

    def add(self, article: Article, events: Sequence[Event]) -> bool:
        """Store one article and all its events atomically; False if already stored.

        Raises ``ArticleConflictError`` if the id is stored with other content,
        ``InvalidEventsError``/``DuplicateMentionError`` if the events cannot be stored.
        """
        self._check_writable()
        events = tuple(events)
        _validate(article, events)
        try:
            with self._transaction():
                stored = self._stored_hashes([article.id])
                if article.id in stored:
                    _check_same_content(article, stored[article.id])
                    return False
                taken = self._stored_mention_ids([e.id for e in events])
                if taken:
                    raise DuplicateMentionError(_duplicate_message(article, taken))
                self._insert_articles([(article, events)])
                self._insert_mentions(events)
        except duckdb.Error as err:
            raise StoreError(f"could not store article {article.id}: {err}") from err
        return True

    def add_many(self, items: Iterable[Item], batch_size: int = 200) -> BatchResult:
        """Store many articles, ``batch_size`` whole articles per transaction.

        An article that cannot be stored becomes a stored ``Rejection`` (stage "store")
        instead of failing its batch; one bad article never kills a run.
        """
        self._check_writable()
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        total = BatchResult()
        batch: list[tuple[Article, tuple[Event, ...]]] = []
        for article, events in items:
            batch.append((article, tuple(events)))
            if len(batch) >= batch_size:
                total += self._add_batch(batch)
                batch = []
        if batch:
            total += self._add_batch(batch)
        return total

    def add_rejection(self, rej: Rejection) -> bool:
        """Store one rejection; False if this exact rejection is already stored."""
        return self.add_rejections([rej]) == 1

    def add_rejections(self, rejs: Iterable[Rejection]) -> int:
        """Store rejections (deduplicated by content); returns how many were new."""
        self._check_writable()
        rejs = list(rejs)
        with self._transaction():
            before = self._count("rejections")
            self._insert_rejections(rejs)
            return self._count("rejections") - before

    # -- reads -------------------------------------------------------------------

    def events(
        self,
        actor: str | None = None,
        recipient: str | None = None,
        event: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        limit: int | None = None,
        offset: int = 0,
        unit: str = "mention",
    ) -> list[dict[str, Any]]:
        """Stored event records (as coded), filtered, ordered by date then id.

        ``actor``/``recipient`` match an ISO3 or PLOVER code at any position of the
        actor/recipient list; ``event`` is a PLOVER type, any case; ``since``/``until``
        are inclusive. Undated events sort last. ``unit="event"`` lists each event
        cluster once (its best mention's record plus cluster fields, see
        ``dyads.store.queries.events``).
        """
        from dyads.store import queries

        filters = queries.Filters(actor, recipient, event, since, until)
        try:
            return queries.events(self, filters, unit=unit, limit=limit, offset=offset)
        except queries.QueryError as err:
            raise ValueError(str(err)) from err

    def counts(self) -> dict[str, int]:
        """Row counts of articles, mentions and rejections."""
        return {t: self._count(t) for t in ("articles", "mentions", "rejections")}

    def rejections(self) -> list[dict[str, Any]]:
        """All stored rejections, oldest first."""
        cur = self._con.execute(
            'SELECT origin, stage, reason, message, article_id, "at"'
            ' FROM rejections ORDER BY "at", id'
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    # -- internals ---------------------------------------------------------------

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(
                f"database {self.path} is open read-only; open it without read_only to write"
            )

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """BEGIN ... COMMIT, or ROLLBACK on any error so nothing half-written remains."""
        self._con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self._con.execute("ROLLBACK")
            raise
        self._con.execute("COMMIT")

    def _count(self, table: str) -> int:
        # `table` is one of our own table names, never user input.
        row = self._con.execute(f"SELECT count(*) FROM {table}").fetchone()
        return int(row[0]) if row else 0

    def _stored_hashes(self, ids: Sequence[str]) -> dict[str, str]:
        """Content hash of each of ``ids`` already stored."""
        rows = self._con.execute(
            "SELECT id, content_hash FROM articles"
            " WHERE id IN (SELECT unnest(?::VARCHAR[]))",
            [list(ids)],
        ).fetchall()
        return dict(rows)

    def _stored_mention_ids(self, ids: Sequence[str]) -> set[str]:
        """Those of ``ids`` already stored as mentions."""
        rows = self._con.execute(
            "SELECT id FROM mentions WHERE id IN (SELECT unnest(?::VARCHAR[]))",
            [list(ids)],
        ).fetchall()
        return {r[0] for r in rows}

    def _insert_articles(self, items: Sequence[tuple[Article, Sequence[Event]]]) -> None:
        now = _utcnow()
        _insert_columns(
            self._con, "articles", _ARTICLE_COLUMNS,
            [_article_row(a, len(evs), now) for a, evs in items],
        )

    def _insert_mentions(self, events: Sequence[Event]) -> None:
        _insert_columns(self._con, "mentions", _MENTION_COLUMNS, [_mention_row(e) for e in events])
        # Clusters are updated in the caller's transaction, so an article and its
        # clusters are written together or not at all.
        from dyads.dedup.cluster import update

        update(self._con, [e.id for e in events])

    def _cluster_unclustered(self) -> None:
        """Cluster mentions stored before clustering existed (once, after migration 0002)."""
        from dyads.dedup.cluster import rebuild

        with self._transaction():
            rebuild(self._con)

    def _insert_rejections(self, rejs: Sequence[Rejection]) -> None:
        now = _utcnow()
        _insert_columns(
            self._con, "rejections", _REJECTION_COLUMNS,
            [_rejection_row(r, now) for r in rejs], on_conflict="ON CONFLICT DO NOTHING",
        )

    def _add_batch(self, batch: Sequence[tuple[Article, tuple[Event, ...]]]) -> BatchResult:
        """Store a batch in one transaction; on a database error, retry article by article."""
        try:
            with self._transaction():
                return self._write_batch(batch)
        except duckdb.Error:
            # Something our checks did not foresee: find the culprit one article at a time.
            return self._add_one_by_one(batch)

    def _write_batch(self, batch: Sequence[tuple[Article, tuple[Event, ...]]]) -> BatchResult:
        """Check a batch against itself and the database, then insert what passes."""
        stored = self._stored_hashes([a.id for a, _ in batch])
        taken = self._stored_mention_ids([e.id for _, evs in batch for e in evs])
        seen: dict[str, str] = {}  # article id -> content hash, within this batch
        keep: list[tuple[Article, tuple[Event, ...]]] = []
        rejected: list[Rejection] = []
        skipped = 0
        for article, events in batch:
            try:
                _validate(article, events)
                previous = stored.get(article.id, seen.get(article.id))
                if previous is not None:
                    _check_same_content(article, previous)
                    skipped += 1
                    continue
                clash = taken.intersection(e.id for e in events)
                if clash:
                    raise DuplicateMentionError(_duplicate_message(article, clash))
            except StoreError as err:
                rejected.append(_store_rejection(article, err))
                continue
            seen[article.id] = content_hash(article)
            taken.update(e.id for e in events)
            keep.append((article, events))
        self._insert_articles(keep)
        self._insert_mentions([e for _, evs in keep for e in evs])
        self._insert_rejections(rejected)
        return BatchResult(len(keep), skipped, len(rejected))

    def _add_one_by_one(self, batch: Sequence[tuple[Article, tuple[Event, ...]]]) -> BatchResult:
        """Fallback after a failed batch: each article in its own transaction."""
        result = BatchResult()
        rejected: list[Rejection] = []
        for article, events in batch:
            try:
                added = self.add(article, events)
            except StoreError as err:
                rejected.append(_store_rejection(article, err))
                result += BatchResult(rejected=1)
            else:
                result += BatchResult(added=1) if added else BatchResult(skipped=1)
        if rejected:
            self.add_rejections(rejected)
        return result


# -- opening and migrating -------------------------------------------------------


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """Open the file, turning DuckDB's errors into ones that say what to do."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.ConnectionException as err:
        # DuckDB allows one configuration per file per process.
        raise StoreLockedError(
            f"database {path} is already open in this process in another mode;"
            " close that Store first or reuse it"
        ) from err
    except duckdb.Error as err:
        msg = str(err)
        if "lock" in msg.lower():
            raise StoreLockedError(
                f"database {path} is in use by another dyads process;"
                " wait for it to finish or use another --db"
            ) from err
        if "not a valid DuckDB database" in msg:
            raise StoreError(
                f"{path} is not a DuckDB database; give the path of a dyads database"
                " or of a file that does not exist yet"
            ) from err
        if "does not exist" in msg:
            raise StoreError(
                f"no database at {path}; code some articles into it first"
            ) from err
        raise StoreError(f"cannot open database {path}: {msg}") from err


def _migrate(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Apply, once each and in order, the migrations this database lacks."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations"
        " (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP NOT NULL)"
    )
    applied = _applied(con, path)
    for migration in MIGRATIONS:
        if migration.name in applied:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(migration.sql)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?)", [migration.name, _utcnow()]
            )
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")


def _check_migrated(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """A read-only store cannot migrate, so its schema must already be current."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchone()
    missing = [m.name for m in MIGRATIONS]
    if exists and exists[0]:
        applied = _applied(con, path)
        missing = [name for name in missing if name not in applied]
    if missing:
        raise StoreError(
            f"database {path} needs schema migrations {', '.join(missing)};"
            " open it once for writing (e.g. by coding into it) to apply them"
        )


def _applied(con: duckdb.DuckDBPyConnection, path: Path) -> set[str]:
    """Names of applied migrations; refuses a database written by a newer dyads."""
    applied = {r[0] for r in con.execute("SELECT name FROM schema_migrations").fetchall()}
    unknown = sorted(applied - {m.name for m in MIGRATIONS})
    if unknown:
        raise StoreError(
            f"database {path} was written by a newer dyads (migrations {', '.join(unknown)});"
            " upgrade dyads to read it"
        )
    return applied


# -- rows ------------------------------------------------------------------------


def _insert_columns(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[tuple[Any, ...]],
    on_conflict: str = "",
) -> None:
    """Insert rows as one list parameter per column, unnested side by side."""
    if not rows:
        return
    names = ", ".join(f'"{name}"' for name, _ in columns)
    values = ", ".join(f"unnest(?::{sql_type}[])" for _, sql_type in columns)
    sql = f"INSERT INTO {table} ({names}) SELECT {values} {on_conflict}"
    con.execute(sql, [list(col) for col in zip(*rows, strict=True)])


def content_hash(article: Article) -> str:
    """Hash of the article text, the thing every event and offset derives from."""
    return hashlib.sha256(article.text.encode("utf-8")).hexdigest()


def _article_row(article: Article, n_events: int, now: dt.datetime) -> tuple[Any, ...]:
    return (
        article.id, article.title, article.url, article.source, article.published,
        article.origin, article.text, content_hash(article), now, n_events,
    )


def _codes(entities: Sequence[Entity]) -> list[str]:
    """Distinct non-null codes in list order, for any-position filtering."""
    return list(dict.fromkeys(e.code for e in entities if e.code))


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _mention_row(event: Event) -> tuple[Any, ...]:
    record = event.to_dict()
    actor_codes = _codes(event.actor)
    recipient_codes = _codes(event.recipient)
    loc = event.event_loc
    return (
        event.id, event.article_id, event.date, event.date_precision, event.date_text,
        event.event, event.mode, list(event.context), event.cameo, event.quad_code,
        float(event.event_scale),
        actor_codes[0] if actor_codes else None, actor_codes,
        recipient_codes[0] if recipient_codes else None, recipient_codes,
        _json(record["actor"]), _json(record["recipient"]), _json(record["event_loc"]),
        loc.country_code if loc else None,
        loc.lat if loc else None,
        loc.lon if loc else None,
        event.event_text, event.text,
        event.text_info.sentence, event.text_info.start, event.text_info.end,
        event.modality.negated, event.modality.future, event.modality.hypothetical,
        event.modality.historical,
        _json(record["attribution"]), float(event.confidence), event.coder, event.rule,
        json.dumps(record, ensure_ascii=False),
    )


def _rejection_id(rej: Rejection) -> str:
    """Content-derived key, so re-running the same input does not repeat rejections."""
    fields = [rej.origin, rej.stage, rej.reason, rej.message, rej.article_id]
    return hashlib.sha256(json.dumps(fields).encode("utf-8")).hexdigest()[:32]


def _rejection_row(rej: Rejection, now: dt.datetime) -> tuple[Any, ...]:
    return (
        _rejection_id(rej), rej.origin, rej.stage, rej.reason, rej.message,
        rej.article_id, now,
    )


def _store_rejection(article: Article, err: StoreError) -> Rejection:
    return Rejection(
        origin=article.origin, stage="store", reason=err.reason, message=str(err),
        article_id=article.id,
    )


# -- checks ----------------------------------------------------------------------


def _validate(article: Article, events: Sequence[Event]) -> None:
    """Events must belong to their article and have distinct ids."""
    strays = sorted({e.article_id for e in events if e.article_id != article.id})
    if strays:
        raise InvalidEventsError(
            f"article {article.id} was given events of other articles ({', '.join(strays)});"
            " every event's article_id must be its article's id"
        )
    repeated = sorted(i for i, n in Counter(e.id for e in events).items() if n > 1)
    if repeated:
        raise InvalidEventsError(
            f"article {article.id} has several events with the same id ({', '.join(repeated)});"
            " event ids must be distinct"
        )


def _check_same_content(article: Article, stored_hash: str) -> None:
    """Same id and same text: a harmless re-ingest. Same id, other text: a conflict."""
    if stored_hash != content_hash(article):
        raise ArticleConflictError(
            f"article {article.id} is already stored with different text;"
            " article ids must be derived from content (or be unique per article)"
        )


def _duplicate_message(article: Article, ids: Iterable[str]) -> str:
    return (
        f"article {article.id} has events already stored under another article"
        f" ({', '.join(sorted(ids))}); event ids must include the article id"
    )


def _utcnow() -> dt.datetime:
    """Naive UTC timestamp: DuckDB TIMESTAMP has no zone, so the zone is fixed here."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
