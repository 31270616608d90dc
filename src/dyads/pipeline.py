"""Paths in, coded articles and rejections out: the library behind `dyads code` and `dyads ingest`."""

from __future__ import annotations

import datetime as dt
from collections import deque
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from dyads.coder import Coded, Coder
from dyads.ingest.readers import iter_articles
from dyads.settings import Settings
from dyads.types import Article, Rejection


def run(
    paths: Sequence[str | Path],
    settings: Settings | None = None,
    *,
    default_date: dt.date | None = None,
    coder: Coder | None = None,
) -> Iterator[Coded | Rejection]:
    """Read, clean and code every article under `paths`, streaming; bad inputs become Rejections."""
    coder = coder or Coder(settings)
    pending: deque[Rejection] = deque()

    def articles() -> Iterator[Article]:
        for item in iter_articles(paths, default_date=default_date):
            if isinstance(item, Rejection):
                pending.append(item)
            else:
                yield item

    for coded in coder.code(articles()):
        while pending:
            yield pending.popleft()
        yield coded
    while pending:
        yield pending.popleft()


def code_articles(articles: Iterable[Article], settings: Settings | None = None, *, coder: Coder | None = None) -> Iterator[Coded]:
    """Code already-read articles (the function worker processes and clusters call)."""
    yield from (coder or Coder(settings)).code(articles)
