"""Coding on a Dask cluster: the one dyads module that imports dask (import it lazily).

The driver streams the input, cuts it into partitions and submits each as one task
(at most a few per worker at a time, so its memory stays bounded). A worker codes its
partition with a coder it loads once and writes Parquet shards plus a done-marker
(``dyads.batch``). Failed tasks are retried by Dask; a partition that still fails is
reported at the end while every other partition is finished, so a rerun recodes only it.
With no scheduler address a ``LocalCluster`` of one single-threaded process per core
runs on this machine.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from distributed import Client, LocalCluster, wait

from dyads.batch import (
    DEFAULT_PARTITION_SIZE,
    Partition,
    PartitionResult,
    code_partition,
    is_done,
    load_into_store,
    partitions,
)
from dyads.settings import Settings

DEFAULT_RETRIES = 2
INFLIGHT_PER_WORKER = 2  # partitions queued per worker: keeps it busy, bounds driver memory


class PartitionsFailedError(RuntimeError):
    """Some partitions failed after their retries; the rest are finished and kept."""

    def __init__(self, failed: dict[str, str]) -> None:
        self.failed = failed
        names = ", ".join(sorted(failed))
        super().__init__(f"{len(failed)} partition(s) failed after retries ({names}); "
                         "rerun the same command to retry only those")


@dataclass(frozen=True, slots=True)
class RunSummary:
    """Which partitions a run covered, in input order, and what each produced."""

    out_dir: Path
    results: tuple[PartitionResult, ...]
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [r.name for r in self.results]

    @property
    def skipped(self) -> int:
        return sum(r.skipped for r in self.results)


def run(
    paths: Sequence[str | Path],
    out_dir: str | Path,
    settings: Settings | None = None,
    *,
    default_date: dt.date | None = None,
    scheduler: str | None = None,
    n_workers: int | None = None,
    partition_size: int = DEFAULT_PARTITION_SIZE,
    retries: int = DEFAULT_RETRIES,
    task: Callable[[Partition, Settings, str], PartitionResult] = code_partition,
) -> RunSummary:
    """Code everything under `paths` on a Dask cluster into Parquet shards under `out_dir`."""
    from dyads.ingest.readers import iter_articles

    settings = settings or Settings()
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    with _client(scheduler, n_workers) as client:
        limit = INFLIGHT_PER_WORKER * max(1, len(client.scheduler_info(n_workers=-1)["workers"]))
        results: dict[int, PartitionResult] = {}
        failed: dict[str, str] = {}
        running: dict[Any, Partition] = {}
        run_id = uuid.uuid4().hex[:8]  # task keys unique per run: a shared scheduler may hold older ones
        for part in partitions(iter_articles(paths, default_date=default_date), partition_size):
            done = is_done(out, part)  # skip finished work without shipping it
            if done is not None:
                results[part.index] = done
                continue
            fut = client.submit(task, part, settings, str(out), key=f"dyads-{part.name}-{run_id}",
                                retries=retries, pure=False)
            running[fut] = part
            if len(running) >= limit:
                _collect(wait(list(running), return_when="FIRST_COMPLETED").done, running, results, failed)
        while running:
            _collect(wait(list(running), return_when="FIRST_COMPLETED").done, running, results, failed)
    summary = RunSummary(out, tuple(results[i] for i in sorted(results)), failed)
    if failed:
        raise PartitionsFailedError(failed)
    return summary


def ingest(
    paths: Sequence[str | Path],
    db: str | Path,
    out_dir: str | Path,
    settings: Settings | None = None,
    **kwargs: Any,
) -> tuple[RunSummary, Any, int]:
    """`run`, then load the shards into the store at `db`: (summary, BatchResult, new rejections)."""
    from dyads.store.db import Store

    summary = run(paths, out_dir, settings, **kwargs)
    with Store(db) as store:
        result, rejections = load_into_store(store, summary.out_dir, summary.names)
    return summary, result, rejections


def _collect(done: set, running: dict, results: dict[int, PartitionResult], failed: dict[str, str]) -> None:
    """Move finished futures into results (or failures), releasing their partitions."""
    for fut in done:
        part = running.pop(fut)
        try:
            results[part.index] = fut.result()
        except Exception as exc:  # after Dask's retries: report, keep the other partitions
            failed[part.name] = f"{type(exc).__name__}: {exc}"
        fut.release()


class _client:
    """A Client on `scheduler`, or on a LocalCluster of one single-threaded process per core."""

    def __init__(self, scheduler: str | None, n_workers: int | None) -> None:
        self.scheduler, self.n_workers = scheduler, n_workers
        self.cluster: LocalCluster | None = None

    def __enter__(self) -> Client:
        if self.scheduler:
            self.client = Client(self.scheduler)
            return self.client
        from dyads.parallel import default_workers

        # Threads share one spaCy pipeline badly (the GIL): one process per core instead.
        self.cluster = LocalCluster(n_workers=self.n_workers or default_workers(), threads_per_worker=1,
                                    processes=True, dashboard_address=None, silence_logs=logging.ERROR)
        self.client = Client(self.cluster)
        return self.client

    def __exit__(self, *exc: object) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
