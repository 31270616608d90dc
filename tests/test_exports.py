"""Exports (PLOVER JSONL, Parquet, CSV, GDELT TSV) and the PLOVER JSONL round trip."""

from __future__ import annotations

import csv
import datetime as dt
import json

import duckdb
import pytest

from dyads.store import exports
from dyads.store.db import Store
from dyads.store.queries import Filters
from dyads.types import Article, Entity, Event, Location, Modality, TextInfo

TEXT = "Headline here.\n\nOn Sunday, Iraqi forces shelled a Syrian post near Albu Kamal, officials said."


def full_event(eid: str, article: str, **over) -> Event:
    """An event with every field set, so a lossy round trip shows."""
    fields = dict(
        id=eid, article_id=article, date=dt.date(2021, 3, 14), date_precision="day",
        date_text="On Sunday", event="ASSAULT", mode="artillery", context=("military", "border"),
        cameo="1951", quad_code=4, event_scale=-9.5,
        actor=(Entity("Iraqi forces", "IRQ", "MIL", "Iraq", None, None),),
        recipient=(Entity("a Syrian post", "SYR", "MIL", "Syria", "Post commander", "Q123"),),
        event_loc=Location("Albu Kamal", "Abu Kamal", 172515, 34.45, 40.92, "SYR", "city"),
        event_text="shelled", text=TEXT[16:], text_info=TextInfo(1, 16, len(TEXT)),
        modality=Modality(historical=True), attribution=Entity("officials", None, "GOV"),
        confidence=0.73, coder="dyads test", rule="verb:shell", trigger_start=42, trigger_end=49,
    )
    fields.update(over)
    return Event(**fields)


ITEMS = [
    (Article("a1", TEXT, title="Shelling", url="https://news.example.org/a1", source="Example News",
             published=dt.date(2021, 3, 15)), [full_event("e1", "a1")]),
    (Article("a2", "Undated text about a protest.", source=None), [
        full_event("e2", "a2", date=None, date_precision=None, date_text=None, event="PROTEST",
                   mode=None, context=(), cameo=None, quad_code=3, event_scale=-5.0, recipient=(),
                   event_loc=None, attribution=None, text="Undated text about a protest.",
                   text_info=TextInfo(0, 0, 29), modality=Modality(negated=True)),
    ]),
]


@pytest.fixture()
def store(tmp_path):
    with Store(tmp_path / "src.duckdb") as s:
        s.add_many(ITEMS)
        yield s


def test_exports_plover_round_trip_preserves_every_field(store, tmp_path):
    first = tmp_path / "one.jsonl"
    exports.export(store, "plover-jsonl", first)
    with Store(tmp_path / "fresh.duckdb") as fresh:
        result, bad = exports.import_plover(fresh, first)
        second = tmp_path / "two.jsonl"
        exports.export(fresh, "plover-jsonl", second)
        assert fresh.events() == store.events()
        assert fresh.events(unit="event") == store.events(unit="event")
    assert (result.added, bad) == (2, 0)
    assert first.read_text("utf-8") == second.read_text("utf-8")


def test_exports_plover_import_is_idempotent(store, tmp_path):
    path = tmp_path / "one.jsonl"
    exports.export(store, "plover-jsonl", path)
    result, _ = exports.import_plover(store, path)
    assert (result.added, result.skipped) == (0, 2)
    assert store.counts()["mentions"] == 2


def test_exports_plover_record_follows_spec(store, tmp_path):
    path = tmp_path / "one.jsonl"
    exports.export(store, "plover-jsonl", path, Filters(event="ASSAULT"))
    (rec,) = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    assert rec["event"] == ["ASSAULT"] and rec["mode"] == ["artillery"] and rec["event_text"] == ["shelled"]
    assert rec["text_info"] == {"sequence": 1, "start": 16, "end": len(TEXT)}
    assert rec["cite_info"]["url"] == "https://news.example.org/a1"
    assert rec["link"].startswith("c")


def test_exports_plover_bad_lines_become_rejections(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "x1"}\nnot json\n', "utf-8")
    with Store(tmp_path / "x.duckdb") as s:
        result, bad = exports.import_plover(s, path)
        assert (result.added, bad) == (0, 2)
        assert {r["reason"] for r in s.rejections()} == {"bad-record"}


def test_exports_gdelt_row_has_61_columns_and_cameo_levels(store, tmp_path):
    path = tmp_path / "g.tsv"
    exports.export(store, "gdelt-tsv", path, Filters(event="ASSAULT"), unit="event")
    (line,) = path.read_text("utf-8").splitlines()
    row = dict(zip(exports.GDELT_COLUMNS, line.split("\t"), strict=True))
    assert len(exports.GDELT_COLUMNS) == 61
    assert (row["EventCode"], row["EventBaseCode"], row["EventRootCode"]) == ("1951", "195", "19")
    assert (row["Actor1Code"], row["Actor2CountryCode"], row["QuadClass"]) == ("IRQMIL", "SYR", "4")
    assert (row["SQLDATE"], row["GoldsteinScale"], row["NumMentions"]) == ("20210314", "-9.5", "1")
    assert (row["ActionGeo_CountryCode"], row["ActionGeo_Type"]) == ("SY", "4")  # FIPS, world city
    assert row["SOURCEURL"] == "https://news.example.org/a1"


def test_exports_parquet_partitions_by_year_month(store, tmp_path):
    out = tmp_path / "pq"
    assert exports.export(store, "parquet", out) == 2
    assert sorted(p.name for p in out.iterdir()) == ["year_month=2021-03", "year_month=undated"]
    n = duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{out}/*/*.parquet')").fetchone()
    assert n == (2,)


def test_exports_csv_has_cluster_columns(store, tmp_path):
    path = tmp_path / "e.csv"
    exports.export(store, "csv", path, unit="event")
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert [(r["event"], r["n_mentions"]) for r in rows] == [("ASSAULT", "1"), ("PROTEST", "1")]


def test_exports_rejects_unknown_format(store, tmp_path):
    with pytest.raises(exports.ExportError, match="format"):
        exports.export(store, "xml", tmp_path / "x.xml")


def test_exports_cli_export_then_import_round_trip(store, tmp_path):
    from typer.testing import CliRunner

    from dyads.cli.main import app

    src = store.path
    store.close()
    runner = CliRunner()
    first, second, fresh = tmp_path / "1.jsonl", tmp_path / "2.jsonl", tmp_path / "fresh.duckdb"
    assert runner.invoke(app, ["export", "--db", str(src), "--out", str(first)]).exit_code == 0
    assert runner.invoke(app, ["import", str(first), "--db", str(fresh)]).exit_code == 0
    assert runner.invoke(app, ["export", "--db", str(fresh), "--out", str(second)]).exit_code == 0
    assert first.read_text("utf-8") == second.read_text("utf-8")
    with Store(src):  # reopen so the fixture's teardown closes an open store
        pass
