"""The command line, run as a user runs it: a real subprocess, real files, a real DuckDB file."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT

DYADS = [sys.executable, "-m", "dyads"]


def dyads(*args: str, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), **(env or {})}
    return subprocess.run([*DYADS, *args], input=stdin, capture_output=True, text=True, env=full_env, timeout=600)


@pytest.fixture(scope="module")
def example_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("db") / "ex.duckdb"
    proc = dyads("ingest", str(EXAMPLES), "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    return db


def test_cli_help_lists_every_command():
    proc = dyads("--help")
    assert proc.returncode == 0
    for command in ("code", "ingest", "events", "eval"):
        assert command in proc.stdout


@pytest.mark.parametrize("command", ["code", "ingest", "events", "eval"])
def test_cli_each_command_has_help(command):
    proc = dyads(command, "--help")
    assert proc.returncode == 0, proc.stderr
    assert "Usage" in proc.stdout


def test_cli_code_stdin_jsonl_validates(validator):
    text = "Iraq's foreign minister met Iranian President Hassan Rouhani in Tehran on Saturday."
    proc = dyads("code", "-", "--date", "2020-10-18", stdin=text)
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert records, proc.stderr
    for rec in records:
        validator.validate(rec)
    consult = [r for r in records if r["event"] == "CONSULT"]
    assert consult and consult[0]["date"] == "2020-10-17"
    assert {a["code"] for a in consult[0]["actor"]} == {"IRQ"}
    assert {r["code"] for r in consult[0]["recipient"]} == {"IRN"}


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_cli_code_formats(fmt):
    proc = dyads("code", str(EXAMPLES / "diplomacy_iraq_iran_talks.txt"), "--format", fmt)
    assert proc.returncode == 0, proc.stderr
    if fmt == "json":
        assert isinstance(json.loads(proc.stdout), list)
    else:
        rows = list(csv.DictReader(io.StringIO(proc.stdout)))
        assert rows and "actor_codes" in rows[0]


def test_cli_code_bad_date_is_a_usage_error():
    proc = dyads("code", "-", "--date", "2020-13-45", stdin="Iran met Iraq.")
    assert proc.returncode == 2
    assert "YYYY-MM-DD" in proc.stderr


def test_cli_code_bad_inputs_are_named_and_the_rest_goes_through(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "good.txt").write_text("Turkish troops attacked Kurdish fighters in northern Syria on Monday.\n")
    (tmp_path / "lines.jsonl").write_text('{"id": "a1", "text": "Iran condemned Israel."}\nnot json\n{"id": "a3"}\n')
    proc = dyads("code", str(tmp_path), "--date", "2020-10-18")
    assert proc.returncode == 0
    assert "empty.txt" in proc.stderr and "bin.txt" in proc.stderr
    assert "lines.jsonl:2" in proc.stderr and "lines.jsonl:3" in proc.stderr
    ids = {json.loads(line)["article_id"] for line in proc.stdout.splitlines()}
    assert "a1" in ids


def test_cli_code_nothing_processable_exits_nonzero(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    proc = dyads("code", str(tmp_path / "empty.txt"))
    assert proc.returncode == 1
    assert "empty" in proc.stderr


def test_cli_ingest_examples_then_events_validate(example_db, validator):
    proc = dyads("events", "--db", str(example_db))
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(records) >= 10
    for rec in records:
        validator.validate(rec)
    assert len({r["event"] for r in records}) >= 6


def test_cli_ingest_twice_changes_nothing(example_db):
    before = dyads("events", "--db", str(example_db)).stdout
    proc = dyads("ingest", str(EXAMPLES), "--db", str(example_db))
    assert proc.returncode == 0, proc.stderr
    assert "added 0 article(s)" in proc.stderr
    assert dyads("events", "--db", str(example_db)).stdout == before


def test_cli_events_filters(example_db):
    all_recs = [json.loads(line) for line in dyads("events", "--db", str(example_db)).stdout.splitlines()]
    some = next(r for r in all_recs if r["actor"][0]["code"])
    code = some["actor"][0]["code"]
    proc = dyads("events", "--db", str(example_db), "--actor", code, "--event", some["event"])
    recs = [json.loads(line) for line in proc.stdout.splitlines()]
    assert recs and all(r["event"] == some["event"] for r in recs)
    assert all(code in {a["code"] for a in r["actor"]} for r in recs)
    dated = [r for r in all_recs if r["date"]]
    day = dated[0]["date"]
    recs = [json.loads(line) for line in dyads("events", "--db", str(example_db), "--since", day, "--until", day).stdout.splitlines()]
    assert recs and all(r["date"] == day for r in recs)


def test_cli_events_rejects_bad_type(example_db):
    proc = dyads("events", "--db", str(example_db), "--event", "HUG")
    assert proc.returncode == 2
    assert "PLOVER" in proc.stderr


def test_cli_events_table_format(example_db):
    proc = dyads("events", "--db", str(example_db), "--format", "table")
    assert proc.returncode == 0
    assert proc.stdout.splitlines()[0].split()[:2] == ["date", "event"]


def test_cli_events_missing_db_says_how_to_fix(tmp_path):
    proc = dyads("events", "--db", str(tmp_path / "none.duckdb"))
    assert proc.returncode == 2
    assert "dyads ingest" in proc.stderr


def test_cli_db_from_environment(tmp_path):
    db = tmp_path / "env.duckdb"
    proc = dyads("ingest", str(EXAMPLES / "news_wire_batch.jsonl"), env={"DYADS_DB": str(db)})
    assert proc.returncode == 0, proc.stderr
    assert db.exists()
