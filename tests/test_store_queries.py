"""Read queries: events by unit, dyad series, actors, clusters."""

from __future__ import annotations

import datetime as dt

import pytest

from dyads.store import queries
from dyads.store.db import Store
from dyads.types import Article, Entity, Event, Modality, TextInfo


def event(eid: str, article: str, kind: str, actors: tuple[str, ...], recipients: tuple[str, ...],
          date: dt.date | None, scale: float, quad: int, precision: str = "day") -> Event:
    return Event(
        id=eid, article_id=article, date=date, date_precision=precision if date else None,
        date_text="on Sunday" if date else None, event=kind, mode=None, context=(), cameo=None,
        quad_code=quad, event_scale=scale,
        actor=tuple(Entity(c, c, "GOV") for c in actors),
        recipient=tuple(Entity(c, c, "MIL") for c in recipients),
        event_loc=None, event_text="x", text=f"s {eid}", text_info=TextInfo(0, 0, 5),
        modality=Modality(), attribution=None, confidence=0.5, coder="test",
    )


JAN, FEB = dt.date(2021, 1, 10), dt.date(2021, 2, 3)
ITEMS = [
    (Article("a1", "t1", published=JAN), [
        event("m1", "a1", "ASSAULT", ("ISR",), ("SYR",), JAN, -10.0, 4),
        event("m2", "a1", "ACCUSE", ("SYR",), ("ISR",), JAN, -4.0, 3),
        event("m3", "a1", "AGREE", ("IRN", "IRQ"), ("SYR",), JAN, 3.0, 1),
    ]),
    (Article("a2", "t2", published=JAN), [event("m4", "a2", "ASSAULT", ("ISR",), ("SYR",), JAN, -10.0, 4)]),
    (Article("a3", "t3", published=FEB), [
        event("m5", "a3", "ASSAULT", ("ISR",), ("SYR",), FEB, -8.0, 4),
        event("m6", "a3", "PROTEST", ("SYR",), (), FEB.replace(day=1), -5.0, 3, "month"),
        event("m7", "a3", "PROTEST", ("SYR",), (), None, -5.0, 3),
    ]),
]


@pytest.fixture()
def store(tmp_path):
    with Store(tmp_path / "q.duckdb") as s:
        s.add_many(ITEMS)
        yield s


def row(rows, actor, recipient, period):
    (found,) = [r for r in rows if (r["actor"], r["recipient"], r["period"]) == (actor, recipient, period)]
    return found


def test_queries_migration_adds_clusters(store):
    assert "0002_clusters" in store.migrations()


@pytest.mark.parametrize(("unit", "expected"), [("mention", 7), ("event", 6)])
def test_queries_events_unit_counts(store, unit, expected):
    assert len(store.events(unit=unit)) == expected


def test_queries_events_unit_event_adds_cluster_fields(store):
    (rec,) = store.events(event="ASSAULT", since=JAN, until=JAN, unit="event")
    assert set(queries.CLUSTER_FIELDS) <= rec.keys()
    assert (rec["n_mentions"], rec["n_articles"]) == (2, 2)


@pytest.mark.parametrize(
    ("unit", "total", "assault"), [("mention", 2, 2), ("event", 1, 1)],
)
def test_queries_series_counts_by_unit(store, unit, total, assault):
    rows = queries.series(store, by="month", unit=unit)
    r = row(rows, "ISR", "SYR", "2021-01")
    assert (r["total"], r["ASSAULT"], r["material_conflict"]) == (total, assault, assault)


def test_queries_series_scale_mean_and_sum(store):
    r = row(queries.series(store, by="year"), "ISR", "SYR", "2021")
    assert (r["event_scale_sum"], r["event_scale_mean"]) == (-28.0, pytest.approx(-28.0 / 3, abs=1e-4))


def test_queries_series_splits_compound_actors(store):
    rows = queries.series(store, by="month")
    assert row(rows, "IRN", "SYR", "2021-01")["AGREE"] == 1
    assert row(rows, "IRQ", "SYR", "2021-01")["AGREE"] == 1


def test_queries_series_undirected_merges_both_directions(store):
    rows = queries.series(store, queries.Filters(actor="SYR", recipient="ISR"), by="month", undirected=True)
    r = row(rows, "ISR", "SYR", "2021-01")
    assert (r["total"], r["ASSAULT"], r["ACCUSE"]) == (3, 2, 1)


@pytest.mark.parametrize(("by", "protests"), [("day", 0), ("week", 0), ("month", 1), ("year", 1)])
def test_queries_series_drops_events_coarser_than_period(store, by, protests):
    rows = queries.series(store, queries.Filters(event="PROTEST"), by=by)
    assert sum(r["total"] for r in rows) == protests


def test_queries_series_week_label_is_monday(store):
    rows = queries.series(store, queries.Filters(actor="ISR"), by="week")
    assert {r["period"] for r in rows} == {"2021-01-04", "2021-02-01"}


def test_queries_series_rejects_unknown_period(store):
    with pytest.raises(queries.QueryError, match="period"):
        queries.series(store, by="fortnight")


def test_queries_actors_counts_roles_and_dates(store):
    rows = {r["sector"]: r for r in queries.actors(store, code="ISR")}
    isr = rows["GOV"]
    assert (isr["as_actor"], isr["as_recipient"]) == (3, 0)
    assert (rows["MIL"]["as_actor"], rows["MIL"]["as_recipient"]) == (0, 1)
    assert (isr["first_seen"], isr["last_seen"]) == ("2021-01-10", "2021-02-03")


def test_queries_cluster_mentions_lists_members(store):
    (rec,) = store.events(event="ASSAULT", since=JAN, until=JAN, unit="event")
    assert [m["id"] for m in queries.cluster_mentions(store, rec["cluster_id"])] == ["m1", "m4"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["series", "--by", "month", "--actor", "ISR", "--format", "csv"], "ISR,SYR,2021-01,2"),
        (["series", "--by", "month", "--actor", "ISR", "--unit", "event", "--format", "csv"], "ISR,SYR,2021-01,1"),
        (["actors", "--code", "SYR", "--format", "csv"], "SYR,GOV,3,3,0,2021-01-10,2021-02-01"),
        (["events", "--unit", "event", "--event", "ASSAULT", "--format", "csv"], "m5,a3,2021-02-03"),
    ],
)
def test_queries_cli_commands_print_rows(tmp_path, args, expected):
    from typer.testing import CliRunner

    from dyads.cli.main import app

    path = tmp_path / "cli.duckdb"
    with Store(path) as s:
        s.add_many(ITEMS)
    result = CliRunner().invoke(app, [*args, "--db", str(path)])
    assert result.exit_code == 0, result.output
    assert expected in result.output


def test_queries_cli_series_rejects_bad_code(tmp_path):
    from typer.testing import CliRunner

    from dyads.cli.main import app

    result = CliRunner().invoke(app, ["series", "--actor", "Israel", "--db", str(tmp_path / "x.duckdb")])
    assert result.exit_code == 2
    assert "3-letter code" in result.output


SERIES_CASES = [
    dict(by="month"),
    dict(by="day", unit="event"),
    dict(by="year", undirected=True),
    dict(by="month", filters=queries.Filters(actor="SYR"), undirected=True),
]


@pytest.mark.parametrize(("limit", "offset"), [(1, 0), (2, 1), (3, 4), (10, 0), (0, 0)])
def test_queries_series_limit_offset_slice_the_rows(store, limit, offset):
    rows = queries.series(store, by="month")
    assert queries.series(store, by="month", limit=limit, offset=offset) == rows[offset:offset + limit]


@pytest.mark.parametrize(("limit", "offset"), [(2, 0), (2, 3), (100, 0), (2, 99)])
def test_queries_series_page_gives_rows_and_total(store, limit, offset):
    rows = queries.series(store, by="month")
    page = queries.series_page(store, by="month", limit=limit, offset=offset)
    assert (page.rows, page.total) == (rows[offset:offset + limit], len(rows))


@pytest.mark.parametrize("kw", SERIES_CASES)
def test_queries_series_count_matches_rows(store, kw):
    assert queries.series_count(store, **kw) == len(queries.series(store, **kw))


@pytest.mark.parametrize("kw", SERIES_CASES)
def test_queries_series_arrow_matches_rows(store, kw):
    table = queries.series_arrow(store, **kw)
    assert table.column_names == queries.series_columns()
    assert table.to_pylist() == queries.series(store, **kw)


@pytest.mark.parametrize("kw", SERIES_CASES)
def test_queries_write_series_json_matches_rows(store, kw):
    import io
    import json

    out = io.BytesIO()
    n = queries.write_series(store, out, "json", **kw)
    rows = queries.series(store, **kw)
    assert (json.loads(out.getvalue()), n) == (rows, len(rows))


@pytest.mark.parametrize("kw", SERIES_CASES)
def test_queries_write_series_csv_matches_rows(store, kw):
    import csv
    import io

    out = io.BytesIO()
    queries.write_series(store, out, "csv", **kw)
    header, *body = csv.reader(io.StringIO(out.getvalue().decode()))
    expected = [["" if v is None else str(v) for v in r.values()] for r in queries.series(store, **kw)]
    assert (header, body) == (queries.series_columns(), expected)


def test_queries_write_series_limit_keeps_first_rows(store):
    import io
    import json

    out = io.BytesIO()
    queries.write_series(store, out, "json", by="month", limit=2)
    assert json.loads(out.getvalue()) == queries.series(store, by="month")[:2]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda s: queries.write_series(s, None, "xml"), "format"),  # type: ignore[arg-type]
        (lambda s: queries.series(s, limit=-1), "limit"),
        (lambda s: queries.series_page(s, offset=-1), "offset"),
        (lambda s: queries.series_arrow(s, unit="article"), "unit"),
    ],
)
def test_queries_series_variants_reject_bad_arguments(store, call, match):
    with pytest.raises(queries.QueryError, match=match):
        call(store)


def test_queries_series_scale_sum_is_exact(tmp_path):
    # As floats 0.1 + 0.2 is 0.30000000000000004; the series sums exactly (as decimals).
    items = [(Article(f"x{i}", "t", published=JAN), [
        event(f"x{i}", f"x{i}", "AGREE", ("FRA",), ("DEU",), JAN, v, 1)]) for i, v in enumerate((0.1, 0.2))]
    with Store(tmp_path / "exact.duckdb") as s:
        s.add_many(items)
        (r,) = queries.series(s, by="month")
    assert (r["event_scale_sum"], r["event_scale_mean"]) == (0.3, 0.15)


def _cli(tmp_path, args):
    from typer.testing import CliRunner

    from dyads.cli.main import app

    path = tmp_path / "cli.duckdb"
    with Store(path) as s:
        s.add_many(ITEMS)
    return CliRunner().invoke(app, ["series", *args, "--db", str(path)])


def test_queries_cli_series_table_limit_notes_the_rest(tmp_path):
    result = _cli(tmp_path, ["--by", "month", "--limit", "2"])
    assert result.exit_code == 0, result.output
    header, *rest = result.output.splitlines()
    rows = [ln for ln in rest if not ln.startswith("dyads:")]
    assert (header.split()[:3], len(rows)) == (["actor", "recipient", "period"], 2)
    assert "4 more rows (of 6)" in result.output


def test_queries_cli_series_json_is_the_library_rows(tmp_path):
    import json

    result = _cli(tmp_path, ["--by", "year", "--undirected", "--format", "json"])
    assert result.exit_code == 0, result.output
    with Store(tmp_path / "cli.duckdb", read_only=True) as s:
        assert json.loads(result.output) == queries.series(s, by="year", undirected=True)


def test_queries_cli_series_empty_table_says_so(tmp_path):
    result = _cli(tmp_path, ["--actor", "USA"])
    assert result.exit_code == 0, result.output
    assert "series is empty" in result.output
