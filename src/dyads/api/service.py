"""The server's one store: a single writer thread, and a fresh cursor for every read.

DuckDB lets one process open a file for writing, so the server process owns the only
connection. Writes (``POST /articles``) are queued to one thread that uses the
``Store``; reads run on cursors (DuckDB's per-thread connections to the same database)
and see the last committed state, so a long write never blocks them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import duckdb

from dyads.store.db import BatchResult, Store

if TYPE_CHECKING:
    from dyads.coder import Coded, Coder
    from dyads.types import Article

T = TypeVar("T")


@dataclass(slots=True)
class ReadSession:
    """What ``dyads.store.queries`` needs of a store (its ``_con``), on a private cursor."""

    _con: duckdb.DuckDBPyConnection
    path: Path


class StoreService:
    """Owns the store: serialised writes on one thread, concurrent reads on cursors."""

    def __init__(self, path: str | Path, coder: Coder | None = None) -> None:
        self.path = Path(path)
        self._store = Store(self.path)
        # Cursors are made from a root cursor that only the read side touches, under a
        # lock: the Store's own connection belongs to the writer thread alone.
        self._root = self._store._con.cursor()  # noqa: SLF001 - the store's owner
        self._root_lock = threading.Lock()
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dyads-writer")
        self._coder = coder
        self._coder_lock = threading.Lock()  # spaCy pipelines are not made for threads

    # -- lifecycle ----------------------------------------------------------------

    def close(self) -> None:
        """Finish queued writes, then release the database file."""
        self._writer.shutdown(wait=True)
        self._root.close()
        self._store.close()

    # -- reads --------------------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator[ReadSession]:
        """A read session on its own cursor; closed when the block ends."""
        with self._root_lock:
            cur = self._root.cursor()
        try:
            yield ReadSession(cur, self.path)
        finally:
            cur.close()

    # -- writes -------------------------------------------------------------------

    def write(self, fn: Callable[[Store], T], timeout: float | None = None) -> T:
        """Run ``fn(store)`` on the writer thread and wait for its result."""
        return self._writer.submit(fn, self._store).result(timeout)

    def add_many(self, items: Sequence[tuple[Article, Sequence[Any]]]) -> BatchResult:
        """Store coded articles through the writer (whole articles per transaction)."""
        return self.write(lambda store: store.add_many(items))

    # -- coding -------------------------------------------------------------------

    @property
    def coder(self) -> Coder:
        """The coder, built on first use (loading the spaCy model takes seconds)."""
        with self._coder_lock:
            if self._coder is None:
                from dyads.coder import Coder

                self._coder = Coder()
            return self._coder

    def code(self, articles: Iterable[Article]) -> list[Coded]:
        """Code articles, one request at a time through the shared pipeline."""
        coder = self.coder
        with self._coder_lock:
            return list(coder.code(articles))
