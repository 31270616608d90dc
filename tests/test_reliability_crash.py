"""Crash safety: `dyads ingest` killed with SIGKILL at random points leaves a database that
opens, holds only whole articles with all their events, and a rerun completes the rest
without duplicates (one process, and once with the default worker pool)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from dyads.store.db import Store

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "articles"
N_ARTICLES = 260  # two store batches of 200 articles: commit points mid-run
KILLS = 10
SEED = int(os.environ.get("DYADS_CRASH_SEED", "20240611"))


def _paragraphs() -> list[str]:
    paras: list[str] = []
    for path in sorted(EXAMPLES.glob("*.txt")):
        paras += [p.strip() for p in path.read_text("utf-8").split("\n\n") if len(p.strip()) > 80]
    return paras


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A JSONL corpus of short distinct articles, a few bad lines among them."""
    rng = random.Random(SEED)
    paras = _paragraphs()
    lines = []
    for i in range(N_ARTICLES):
        text = "\n\n".join(rng.sample(paras, 2))
        lines.append(json.dumps({"id": f"k{i:04d}", "text": text,
                                 "date": f"2020-{1 + i % 12:02d}-{1 + i % 28:02d}"}))
        if i % 97 == 0:
            lines.append('{"id": "broken", "text": ')  # a rejection to store as well
    path = tmp_path_factory.mktemp("crash") / "corpus.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def _ingest_cmd(corpus: Path, db: Path, workers: int | None) -> list[str]:
    cmd = [sys.executable, "-m", "dyads", "ingest", str(corpus), "--db", str(db)]
    return cmd + (["--workers", str(workers)] if workers else [])


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def _run(corpus: Path, db: Path, workers: int | None = 1) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_ingest_cmd(corpus, db, workers), env=_env(), capture_output=True, text=True,
                          timeout=600)


def _kill_after(corpus: Path, db: Path, delay: float, workers: int | None) -> bool:
    """Start an ingest in its own process group and SIGKILL the group after ``delay`` s.

    Returns whether the kill landed before the ingest finished on its own.
    """
    proc = subprocess.Popen(_ingest_cmd(corpus, db, workers), env=_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        proc.wait(delay)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the ingest and its worker processes, at once
        proc.wait(30)
        return True


def _state(db: Path) -> dict[str, Any]:
    """Open the database as a restarted process would, and read what the checks need."""
    with Store(db) as store:  # opening for writing replays the WAL, migrates, re-clusters
        con = store._con
        one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "articles": set(r[0] for r in con.execute("SELECT id FROM articles").fetchall()),
            "mentions": sorted(r[0] for r in con.execute("SELECT id FROM mentions").fetchall()),
            "short_articles": one(
                "SELECT count(*) FROM articles a WHERE a.n_events <>"
                " (SELECT count(*) FROM mentions m WHERE m.article_id = a.id)"),
            "orphan_mentions": one("SELECT count(*) FROM mentions WHERE article_id NOT IN (SELECT id FROM articles)"),
            "unclustered": one("SELECT count(*) FROM mentions WHERE id NOT IN (SELECT mention_id FROM mention_clusters)"),
            "rejections": one("SELECT count(*) FROM rejections"),
        }


def _assert_whole(state: dict[str, Any]) -> None:
    assert state["short_articles"] == 0, "an article is stored without all its events"
    assert state["orphan_mentions"] == 0, "an event is stored without its article"
    assert state["unclustered"] == 0, "an event is stored without its cluster link"
    assert len(state["mentions"]) == len(set(state["mentions"]))


@pytest.fixture(scope="module")
def reference(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], float]:
    """An uninterrupted ingest: what every killed-and-resumed database must end up as."""
    db = tmp_path_factory.mktemp("ref") / "ref.duckdb"
    start = time.monotonic()
    done = _run(corpus, db)
    elapsed = time.monotonic() - start
    assert done.returncode == 0, done.stderr
    state = _state(db)
    assert len(state["articles"]) == N_ARTICLES and state["rejections"] >= 1
    return state, elapsed


def test_reliability_crash_kill9_at_random_points_one_process(corpus: Path, reference: Any, tmp_path: Path) -> None:
    expected, full_time = reference
    rng = random.Random(SEED)
    db = tmp_path / "killed.duckdb"
    landed, seen_partial = 0, False
    for _ in range(KILLS):
        delay = rng.uniform(1.0, full_time * 1.05)
        landed += _kill_after(corpus, db, delay, workers=1)
        if not db.exists():
            continue  # killed before the store was created
        state = _state(db)
        _assert_whole(state)
        assert state["articles"] <= expected["articles"]
        assert set(state["mentions"]) <= set(expected["mentions"])
        seen_partial |= 0 < len(state["articles"]) < N_ARTICLES
    assert landed >= KILLS // 2, f"only {landed} kills landed mid-run (seed {SEED})"
    rerun = _run(corpus, db)
    assert rerun.returncode == 0, rerun.stderr
    final = _state(db)
    _assert_whole(final)
    assert final["articles"] == expected["articles"]
    assert final["mentions"] == expected["mentions"]  # all events, none twice
    assert final["rejections"] == expected["rejections"]
    print(f"crash test: seed {SEED}, {landed}/{KILLS} kills mid-run, partial state seen: {seen_partial}")


def test_reliability_crash_kill9_with_worker_pool(corpus: Path, reference: Any, tmp_path: Path) -> None:
    expected, full_time = reference
    db = tmp_path / "pool.duckdb"
    # Late enough that the pool has started and stored something, early enough to cut it short.
    landed = _kill_after(corpus, db, max(3.0, full_time * 0.7), workers=None)
    if db.exists():
        _assert_whole(_state(db))
    rerun = _run(corpus, db, workers=None)
    assert rerun.returncode == 0, rerun.stderr
    final = _state(db)
    _assert_whole(final)
    assert (final["articles"], final["mentions"]) == (expected["articles"], expected["mentions"])
    assert landed or len(final["articles"]) == N_ARTICLES
