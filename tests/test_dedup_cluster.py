"""Event clustering: one real-world event reported several times is one cluster."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from dyads.dedup.cluster import MentionKey, Place, assign_clusters, interval, places_compatible
from dyads.store import queries
from dyads.store.db import Store
from dyads.types import Article, Entity, Event, Location, Modality, TextInfo

D = dt.date(2021, 3, 14)
TEHRAN = Location("Tehran", "Tehran", 112931, 35.69, 51.42, "IRN", "city")
MASHHAD = Location("Mashhad", "Mashhad", 124665, 36.30, 59.61, "IRN", "city")
IRAN = Location("Iran", "Iran", 130758, 32.0, 53.0, "IRN", "country")


def event(eid: str, article: str = "a1", *, kind: str = "CONSULT", actor: str = "IRQ",
          recipient: str | None = "IRN", date: dt.date | None = D, precision: str | None = "day",
          date_text: str | None = "on Sunday", loc: Location | None = None,
          negated: bool = False, confidence: float = 0.8) -> Event:
    """A hand-built coded event with only the fields clustering looks at varied."""
    return Event(
        id=eid, article_id=article, date=date, date_precision=precision, date_text=date_text,
        event=kind, mode=None, context=(), cameo="040", quad_code=1, event_scale=1.0,
        actor=(Entity(actor, actor, "GOV"),),
        recipient=(Entity(recipient, recipient, "GOV"),) if recipient else (),
        event_loc=loc, event_text="met", text=f"sentence {eid}", text_info=TextInfo(0, 0, 10),
        modality=Modality(negated=negated), attribution=None, confidence=confidence, coder="test",
    )


def keys(*events: Event) -> list[MentionKey]:
    return [MentionKey.from_event(e) for e in events]


def n_clusters(*events: Event) -> int:
    return len(set(assign_clusters(keys(*events)).values()))


@pytest.mark.parametrize(
    ("date", "precision", "text", "expected"),
    [
        (D, "day", "on Sunday", (D, D)),
        (D, "day", None, (D - dt.timedelta(days=3), D)),  # publication-day fallback
        (dt.date(2021, 2, 1), "month", "in February", (dt.date(2021, 2, 1), dt.date(2021, 2, 28))),
        (dt.date(2021, 1, 1), "year", "in 2021", (dt.date(2021, 1, 1), dt.date(2021, 12, 31))),
        (None, None, None, (None, None)),
    ],
)
def test_cluster_interval_respects_precision(date, precision, text, expected):
    assert interval(date, precision, text) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (None, Place("IRN"), True),
        (Place("IRN"), Place("IRQ"), False),
        (Place("IRN", 35.69, 51.42, "city"), Place("IRN", 36.30, 59.61, "city"), False),
        (Place("IRN", 35.69, 51.42, "city"), Place("IRN", 35.80, 51.50, "city"), True),
        (Place("IRN", 35.69, 51.42, "city"), Place("IRN", 32.0, 53.0, "country"), True),
    ],
)
def test_cluster_places_compatible(a, b, expected):
    assert places_compatible(a, b) is expected


@pytest.mark.parametrize(
    "events",
    [
        pytest.param((event("m1", "a1"), event("m2", "a2"), event("m3", "a3")), id="same-day-anchors"),
        pytest.param((event("m1", "a1"), event("m2", "a1", date=D + dt.timedelta(days=1), date_text=None)),
                     id="headline-dated-by-publication"),
        pytest.param((event("m1", "a1"), event("m2", "a2", date=D.replace(day=1), precision="month",
                                                date_text="in March")), id="month-precision-joins-anchor"),
        pytest.param((event("m1", "a1", loc=TEHRAN), event("m2", "a2", loc=IRAN)), id="city-inside-country"),
        pytest.param((event("m1", "a1", date=None, precision=None, date_text=None),
                      event("m2", "a1")), id="undated-joins-own-article"),
    ],
)
def test_cluster_merges_reports_of_one_event(events):
    assert n_clusters(*events) == 1


@pytest.mark.parametrize(
    "events",
    [
        pytest.param((event("m1"), event("m2", "a2", kind="ACCUSE")), id="other-type"),
        pytest.param((event("m1", loc=TEHRAN), event("m2", "a2", loc=MASHHAD)), id="far-apart-cities"),
        pytest.param((event("m1"), event("m2", "a2", negated=True)), id="negated"),
        pytest.param((event("m1"), event("m2", "a2", recipient="SAU")), id="other-recipient"),
        pytest.param((event("m1"), event("m2", "a2", date=D + dt.timedelta(days=1))), id="next-day"),
        pytest.param((event("m1", date=None, precision=None, date_text=None),
                      event("m2", "a2", date=None, precision=None, date_text=None)),
                     id="undated-other-articles"),
    ],
)
def test_cluster_keeps_different_events_apart(events):
    assert n_clusters(*events) == 2


def test_cluster_month_mention_prefers_anchor_of_its_article():
    ms = (event("m1", "a1"), event("m2", "a2", date=D + dt.timedelta(days=5)),
          event("m3", "a2", date=D.replace(day=1), precision="month", date_text="in March"))
    got = assign_clusters(keys(*ms))
    assert got["m3"] == got["m2"] != got["m1"]


def test_cluster_result_is_independent_of_order():
    ms = [event("m1", "a1", loc=TEHRAN), event("m2", "a2"), event("m3", "a3", loc=MASHHAD),
          event("m4", "a4", date=D.replace(day=1), precision="month", date_text="in March"),
          event("m5", "a5", date=D + dt.timedelta(days=2), date_text=None)]
    results = {tuple(sorted(assign_clusters(keys(*p)).items())) for p in itertools.permutations(ms)}
    assert len(results) == 1


def _article(aid: str, published: dt.date = D) -> Article:
    return Article(id=aid, text="x" * 20, published=published, source=f"outlet-{aid}")


def _clusters(path) -> set[frozenset[str]]:
    with Store(path, read_only=True) as store:
        rows = queries._con(store).execute(
            "SELECT list(mention_id ORDER BY mention_id) FROM mention_clusters GROUP BY cluster_id"
        ).fetchall()
    return {frozenset(r[0]) for r in rows}


def test_cluster_incremental_equals_batch_in_any_order(tmp_path):
    items = [
        (_article("a1"), [event("m1", "a1", loc=TEHRAN)]),
        (_article("a2"), [event("m2", "a2", date=D.replace(day=1), precision="month", date_text="in March")]),
        (_article("a3"), [event("m3", "a3", loc=MASHHAD), event("m3b", "a3", kind="ACCUSE")]),
        (_article("a4", D + dt.timedelta(days=1)), [event("m4", "a4", date=D + dt.timedelta(days=1), date_text=None)]),
        (_article("a5"), [event("m5", "a5")]),
    ]
    with Store(tmp_path / "batch.duckdb") as store:
        store.add_many(items)
    expected = _clusters(tmp_path / "batch.duckdb")
    for n, order in enumerate([items[::-1], items[2:] + items[:2]]):
        path = tmp_path / f"inc{n}.duckdb"
        with Store(path) as store:
            for article, evs in order:
                store.add(article, evs)
        assert _clusters(path) == expected


def test_cluster_summary_counts_mentions_articles_sources(tmp_path):
    with Store(tmp_path / "x.duckdb") as store:
        store.add(_article("a1"), [event("m1", "a1"), event("m1b", "a1", date_text=None, confidence=0.9)])
        store.add(Article(id="a2", text="y", published=D + dt.timedelta(days=2), source="outlet-a1"),
                  [event("m2", "a2")])
        (row,) = queries.clusters(store, queries.Filters(event="CONSULT"))
    assert (row["n_mentions"], row["n_articles"], row["n_sources"]) == (3, 2, 1)
    assert (row["first_reported"], row["last_reported"]) == ("2021-03-14", "2021-03-16")
    assert row["best_mention_id"] == "m1"  # dated by the text beats higher confidence


# Three differently worded reports of one meeting, and a different event between the
# same two countries on the same day, coded by the real coder.
MEETING = [
    ("Iraqi Foreign Minister Fuad Hussein met Iranian President Hassan Rouhani in Tehran on Sunday. "
     "The two discussed trade and border security.", dt.date(2021, 3, 15), "Wire A"),
    ("On Sunday, Iraq's foreign minister Fuad Hussein held talks with Iranian President Hassan Rouhani "
     "in Tehran. Oil prices rose on Monday.", dt.date(2021, 3, 15), "Wire B"),
    ("Fuad Hussein, Iraq's top diplomat, visited Iranian President Hassan Rouhani in Tehran on Sunday, "
     "officials said on Tuesday.", dt.date(2021, 3, 16), "Wire C"),
]
ACCUSATION = ("Iraqi Foreign Minister Fuad Hussein accused Iranian President Hassan Rouhani of meddling "
              "on Sunday.", dt.date(2021, 3, 15), "Wire D")


@pytest.fixture(scope="module")
def coded_store(tmp_path_factory, coder):
    path = tmp_path_factory.mktemp("coded") / "x.duckdb"
    articles = [Article(id=f"art{i}", text=t, published=d, source=s)
                for i, (t, d, s) in enumerate([*MEETING, ACCUSATION])]
    with Store(path) as store:
        store.add_many((c.article, c.events) for c in coder.code(articles))
    return path


def test_cluster_three_wordings_become_one_event(coded_store):
    with Store(coded_store, read_only=True) as store:
        rows = store.events(actor="IRQ", recipient="IRN", event="CONSULT", unit="event")
        mentions = store.events(actor="IRQ", recipient="IRN", event="CONSULT")
    assert len(mentions) == 3
    assert [(r["n_mentions"], r["n_articles"], r["n_sources"]) for r in rows] == [(3, 3, 3)]


def test_cluster_other_event_same_dyad_same_day_stays_apart(coded_store):
    with Store(coded_store, read_only=True) as store:
        consult = store.events(actor="IRQ", event="CONSULT", unit="event")
        accuse = store.events(actor="IRQ", event="ACCUSE", unit="event")
    assert len(accuse) == 1 and accuse[0]["date"] == consult[0]["date"]
    assert accuse[0]["cluster_id"] != consult[0]["cluster_id"]
    assert accuse[0]["n_mentions"] == 1


def test_cluster_estimated_publication_date_is_not_an_anchor():
    est = event("m2", "a2", date=D + dt.timedelta(days=1),
                date_text="publication date estimated from 'March 15'")
    key = MentionKey.from_event(est)
    assert not key.anchor and key.lo == D - dt.timedelta(days=2)
    assert n_clusters(event("m1", "a1"), est) == 1
