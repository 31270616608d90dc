"""Concurrency: the server keeps answering reads (on a consistent snapshot) while
POST /articles batches are coded and stored; two ingests on one database serialise or one
fails with a clear message, and the database stays whole."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from dyads.api.app import create_app
from dyads.api.server import background_server
from dyads.store.db import Store

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "articles"


def _paragraphs() -> list[str]:
    paras: list[str] = []
    for path in sorted(EXAMPLES.glob("*.txt")):
        paras += [p.strip() for p in path.read_text("utf-8").split("\n\n") if len(p.strip()) > 80]
    return paras


def _articles(n: int, seed: int, prefix: str) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    paras = _paragraphs()
    return [{"id": f"{prefix}{i:04d}", "text": "\n\n".join(rng.sample(paras, 2)), "date": "2020-06-01"}
            for i in range(n)]


def _whole(con: Any) -> tuple[int, int]:
    """(articles missing events, events without article) on one snapshot."""
    short = con.execute("SELECT count(*) FROM articles a WHERE a.n_events <>"
                        " (SELECT count(*) FROM mentions m WHERE m.article_id = a.id)").fetchone()[0]
    orphans = con.execute("SELECT count(*) FROM mentions WHERE article_id NOT IN (SELECT id FROM articles)"
                          ).fetchone()[0]
    return short, orphans


def test_reliability_concurrency_reads_answer_during_article_posts(tmp_path: Path, coder: Any) -> None:
    application = create_app(tmp_path / "busy.duckdb", coder=coder)
    service = application.state.service
    batches = [_articles(10, seed, f"b{seed}-") for seed in range(6)]
    statuses: list[int] = []
    latencies: list[float] = []
    snapshots: list[tuple[int, int, int]] = []
    failures: list[str] = []
    posting = threading.Event()
    done = threading.Event()

    def reader(path: str, base: str) -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            while not done.is_set():
                start = time.monotonic()
                try:
                    r = client.get(path)
                except httpx.HTTPError as exc:
                    failures.append(f"{path}: {exc!r}")
                    continue
                latencies.append(time.monotonic() - start)
                statuses.append(r.status_code)
                if path == "/health" and posting.is_set():
                    with service.read() as s:  # the snapshot a reader sees is whole
                        short, orphans = _whole(s._con)
                        n = s._con.execute("SELECT count(*) FROM articles").fetchone()[0]
                    snapshots.append((n, short, orphans))
                time.sleep(0.02)

    with background_server(application) as base:
        readers = [threading.Thread(target=reader, args=(p, base)) for p in
                   ("/events?limit=20", "/series?by=month", "/health", "/actors")]
        for t in readers:
            t.start()
        posting.set()
        try:
            with httpx.Client(base_url=base, timeout=300) as client:
                posted = [client.post("/articles", json=batch) for batch in batches]
        finally:
            done.set()
            for t in readers:
                t.join(30)
        final = httpx.get(f"{base}/health", timeout=30).json()["counts"]
    assert [r.status_code for r in posted] == [201] * len(batches)
    assert not failures, failures[:3]
    assert statuses and set(statuses) == {200}
    assert len(statuses) >= 20, "reads did not keep answering while articles were stored"
    latencies.sort()
    assert latencies[int(len(latencies) * 0.95)] < 5.0, latencies[-5:]
    assert snapshots and all(short == 0 and orphans == 0 for _, short, orphans in snapshots)
    assert final["articles"] == sum(len(b) for b in batches)


def test_reliability_concurrency_two_ingests_on_one_database(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join(json.dumps(a) for a in _articles(60, 1, "two-")) + "\n")
    db = tmp_path / "two.duckdb"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    cmd = [sys.executable, "-m", "dyads", "ingest", str(corpus), "--db", str(db), "--workers", "1"]
    first = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    second = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    outs = [(p.wait(300), p.communicate()[1]) for p in (first, second)]
    codes = sorted(code for code, _ in outs)
    assert codes in ([0, 0], [0, 2]), outs
    for code, err in outs:
        if code == 2:
            assert "in use by another dyads process" in err
            assert "Traceback" not in err
    with Store(db) as store:
        assert _whole(store._con) == (0, 0)
        assert store.counts()["articles"] == 60
        mentions = store._con.execute("SELECT count(*), count(DISTINCT id) FROM mentions").fetchone()
        assert mentions[0] == mentions[1]
