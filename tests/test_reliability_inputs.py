"""Bad input never crashes an ingest: each bad file or line gets a named, stored rejection
and every good article beside it still lands (tests/bad_inputs/ plus big and binary
inputs generated here at run time)."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dyads.cli.main import app
from dyads.errors import REASONS
from dyads.ingest.readers import MAX_TEXT_CHARS, iter_articles
from dyads.store.db import Store
from dyads.types import Article, Rejection

BAD = Path(__file__).resolve().parent / "bad_inputs"

# Committed small files (and JSONL lines) -> the reason each must be rejected with.
EXPECTED_FILES: dict[str, str] = {
    "empty.txt": "empty",
    "whitespace_only.txt": "empty",
    "invalid_utf8.txt": "encoding",
    "mixed_encodings.txt": "encoding",
    "symbols_only.txt": "no-text",
    "french.txt": "language",
    "arabic.txt": "language",
    "chinese.txt": "language",
    "script_only.html": "no-text",
}
EXPECTED_LINES: dict[int, str] = {
    2: "bad-json",  # truncated line
    3: "missing-text",
    4: "missing-text",  # text is a number
    5: "bad-field",  # title is a list
    6: "bad-field",  # id is a list
    7: "bad-date",  # 2020-13-45
    8: "bad-field",  # published is a number
    9: "duplicate-id",  # jl-good again
    10: "bad-json",  # an array, not an object
    11: "encoding",  # a lone surrogate escape
}
GOOD_IDS = {"jl-good", "jl-good-2"}
LONG_SENTENCE = "Iraqi officials said that Iran had agreed to hold talks " + "and that the ministers would meet again soon " * 23_000 + "."


def _generate(tmp: Path) -> dict[str, str]:
    """Big, binary and pathological inputs written at run time -> expected reasons."""
    rng = random.Random(7)
    with (tmp / "huge_50mb.txt").open("w") as fh:
        chunk = "Iraq and Iran held talks in Baghdad on Monday, officials said. " * 1000
        for _ in range(50_000_000 // len(chunk) + 1):
            fh.write(chunk)
    (tmp / "one_sentence_1mb.txt").write_text(LONG_SENTENCE)
    (tmp / "random_binary.txt").write_bytes(bytes(rng.randrange(256) for _ in range(20_000)))
    (tmp / "nul_bytes.txt").write_bytes(b"Iraq met Iran in Baghdad on Monday.\x00\x00\x00 Officials said so.")
    (tmp / "gzip.html").write_bytes(b"\x1f\x8b\x08\x00" + bytes(rng.randrange(256) for _ in range(4000)))
    depth = 100_000
    (tmp / "deeply_nested.html").write_text(
        "<html><body>" + "<div>" * depth + "<p>Iraq and Iran signed an agreement.</p>" + "</div>" * depth)
    (tmp / "deep.jsonl").write_text('{"text": ' + "[" * 50_000 + "]" * 50_000 + "}\n")
    (tmp / "missing.txt").unlink(missing_ok=True)
    (tmp / "notes.pdf").write_bytes((BAD / "notes.pdf").read_bytes())
    return {
        "huge_50mb.txt": "too-large",
        "one_sentence_1mb.txt": "too-large",
        "random_binary.txt": "binary",
        "nul_bytes.txt": "binary",
        "gzip.html": "binary",
        "deeply_nested.html": "no-text",
        "deep.jsonl:1": "bad-json",
        "missing.txt": "unreadable",
        "notes.pdf": "unsupported-type",
    }


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory, coder: Any) -> dict[str, Any]:
    """`dyads ingest` over the committed corpus and the generated one, in one run."""
    gen = tmp_path_factory.mktemp("generated")
    expected_generated = _generate(gen)
    db = tmp_path_factory.mktemp("db") / "bad.duckdb"
    paths = [str(BAD), *(str(gen / name.split(":")[0]) for name in expected_generated)]
    result = CliRunner().invoke(app, ["ingest", *paths, "--db", str(db), "--workers", "1"])
    with Store(db, read_only=True) as store:
        rejections = store.rejections()
        articles = store._con.execute("SELECT id, origin, n_events FROM articles").fetchall()
        integrity = _integrity(store)
    return {"result": result, "rejections": rejections, "articles": articles, "gen": gen,
            "expected_generated": expected_generated, "integrity": integrity, "db": db}


def _integrity(store: Store) -> tuple[int, int]:
    """(articles whose n_events differs from their stored mentions, mentions without article)."""
    con = store._con
    bad_counts = con.execute(
        "SELECT count(*) FROM articles a WHERE a.n_events <>"
        " (SELECT count(*) FROM mentions m WHERE m.article_id = a.id)").fetchone()[0]
    orphans = con.execute(
        "SELECT count(*) FROM mentions m WHERE m.article_id NOT IN (SELECT id FROM articles)").fetchone()[0]
    return bad_counts, orphans


def _reason_of(rejections: list[dict[str, Any]], origin: str) -> list[str]:
    return [r["reason"] for r in rejections if r["origin"] == origin]


def test_reliability_inputs_ingest_does_not_crash(ingested: dict[str, Any]) -> None:
    result = ingested["result"]
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("name", "reason"), sorted(EXPECTED_FILES.items()))
def test_reliability_inputs_committed_file_rejected_with_reason(ingested: dict[str, Any], name: str,
                                                                reason: str) -> None:
    assert _reason_of(ingested["rejections"], str(BAD / name)) == [reason]


@pytest.mark.parametrize(("line", "reason"), sorted(EXPECTED_LINES.items()))
def test_reliability_inputs_jsonl_line_rejected_with_reason(ingested: dict[str, Any], line: int,
                                                            reason: str) -> None:
    assert _reason_of(ingested["rejections"], f"{BAD / 'broken.jsonl'}:{line}") == [reason]


@pytest.mark.parametrize("name", ["huge_50mb.txt", "one_sentence_1mb.txt", "random_binary.txt", "nul_bytes.txt",
                                  "gzip.html", "deeply_nested.html", "deep.jsonl:1", "missing.txt", "notes.pdf"])
def test_reliability_inputs_generated_file_rejected_with_reason(ingested: dict[str, Any], name: str) -> None:
    assert _reason_of(ingested["rejections"], str(ingested["gen"] / name)) == [ingested["expected_generated"][name]]


def test_reliability_inputs_every_stored_rejection_has_a_documented_reason_and_message(
        ingested: dict[str, Any]) -> None:
    assert ingested["rejections"]
    for rej in ingested["rejections"]:
        assert rej["reason"] in REASONS, rej
        assert rej["message"] and rej["origin"], rej


def test_reliability_inputs_good_articles_still_land(ingested: dict[str, Any]) -> None:
    ids = {row[0] for row in ingested["articles"]}
    origins = {row[1] for row in ingested["articles"]}
    assert GOOD_IDS <= ids
    assert {str(BAD / "good.txt"), str(BAD / "truncated.html")} <= origins
    assert sum(n for _, _, n in ingested["articles"]) >= 3


def test_reliability_inputs_entity_bomb_is_not_expanded(ingested: dict[str, Any]) -> None:
    """Billion-laughs DTD entities stay unexpanded text: a tiny article, no blow-up."""
    with Store(ingested["db"], read_only=True) as store:
        rows = store._con.execute("SELECT length(text) FROM articles WHERE origin = ?",
                                  [str(BAD / "entity_bomb.html")]).fetchall()
    assert rows and rows[0][0] < 100


def test_reliability_inputs_store_is_whole_after_bad_input(ingested: dict[str, Any]) -> None:
    assert ingested["integrity"] == (0, 0)


def test_reliability_inputs_rerun_adds_nothing(ingested: dict[str, Any], tmp_path: Path) -> None:
    """A second ingest of the same bad corpus stores no new article and no repeated rejection."""
    db = tmp_path / "again.duckdb"
    args = ["ingest", str(BAD), "--db", str(db), "--workers", "1"]
    CliRunner().invoke(app, args)
    with Store(db, read_only=True) as store:
        before = store.counts()
    second = CliRunner().invoke(app, args)
    with Store(db, read_only=True) as store:
        assert store.counts() == before
    assert second.exit_code == 0, second.output


# -- reader-level cases the CLI run above cannot name ------------------------------------


@pytest.mark.parametrize("name", [b"\xff\xfe-latin.txt", b"caf\xe9.txt"])
def test_reliability_inputs_non_utf8_file_name_is_stored(tmp_path: Path, name: bytes, coder: Any) -> None:
    """A file name that is not UTF-8 is kept as escaped text, not a store crash."""
    raw = os.fsencode(tmp_path) + b"/" + name
    with open(raw, "w") as fh:
        fh.write("Iraq's foreign minister met Iranian President Hassan Rouhani in Tehran on Saturday.")
    with open(os.fsencode(tmp_path) + b"/" + name.replace(b".txt", b"-bin.txt"), "wb") as fh:
        fh.write(b"\x00" * 64)
    db = tmp_path / "names.duckdb"
    result = CliRunner().invoke(app, ["ingest", str(tmp_path), "--db", str(db), "--workers", "1"])
    assert result.exit_code == 0, result.output
    with Store(db, read_only=True) as store:
        assert store.counts()["articles"] == 1
        assert [r["reason"] for r in store.rejections()] == ["binary"]


@pytest.mark.parametrize("field", ["text", "title", "source", "url", "id"])
def test_reliability_inputs_lone_surrogate_in_any_field_is_encoding(tmp_path: Path, field: str) -> None:
    record = {"text": "Iraq met Iran in Baghdad on Monday, officials said.", "id": "s1"}
    record[field] = record.get(field, "x") + "\ud800"
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps(record) + "\n")
    items = list(iter_articles([path]))
    assert [(type(i), getattr(i, "reason", None)) for i in items] == [(Rejection, "encoding")]


@pytest.mark.parametrize(("size", "kind"), [(MAX_TEXT_CHARS, Article), (MAX_TEXT_CHARS + 1, Rejection)])
def test_reliability_inputs_text_length_limit(tmp_path: Path, size: int, kind: type) -> None:
    text = ("Iraq and Iran held talks in Baghdad on Monday, the officials said. " * (size // 60 + 1))[:size]
    path = tmp_path / "long.jsonl"
    path.write_text(json.dumps({"text": text}) + "\n")
    [item] = list(iter_articles([path]))
    assert isinstance(item, kind)
    if isinstance(item, Rejection):
        assert item.reason == "too-large"
