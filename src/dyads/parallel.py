"""Coding on every core of one machine: the one place dyads starts worker processes.

Each worker process loads the spaCy model and the coder once (pool initializer) and
returns plain ``Coded`` records, never ``Doc``s; the parent only reads input and writes
results. Memory stays bounded whatever the corpus size: articles go out in chunks with
at most ``workers * inflight`` chunks outstanding, and results come back in submission
order, so the output is the same, record for record, as the single-process path.

Why "forkserver" and not "fork": forking a parent that has already started threads
(DuckDB's, a tokenizer's) can deadlock a child, and the parent never needs spaCy itself.
The fork server preloads the dyads and spaCy modules once, so each worker only pays for
loading the model (about a second), not for importing Python packages again; "spawn" is
the fallback where forkserver does not exist.
"""

from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing as mp
import os
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, Sequence

from dyads.settings import Settings
from dyads.types import Article, Rejection

if TYPE_CHECKING:
    from multiprocessing.pool import AsyncResult

    from dyads.coder import Coded, Coder

# Articles per task: large enough that pickling and queueing are noise next to parsing
# (a chunk of 32 news articles is ~1 s of work), small enough to keep workers balanced.
DEFAULT_CHUNK = 32
# Chunks outstanding per worker: 2 keeps every worker busy while the parent collects.
DEFAULT_INFLIGHT = 2
_PRELOAD = ["dyads.coder", "dyads.resolve.actors", "spacy"]

_WORKER_CODER: "Coder | None" = None  # one per worker process, set by _init_worker


def default_workers() -> int:
    """All cores this process may use (the `--workers` default)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def run(
    paths: Sequence[str | Path],
    settings: Settings | None = None,
    *,
    default_date: dt.date | None = None,
    workers: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
) -> Iterator["Coded | Rejection"]:
    """Read and code every article under `paths` on `workers` processes (1 = in this process)."""
    from dyads.ingest.readers import iter_articles

    settings = settings or Settings()
    workers = default_workers() if workers is None else workers
    if workers < 1:
        raise ValueError(f"workers must be 1 or more, got {workers}")
    if workers == 1:
        from dyads import pipeline

        yield from pipeline.run(paths, settings, default_date=default_date)
        return
    yield from code_items(iter_articles(paths, default_date=default_date), settings,
                          workers=workers, chunk_size=chunk_size)


def code_items(
    items: Iterable[Article | Rejection],
    settings: Settings | None = None,
    *,
    workers: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    inflight: int = DEFAULT_INFLIGHT,
) -> Iterator["Coded | Rejection"]:
    """Code a stream of articles on a process pool; rejections pass through in input order."""
    settings = settings or Settings()
    workers = default_workers() if workers is None else workers
    if workers < 1 or chunk_size < 1 or inflight < 1:
        raise ValueError("workers, chunk_size and inflight must all be 1 or more")
    chunks = _chunks(items, chunk_size)
    # Starting workers costs a model load each (~1-3 s): an input that fits in one chunk
    # is coded here instead, with the same result.
    head = list(itertools.islice(chunks, 2))
    if workers == 1 or len(head) < 2:
        coder = _local_coder(settings)
        for chunk in itertools.chain(head, chunks):
            yield from _merge(chunk, coder.code([a for a in chunk if isinstance(a, Article)]))
        return
    pool = _context().Pool(workers, initializer=_init_worker, initargs=(settings,))
    try:
        pending: deque[tuple[list[Article | Rejection], AsyncResult]] = deque()
        for chunk in itertools.chain(head, chunks):
            pending.append((chunk, pool.apply_async(_code_chunk, ([a for a in chunk if isinstance(a, Article)],))))
            # Bounded: wait for the oldest chunk before reading more input.
            while len(pending) >= workers * inflight:
                yield from _merge(*pending.popleft())
        while pending:
            yield from _merge(*pending.popleft())
        pool.close()
        pool.join()
    finally:
        pool.terminate()  # also on an error or an abandoned generator: no orphan workers


def _local_coder(settings: Settings) -> "Coder":
    """A coder in this process (for workers=1 and inputs too small to share out)."""
    from dyads.coder import Coder

    return Coder(settings)


def _context() -> mp.context.BaseContext:
    """forkserver with dyads and spaCy preloaded; spawn where there is no forkserver."""
    try:
        ctx = mp.get_context("forkserver")
    except ValueError:  # pragma: no cover - Windows
        return mp.get_context("spawn")
    ctx.set_forkserver_preload(_PRELOAD)
    return ctx


def _chunks(items: Iterable[Article | Rejection], size: int) -> Iterator[list[Article | Rejection]]:
    """Input items in runs holding `size` articles (rejections ride along in place)."""
    chunk: list[Article | Rejection] = []
    n = 0
    for item in items:
        chunk.append(item)
        if isinstance(item, Article):
            n += 1
            if n >= size:
                yield chunk
                chunk, n = [], 0
    if chunk:
        yield chunk


def _merge(chunk: list[Article | Rejection], result: "AsyncResult | Iterable[Coded]") -> Iterator["Coded | Rejection"]:
    """The chunk's items in input order, each article replaced by its Coded record."""
    coded = iter(result.get() if hasattr(result, "get") else result)
    for item in chunk:
        yield next(coded) if isinstance(item, Article) else item


def _init_worker(settings: Settings) -> None:
    """Load the model and the coder once per worker process."""
    global _WORKER_CODER
    # One process per core already uses every core; BLAS threads would only contend.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    from dyads.coder import Coder

    _WORKER_CODER = Coder(settings)
    _WORKER_CODER.nlp  # load now, not inside the first task's timing


def _code_chunk(articles: list[Article]) -> list["Coded"]:
    """Worker side: parse and code one chunk, returning plain picklable records."""
    assert _WORKER_CODER is not None, "worker was not initialised"
    return list(_WORKER_CODER.code(articles))
