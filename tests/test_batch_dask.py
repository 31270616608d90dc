"""Partitioned coding into Parquet shards, on a Dask LocalCluster: same store as one machine."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES
from dyads import batch, pipeline
from dyads.coder import Coded
from dyads.ingest.readers import iter_articles
from dyads.settings import Settings
from dyads.store.db import Store
from dyads.types import Article, Rejection


def _article(i: int, text: str = "Iraq's foreign minister met Iranian officials in Baghdad.") -> Article:
    return Article(id=f"a{i}", text=text)


@pytest.fixture(scope="module")
def example_items() -> list[Article | Rejection]:
    return list(iter_articles([EXAMPLES]))


@pytest.fixture(scope="module")
def coded(example_items) -> list[Coded | Rejection]:
    return list(pipeline.run([EXAMPLES]))


@pytest.fixture(scope="module")
def single_db(tmp_path_factory, coded) -> Path:
    """The single-machine ingest of the examples, as `dyads ingest --workers 1` stores it."""
    db = tmp_path_factory.mktemp("single") / "single.duckdb"
    with Store(db) as store:
        store.add_many((c.article, c.events) for c in coded if isinstance(c, Coded))
        store.add_rejections([r for c in coded for r in ((c,) if isinstance(c, Rejection) else c.rejections)])
    return db


@pytest.fixture(scope="module")
def cluster():
    """One LocalCluster for the module: two single-threaded worker processes."""
    import logging

    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as lc:
        yield lc


def _store_contents(db: Path) -> tuple[list[dict], list[str], list[tuple]]:
    with Store(db, read_only=True) as store:
        events = store.events()
        articles = [r[0] for r in store._con.execute("SELECT id FROM articles ORDER BY id").fetchall()]
        rejections = sorted((r["origin"], r["stage"], r["reason"], r["article_id"]) for r in store.rejections())
    return events, articles, rejections


# -- partitions and shards (no cluster) ----------------------------------------------


@pytest.mark.parametrize(
    "n_articles, size, expected_sizes",
    [(5, 2, [2, 2, 1]), (4, 2, [2, 2]), (1, 10, [1]), (0, 3, [])],
)
def test_batch_partitions_hold_size_articles(n_articles, size, expected_sizes):
    parts = list(batch.partitions((_article(i) for i in range(n_articles)), size))
    assert [len(p.items) for p in parts] == expected_sizes
    assert [p.name for p in parts] == [f"part-{i:06d}" for i in range(len(expected_sizes))]


@pytest.mark.parametrize("change", ["text", "id", "order"])
def test_batch_fingerprint_changes_with_the_input(change):
    base = (_article(0), _article(1))
    changed = {
        "text": (_article(0, "Syria's army shelled Idlib."), _article(1)),
        "id": (_article(0), _article(2)),
        "order": (_article(1), _article(0)),
    }[change]
    assert batch.Partition(0, base).fingerprint != batch.Partition(0, changed).fingerprint


def test_batch_event_records_round_trip(coded):
    events = [e for c in coded if isinstance(c, Coded) for e in c.events]
    assert events
    assert [batch.event_from_record(json.loads(json.dumps(e.to_dict()))) for e in events] == events


def test_batch_partition_shards_round_trip(tmp_path, example_items, coded):
    part = batch.Partition(0, tuple(example_items))
    result = batch.write_partition(tmp_path, part, coded)
    pairs, rejections = batch.read_partition(tmp_path, part.name)
    assert pairs == [(c.article, c.events) for c in coded if isinstance(c, Coded)]
    assert rejections == [r for c in coded for r in ((c,) if isinstance(c, Rejection) else c.rejections)]
    assert result.events == sum(len(evs) for _, evs in pairs)


def test_batch_done_marker_needs_the_same_partition(tmp_path, example_items, coded):
    part = batch.Partition(0, tuple(example_items))
    assert batch.is_done(tmp_path, part) is None
    batch.write_partition(tmp_path, part, coded)
    assert batch.is_done(tmp_path, part).skipped
    other = batch.Partition(0, tuple(example_items[1:]))
    assert batch.is_done(tmp_path, other) is None


def test_batch_writes_leave_no_temporary_files(tmp_path, example_items, coded):
    batch.write_partition(tmp_path, batch.Partition(0, tuple(example_items)), coded)
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]


@pytest.mark.parametrize(
    "query",
    [{}, {"event": "assault"}, {"actor": "IRQ"}, {"recipient": "irn"}, {"limit": 3}],
    ids=["all", "event", "actor", "recipient", "limit"],
)
def test_batch_parquet_query_matches_the_store(tmp_path, example_items, coded, single_db, query):
    batch.write_partition(tmp_path, batch.Partition(0, tuple(example_items)), coded)
    with Store(single_db, read_only=True) as store:
        expected = store.events(**query)
    assert batch.query_events(tmp_path, **query) == expected


def test_batch_parquet_query_needs_shards(tmp_path):
    with pytest.raises(FileNotFoundError):
        batch.query_events(tmp_path)


# -- on a Dask LocalCluster ------------------------------------------------------------


def test_batch_dask_store_equals_single_machine_store(tmp_path, cluster, single_db):
    from dyads.batch import dask_engine

    db = tmp_path / "dask.duckdb"
    summary, result, _ = dask_engine.ingest([EXAMPLES], db, tmp_path / "shards", Settings(),
                                            scheduler=cluster.scheduler_address, partition_size=3)
    assert len(summary.results) > 2  # really split
    assert _store_contents(db) == _store_contents(single_db)
    assert result.added == len(_store_contents(single_db)[1])


def test_batch_dask_rerun_skips_finished_partitions(tmp_path, cluster):
    from dyads.batch import dask_engine

    first = dask_engine.run([EXAMPLES], tmp_path, scheduler=cluster.scheduler_address, partition_size=4)
    again = dask_engine.run([EXAMPLES], tmp_path, scheduler=cluster.scheduler_address, partition_size=4)
    assert first.skipped == 0
    assert again.skipped == len(again.results) == len(first.results)


def flaky_task(partition, settings, out_dir):
    """Fails the first attempt at each partition (state in a file: attempts may change process)."""
    flag = Path(out_dir) / f"tried-{partition.name}"
    if not flag.exists():
        flag.touch()
        raise RuntimeError("simulated worker failure")
    return batch.code_partition(partition, settings, out_dir)


def broken_task(partition, settings, out_dir):
    """Always fails on the first partition."""
    if partition.index == 0:
        raise RuntimeError("simulated bad partition")
    return batch.code_partition(partition, settings, out_dir)


@pytest.fixture()
def by_value():
    """Ship this module's task functions to the workers by value (they cannot import tests/)."""
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    yield
    cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


def test_batch_dask_retries_a_failed_partition(tmp_path, cluster, by_value):
    from dyads.batch import dask_engine

    summary = dask_engine.run([EXAMPLES], tmp_path, scheduler=cluster.scheduler_address, partition_size=4,
                              retries=1, task=flaky_task)
    assert summary.names == batch.finished_partitions(tmp_path)


def test_batch_dask_reports_a_partition_that_keeps_failing(tmp_path, cluster, by_value):
    from dyads.batch import dask_engine

    with pytest.raises(dask_engine.PartitionsFailedError) as err:
        dask_engine.run([EXAMPLES], tmp_path, scheduler=cluster.scheduler_address, partition_size=4,
                        retries=1, task=broken_task)
    assert list(err.value.failed) == ["part-000000"]
    assert "part-000000" not in batch.finished_partitions(tmp_path)
    assert "part-000001" in batch.finished_partitions(tmp_path)


def test_batch_dask_cli_ingest_and_parquet_query_match_single_machine(tmp_path, single_db):
    """`dyads ingest --engine dask` then `dyads events --parquet` give the single-machine events."""
    import os
    import subprocess

    from conftest import ROOT

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}

    def dyads(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "dyads.cli.main", *args], capture_output=True, text=True,
                              env=env, timeout=600)

    db = tmp_path / "cli.duckdb"
    proc = dyads("ingest", str(EXAMPLES), "--db", str(db), "--engine", "dask", "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    with Store(single_db, read_only=True) as store:
        expected = store.events()
    from_parquet = dyads("events", "--parquet", str(tmp_path / "cli.duckdb.shards"))
    from_db = dyads("events", "--db", str(db))
    assert [json.loads(line) for line in from_parquet.stdout.splitlines()] == expected
    assert [json.loads(line) for line in from_db.stdout.splitlines()] == expected
