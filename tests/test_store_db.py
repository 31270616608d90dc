"""Tests of the DuckDB event store on real database files."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from dyads.store.db import (
    _ARTICLE_COLUMNS,
    _MENTION_COLUMNS,
    _REJECTION_COLUMNS,
    MIGRATIONS,
    ArticleConflictError,
    BatchResult,
    DuplicateMentionError,
    InvalidEventsError,
    Store,
    StoreError,
    StoreLockedError,
)
from dyads.types import Article, Entity, Event, Location, Modality, Rejection, TextInfo


def make_article(key: str = "a1", text: str | None = None) -> Article:
    """An article whose id is derived from ``key``."""
    return Article(
        id=f"art-{key}",
        text=text if text is not None else f"Text of article {key}. Iraq met Iran.",
        title=f"Title {key}",
        url=f"https://example.org/{key}",
        source="example",
        published=dt.date(2020, 10, 18),
        origin=f"input.jsonl:{key}",
    )


def entity(code: str | None, text: str = "someone") -> Entity:
    return Entity(entity_text=text, code=code, sector="GOV", name=text)


def make_event(
    article_id: str = "art-a1",
    n: int = 0,
    *,
    event: str = "CONSULT",
    date: dt.date | None = dt.date(2020, 10, 17),
    actors: tuple[str | None, ...] = ("IRQ",),
    recipients: tuple[str | None, ...] = ("IRN",),
    event_id: str | None = None,
) -> Event:
    """A hand-built event mention, the n-th of its article."""
    eid = event_id or hashlib.sha256(f"{article_id}/{n}/{event}".encode()).hexdigest()[:20]
    return Event(
        id=eid,
        article_id=article_id,
        date=date,
        date_precision="day" if date else None,
        date_text="On Saturday" if date else None,
        event=event,
        mode="visit",
        context=("diplomatic",),
        cameo="042",
        quad_code=1,
        event_scale=4.0,
        actor=tuple(entity(c, f"actor {c}") for c in actors),
        recipient=tuple(entity(c, f"recipient {c}") for c in recipients),
        event_loc=Location(
            extracted_place="Tehran", resolved_place="Tehran", geonameid=112931,
            lat=35.69, lon=51.42, country_code="IRN", feature="city",
        ),
        event_text="met with",
        text="On Saturday, Hussein met with Rouhani.",
        text_info=TextInfo(sentence=n, start=10 * n, end=10 * n + 9),
        modality=Modality(negated=n % 2 == 1),
        attribution=entity("IRQ", "Hussein") if n % 3 == 0 else None,
        confidence=0.82,
        coder="dyads test rules.v0",
        rule="consult.met_with",
        trigger_start=3,
        trigger_end=11,
    )


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "dyads.duckdb"


@pytest.fixture
def store(db_path: Path):
    with Store(db_path) as s:
        yield s


def add_article(store: Store, key: str, *event_kwargs: dict) -> list[Event]:
    """Store article ``key`` with one event per kwargs dict; return the events."""
    article = make_article(key)
    events = [make_event(article.id, i, **kw) for i, kw in enumerate(event_kwargs)]
    assert store.add(article, events)
    return events


# -- migrations ------------------------------------------------------------------


def test_store_db_migrations_applied_on_open(store: Store) -> None:
    assert store.migrations() == [m.name for m in MIGRATIONS]
    assert store.migrations()[0] == "0001_initial"


def test_store_db_migrations_not_reapplied_on_reopen(db_path: Path) -> None:
    with Store(db_path) as s:
        add_article(s, "a1", {})
    con = duckdb.connect(str(db_path))
    first = con.execute("SELECT name, applied_at FROM schema_migrations").fetchall()
    con.close()
    with Store(db_path) as s:
        assert s.counts()["mentions"] == 1
    con = duckdb.connect(str(db_path))
    assert con.execute("SELECT name, applied_at FROM schema_migrations").fetchall() == first
    con.close()


def test_store_db_refuses_newer_database(db_path: Path) -> None:
    Store(db_path).close()
    con = duckdb.connect(str(db_path))
    con.execute("INSERT INTO schema_migrations VALUES ('9999_future', now()::TIMESTAMP)")
    con.close()
    with pytest.raises(StoreError, match="newer dyads"):
        Store(db_path)


@pytest.mark.parametrize(
    ("table", "columns"),
    [("articles", _ARTICLE_COLUMNS), ("mentions", _MENTION_COLUMNS),
     ("rejections", _REJECTION_COLUMNS)],
)
def test_store_db_insert_columns_match_schema(
    store: Store, table: str, columns: tuple[tuple[str, str], ...]
) -> None:
    # inserts cast each column to the listed type: a mismatch would convert silently
    described = store._con.execute(f"DESCRIBE {table}").fetchall()
    assert [(row[0], row[1]) for row in described] == list(columns)


# -- writes and read-back ----------------------------------------------------------


def test_store_db_read_back_equals_to_dict(store: Store) -> None:
    article = make_article("a1")
    events = [make_event(article.id, i) for i in range(4)]
    assert store.add(article, events) is True
    got = store.events()
    assert got == sorted((e.to_dict() for e in events), key=lambda r: r["id"])


def test_store_db_read_back_after_reopen(db_path: Path) -> None:
    with Store(db_path) as s:
        events = add_article(s, "a1", {}, {"actors": ("IRQ", None, "USA")})
    with Store(db_path, read_only=True) as s:
        assert {r["id"]: r for r in s.events()} == {e.id: e.to_dict() for e in events}


def test_store_db_columns_filled_from_event(store: Store) -> None:
    (event,) = add_article(store, "a1", {"actors": (None, "IRQ", "USA", "IRQ")})
    row = store._con.execute(
        "SELECT actor_code, actor_codes, recipient_code, country_code, lat, negated,"
        ' "start", "end", n_events FROM mentions JOIN articles ON articles.id = article_id'
    ).fetchone()
    assert row == ("IRQ", ["IRQ", "USA"], "IRN", "IRN", 35.69, False, 0, 9, 1)
    assert event.to_dict()["actor"][0]["code"] is None


def test_store_db_readd_same_article_changes_nothing(store: Store) -> None:
    article = make_article("a1")
    events = [make_event(article.id, i) for i in range(3)]
    assert store.add(article, events) is True
    before = (store.counts(), store.events())
    assert store.add(article, events) is False
    assert (store.counts(), store.events()) == before


def test_store_db_readd_with_other_text_raises_conflict(store: Store) -> None:
    add_article(store, "a1", {})
    with pytest.raises(ArticleConflictError, match="art-a1"):
        store.add(make_article("a1", text="Completely different text."), [])


def test_store_db_counts(store: Store) -> None:
    add_article(store, "a1", {}, {})
    add_article(store, "a2", {})
    store.add(make_article("a3"), [])
    store.add_rejection(Rejection("x.txt", "read", "empty", "file is empty"))
    assert store.counts() == {"articles": 3, "mentions": 3, "rejections": 1}


# -- atomicity -------------------------------------------------------------------


def test_store_db_failed_insert_leaves_no_rows_of_article(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = make_article("a1")
    events = [make_event(article.id, i) for i in range(3)]
    real = Store._insert_mentions

    def insert_first_then_fail(self: Store, evs) -> None:
        real(self, evs[:1])
        assert self._con.execute("SELECT count(*) FROM mentions").fetchone() == (1,)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Store, "_insert_mentions", insert_first_then_fail)
    with pytest.raises(RuntimeError, match="disk on fire"):
        store.add(article, events)
    assert store.counts() == {"articles": 0, "mentions": 0, "rejections": 0}


def test_store_db_duplicate_event_id_in_article_rejected_whole(store: Store) -> None:
    article = make_article("a1")
    events = [make_event(article.id, 0), make_event(article.id, 1, event_id="same"),
              make_event(article.id, 2, event_id="same")]
    with pytest.raises(InvalidEventsError, match="same"):
        store.add(article, events)
    assert store.counts()["articles"] == 0


def test_store_db_event_of_other_article_rejected(store: Store) -> None:
    with pytest.raises(InvalidEventsError, match="art-zz"):
        store.add(make_article("a1"), [make_event("art-zz", 0)])
    assert store.counts()["mentions"] == 0


def test_store_db_database_error_mid_article_rolls_back(store: Store) -> None:
    # an event id stored by another article: the insert is refused by the database
    (first,) = add_article(store, "a1", {})
    article = make_article("a2")
    events = [make_event(article.id, 0), make_event(article.id, 1, event_id=first.id)]
    with pytest.raises(DuplicateMentionError):
        store.add(article, events)
    assert store.counts() == {"articles": 1, "mentions": 1, "rejections": 0}


def test_store_db_constraint_error_mid_article_rolls_back(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # with the pre-check blinded, the database itself refuses the second event's id
    (first,) = add_article(store, "a1", {})
    monkeypatch.setattr(Store, "_stored_mention_ids", lambda self, ids: set())
    article = make_article("a2")
    events = [make_event(article.id, 0), make_event(article.id, 1, event_id=first.id)]
    with pytest.raises(StoreError, match="could not store article art-a2"):
        store.add(article, events)
    assert store.counts() == {"articles": 1, "mentions": 1, "rejections": 0}
    assert store.add(article, events[:1]) is True  # the connection is usable again


# -- add_many --------------------------------------------------------------------


def test_store_db_add_many_stores_all(store: Store) -> None:
    items = [(make_article(f"b{i}"), [make_event(f"art-b{i}", j) for j in range(2)])
             for i in range(7)]
    assert store.add_many(items, batch_size=3) == BatchResult(added=7)
    assert store.counts() == {"articles": 7, "mentions": 14, "rejections": 0}
    assert store.add_many(items, batch_size=3) == BatchResult(skipped=7)
    assert store.counts() == {"articles": 7, "mentions": 14, "rejections": 0}


def test_store_db_add_many_same_article_twice_in_batch(store: Store) -> None:
    item = (make_article("a1"), [make_event("art-a1", 0)])
    assert store.add_many([item, item]) == BatchResult(added=1, skipped=1)
    assert store.counts()["mentions"] == 1


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ((make_article("a1", text="other text"), []), "id-conflict"),
        ((make_article("x"), [make_event("art-x", 0, event_id="e-a1")]), "duplicate-mention"),
        ((make_article("y"), [make_event("art-q", 0)]), "bad-events"),
    ],
    ids=["id-conflict", "duplicate-mention", "bad-events"],
)
def test_store_db_add_many_bad_article_becomes_rejection(
    store: Store, bad: tuple[Article, list[Event]], reason: str
) -> None:
    store.add(make_article("a1"), [make_event("art-a1", 0, event_id="e-a1")])
    good = [(make_article(f"g{i}"), [make_event(f"art-g{i}", 0)]) for i in range(3)]
    result = store.add_many([good[0], bad, good[1], good[2]])
    assert result == BatchResult(added=3, rejected=1)
    (rej,) = store.rejections()
    assert (rej["stage"], rej["reason"], rej["article_id"]) == ("store", reason, bad[0].id)
    assert store.counts()["articles"] == 4


def test_store_db_add_many_unforeseen_error_falls_back_per_article(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Store._insert_mentions

    def fail_on_poison(self: Store, evs) -> None:
        if any(e.event == "POISON" for e in evs):
            raise duckdb.ConstraintException("simulated constraint failure")
        real(self, evs)

    monkeypatch.setattr(Store, "_insert_mentions", fail_on_poison)
    items = [(make_article(f"g{i}"), [make_event(f"art-g{i}", 0)]) for i in range(4)]
    items.insert(2, (make_article("p"), [make_event("art-p", 0, event="POISON")]))
    assert store.add_many(items) == BatchResult(added=4, rejected=1)
    assert store.counts() == {"articles": 4, "mentions": 4, "rejections": 1}
    assert store.rejections()[0]["article_id"] == "art-p"


def test_store_db_add_many_throughput_smoke(store: Store) -> None:
    items = (
        (make_article(f"t{i}"), [make_event(f"art-t{i}", j) for j in range(5)])
        for i in range(2000)
    )
    assert store.add_many(items) == BatchResult(added=2000)
    assert store.counts() == {"articles": 2000, "mentions": 10000, "rejections": 0}
    assert len(store.events(limit=10, offset=9990)) == 10


# -- rejections ------------------------------------------------------------------


def test_store_db_rejection_round_trip(store: Store) -> None:
    rej = Rejection("in.jsonl:4", "parse", "bad-json", "line 4 is not JSON", "art-9")
    assert store.add_rejection(rej) is True
    (got,) = store.rejections()
    assert isinstance(got.pop("at"), dt.datetime)
    assert got == {"origin": "in.jsonl:4", "stage": "parse", "reason": "bad-json",
                   "message": "line 4 is not JSON", "article_id": "art-9"}


def test_store_db_same_rejection_stored_once(store: Store) -> None:
    rej = Rejection("in.jsonl:4", "parse", "bad-json", "line 4 is not JSON")
    assert store.add_rejection(rej) is True
    assert store.add_rejection(rej) is False
    assert store.counts()["rejections"] == 1


# -- filters ---------------------------------------------------------------------


@pytest.fixture
def filled(store: Store) -> dict[str, Event]:
    """Five events with distinct actors, recipients, types and dates, keyed by name."""
    specs = {
        "irq_irn": dict(actors=("IRQ",), recipients=("IRN",), event="CONSULT",
                        date=dt.date(2020, 1, 1)),
        "usa_irq": dict(actors=("USA", "GBR"), recipients=("IRQ",), event="ASSAULT",
                        date=dt.date(2020, 2, 1)),
        "gbr_fra": dict(actors=("FRA", "GBR"), recipients=("DEU", "IRQ"), event="AGREE",
                        date=dt.date(2020, 3, 1)),
        "irn_usa": dict(actors=("IRN",), recipients=("USA",), event="ACCUSE",
                        date=dt.date(2020, 3, 15)),
        "undated": dict(actors=("IRQ",), recipients=(), event="PROTEST", date=None),
    }
    out = {}
    for i, (name, kw) in enumerate(specs.items()):
        article = make_article(name)
        event = make_event(article.id, i, **kw)
        store.add(article, [event])
        out[name] = event
    return out


def names(filled: dict[str, Event], records: list[dict]) -> list[str]:
    by_id = {e.id: name for name, e in filled.items()}
    return [by_id[r["id"]] for r in records]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["irq_irn", "usa_irq", "gbr_fra", "irn_usa", "undated"]),
        ({"actor": "IRQ"}, ["irq_irn", "undated"]),
        ({"actor": "GBR"}, ["usa_irq", "gbr_fra"]),  # second position counts too
        ({"actor": "irq"}, ["irq_irn", "undated"]),
        ({"recipient": "IRQ"}, ["usa_irq", "gbr_fra"]),
        ({"recipient": "USA"}, ["irn_usa"]),
        ({"actor": "USA", "recipient": "IRQ"}, ["usa_irq"]),
        ({"event": "assault"}, ["usa_irq"]),
        ({"event": "AGREE"}, ["gbr_fra"]),
        ({"since": dt.date(2020, 2, 1)}, ["usa_irq", "gbr_fra", "irn_usa"]),
        ({"until": dt.date(2020, 3, 1)}, ["irq_irn", "usa_irq", "gbr_fra"]),
        ({"since": dt.date(2020, 2, 1), "until": dt.date(2020, 3, 1)}, ["usa_irq", "gbr_fra"]),
        ({"limit": 2}, ["irq_irn", "usa_irq"]),
        ({"limit": 2, "offset": 2}, ["gbr_fra", "irn_usa"]),
        ({"offset": 4}, ["undated"]),
        ({"limit": 0}, []),
        ({"actor": "CHN"}, []),
    ],
    ids=lambda v: repr(v) if isinstance(v, dict) else None,
)
def test_store_db_events_filter(
    store: Store, filled: dict[str, Event], query: dict, expected: list[str]
) -> None:
    assert names(filled, store.events(**query)) == expected


@pytest.mark.parametrize("field", ["actor", "recipient", "event"])
@pytest.mark.parametrize(
    "value", ["IRQ' OR 1=1 --", "'; DROP TABLE mentions; --", "IRQ\") OR (\"1\"=\"1"]
)
def test_store_db_events_injection_returns_nothing(
    store: Store, filled: dict[str, Event], field: str, value: str
) -> None:
    assert store.events(**{field: value}) == []
    assert store.counts()["mentions"] == len(filled)


@pytest.mark.parametrize("query", [{"limit": -1}, {"offset": -1}])
def test_store_db_events_negative_paging_refused(store: Store, query: dict) -> None:
    with pytest.raises(ValueError):
        store.events(**query)


# -- opening ---------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"hello, I am not a database\n" * 100])
def test_store_db_bad_file_raises_store_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "notes.duckdb"
    path.write_bytes(content)
    with pytest.raises(StoreError, match="notes.duckdb.*not a DuckDB database"):
        Store(path)


def test_store_db_read_only_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no database at"):
        Store(tmp_path / "absent.duckdb", read_only=True)
    assert not (tmp_path / "absent.duckdb").exists()


def test_store_db_read_only_refuses_writes(db_path: Path) -> None:
    Store(db_path).close()
    with Store(db_path, read_only=True) as s, pytest.raises(StoreError, match="read-only"):
        s.add(make_article("a1"), [])


def test_store_db_read_only_unmigrated_file_raises(db_path: Path) -> None:
    duckdb.connect(str(db_path)).close()
    with pytest.raises(StoreError, match="0001_initial"):
        Store(db_path, read_only=True)


def test_store_db_creates_parent_directories(tmp_path: Path) -> None:
    with Store(tmp_path / "deep" / "er" / "dyads.duckdb") as s:
        assert s.counts()["articles"] == 0


def test_store_db_read_only_beside_writer_in_same_process(db_path: Path) -> None:
    # DuckDB keeps one configuration per file per process: a read-only open next to an
    # open writer is refused, and says so.
    with Store(db_path), pytest.raises(StoreLockedError, match="already open"):
        Store(db_path, read_only=True)


def test_store_db_second_writer_in_same_process_shares_database(db_path: Path) -> None:
    with Store(db_path) as first, Store(db_path) as second:
        add_article(first, "a1", {})
        assert second.counts()["mentions"] == 1


@pytest.mark.parametrize("read_only", [False, True])
def test_store_db_locked_by_other_process(db_path: Path, read_only: bool) -> None:
    Store(db_path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, duckdb
            con = duckdb.connect({str(db_path)!r})
            print("ready", flush=True)
            sys.stdin.read()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreLockedError, match="in use by another dyads process"):
            Store(db_path, read_only=read_only)
    finally:
        holder.communicate("", timeout=30)
    with Store(db_path, read_only=read_only) as s:  # released once the holder exits
        assert s.counts()["articles"] == 0
