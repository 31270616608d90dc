"""Coding on a process pool: same records as one process, in input order, bounded reading."""

from __future__ import annotations

import itertools

import pytest

from conftest import EXAMPLES
from dyads import parallel, pipeline
from dyads.coder import Coded
from dyads.ingest.readers import iter_articles
from dyads.settings import Settings
from dyads.types import Article, Rejection


def _article(i: int) -> Article:
    return Article(id=f"a{i}", text=f"Iraq's foreign minister met Iranian officials in Baghdad on day {i}.")


def _rejection(i: int) -> Rejection:
    return Rejection(f"in.jsonl:{i}", "read", "empty", "empty line")


@pytest.fixture(scope="module")
def example_items() -> list[Article | Rejection]:
    return list(iter_articles([EXAMPLES]))


@pytest.fixture(scope="module")
def single_process(example_items) -> list[Coded | Rejection]:
    return list(pipeline.run([EXAMPLES]))


@pytest.fixture(scope="module")
def pooled(example_items) -> list[Coded | Rejection]:
    # chunk_size=2 forces several chunks onto two workers, so order could go wrong.
    return list(parallel.code_items(example_items, Settings(), workers=2, chunk_size=2))


def test_parallel_pool_gives_the_single_process_records(single_process, pooled):
    assert [c for c in pooled if isinstance(c, Coded)] == [c for c in single_process if isinstance(c, Coded)]


def test_parallel_pool_keeps_input_order(example_items, pooled):
    ids = [c.article.id if isinstance(c, Coded) else c.origin for c in pooled]
    assert ids == [i.id if isinstance(i, Article) else i.origin for i in example_items]


def test_parallel_pool_codes_some_events(pooled):
    assert sum(len(c.events) for c in pooled if isinstance(c, Coded)) > 5


def test_parallel_run_with_one_worker_is_the_pipeline(single_process):
    assert list(parallel.run([EXAMPLES], workers=1)) == single_process


@pytest.mark.parametrize(
    "items, size, expected",
    [
        ([_article(0), _article(1), _article(2)], 2, [["a0", "a1"], ["a2"]]),
        ([_rejection(0), _article(0), _rejection(1), _article(1)], 1, [["in.jsonl:0", "a0"], ["in.jsonl:1", "a1"]]),
        ([_article(0), _rejection(1)], 5, [["a0", "in.jsonl:1"]]),
        ([], 3, []),
    ],
    ids=["articles", "rejections-ride-along", "one-short-chunk", "empty"],
)
def test_parallel_chunks_count_articles_and_keep_rejections_in_place(items, size, expected):
    got = [[i.id if isinstance(i, Article) else i.origin for i in chunk] for chunk in parallel._chunks(items, size)]
    assert got == expected


def test_parallel_pool_reads_input_lazily():
    """Bounded memory: with 2 workers x 2 chunks in flight, the first result needs ~5 chunks read."""
    read = itertools.count()

    def endless():
        for i in itertools.count():
            next(read)
            yield _article(i)

    results = parallel.code_items(endless(), Settings(), workers=2, chunk_size=3, inflight=2)
    first = next(results)
    results.close()  # stops the pool
    assert first.article.id == "a0"
    assert next(read) <= 3 * (2 * 2 + 1) + 1


@pytest.mark.parametrize("kwargs", [{"workers": 0}, {"workers": 2, "chunk_size": 0}, {"workers": 2, "inflight": 0}])
def test_parallel_rejects_nonpositive_sizes(kwargs):
    with pytest.raises(ValueError):
        list(parallel.code_items([_article(0)], **kwargs))


def test_parallel_default_workers_is_at_least_one():
    assert parallel.default_workers() >= 1
