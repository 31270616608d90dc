"""Coding in partitions that write Parquet shards: the storage side of distributed runs.

A run splits the input stream into numbered partitions. Coding one partition writes three
Parquet shards under the output directory (``articles/``, ``events/``, ``rejections/``,
one file per partition, each named ``part-NNNNNN.parquet``) and then a done-marker
``_done/part-NNNNNN.json`` holding the partition's fingerprint. Every file is written to a
temporary name and renamed, so a crash leaves either a finished partition or none, and a
rerun skips exactly the finished ones. The shards are a Parquet dataset that DuckDB
queries directly (``dyads events --parquet DIR``) or that ``load_into_store`` copies into
a ``Store`` in partition order, giving the same store as the single-machine path.

Nothing here imports dask (that is ``dyads.batch.dask_engine``); pyarrow is imported
only by the functions that read or write shards.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

from dyads.settings import Settings
from dyads.types import Article, Entity, Event, Location, Modality, Rejection, TextInfo

if TYPE_CHECKING:
    from dyads.coder import Coded, Coder
    from dyads.store.db import BatchResult, Store

TABLES = ("articles", "events", "rejections")
DONE_DIR = "_done"
DEFAULT_PARTITION_SIZE = 250  # articles per partition: ~10-30 s of one core, ~1 MB of text


ENGINES = ("local", "dask")


def run_engine(
    paths: Sequence[str | Path],
    settings: Settings | None = None,
    *,
    default_date: dt.date | None = None,
    engine: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    shard_dir: str | Path | None = None,
) -> Iterator["Coded | Rejection"]:
    """Coded records in input order from the chosen engine: what `dyads code`/`ingest` consume.

    "local" codes on `workers` processes of this machine (default all cores, 1 = in this
    process). "dask" codes on the cluster at `scheduler` (a LocalCluster of `workers`
    processes when None) into Parquet shards under `shard_dir` (a temporary directory,
    removed afterwards, when None; keep one to let a rerun skip finished partitions).
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    if engine == "local":
        if scheduler is not None:
            raise ValueError("a scheduler address needs engine 'dask'")
        from dyads import parallel

        yield from parallel.run(paths, settings, default_date=default_date, workers=workers)
        return
    import tempfile

    from dyads.batch import dask_engine

    with tempfile.TemporaryDirectory(prefix="dyads-shards-") if shard_dir is None else contextlib.nullcontext(shard_dir) as out:
        summary = dask_engine.run(paths, out, settings, default_date=default_date, scheduler=scheduler,
                                  n_workers=workers)
        yield from iter_results(summary.out_dir, summary.names)


@dataclass(frozen=True, slots=True)
class Partition:
    """A numbered run of input items (articles, and reader rejections in place)."""

    index: int
    items: tuple[Article | Rejection, ...]

    @property
    def name(self) -> str:
        return f"part-{self.index:06d}"

    @property
    def fingerprint(self) -> str:
        """What the partition holds, so a rerun on changed input recodes it."""
        h = hashlib.sha1()
        for item in self.items:
            key = (f"A\t{item.id}\t{item.published}\t{hashlib.sha1(item.text.encode('utf-8')).hexdigest()}"
                   if isinstance(item, Article) else f"R\t{item.origin}\t{item.reason}\t{item.article_id}")
            h.update(key.encode("utf-8") + b"\n")
        return h.hexdigest()


@dataclass(frozen=True, slots=True)
class PartitionResult:
    """What coding one partition produced (or found already done)."""

    name: str
    articles: int
    events: int
    rejections: int
    skipped: bool = False  # finished by an earlier run


def partitions(items: Iterable[Article | Rejection], size: int = DEFAULT_PARTITION_SIZE) -> Iterator[Partition]:
    """Cut an item stream into partitions of `size` articles, streaming."""
    if size < 1:
        raise ValueError(f"partition size must be 1 or more, got {size}")
    chunk: list[Article | Rejection] = []
    n = index = 0
    for item in items:
        chunk.append(item)
        n += isinstance(item, Article)
        if n >= size:
            yield Partition(index, tuple(chunk))
            chunk, n, index = [], 0, index + 1
    if chunk:
        yield Partition(index, tuple(chunk))


def is_done(out_dir: str | Path, partition: Partition) -> PartitionResult | None:
    """The earlier result if this exact partition was finished before, else None."""
    marker = Path(out_dir) / DONE_DIR / f"{partition.name}.json"
    try:
        data = json.loads(marker.read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    if data.get("fingerprint") != partition.fingerprint:
        return None
    if not all((Path(out_dir) / t / f"{partition.name}.parquet").is_file() for t in TABLES):
        return None
    return PartitionResult(partition.name, data["articles"], data["events"], data["rejections"], skipped=True)


def code_partition(partition: Partition, settings: Settings, out_dir: str) -> PartitionResult:
    """Code one partition and write its shards and done-marker (the task a worker runs)."""
    done = is_done(out_dir, partition)
    if done is not None:
        return done
    articles = [i for i in partition.items if isinstance(i, Article)]
    coded = iter(_worker_coder(settings).code(articles))
    items = [next(coded) if isinstance(i, Article) else i for i in partition.items]
    return write_partition(out_dir, partition, items)


@functools.lru_cache(maxsize=2)
def _worker_coder(settings: Settings) -> "Coder":
    """One coder (and spaCy model) per worker process, reused by every task it runs."""
    from dyads.coder import Coder

    return Coder(settings)


def write_partition(out_dir: str | Path, partition: Partition, items: Sequence["Coded | Rejection"]) -> PartitionResult:
    """Write a coded partition's three shards, then its done-marker, each atomically."""
    import pyarrow as pa

    from dyads.coder import Coded

    coded = [i for i in items if isinstance(i, Coded)]
    rejections = [r for i in items for r in ((i,) if isinstance(i, Rejection) else i.rejections)]
    events = [e for c in coded for e in c.events]
    article_schema, event_schema, rejection_schema = _schemas()
    tables = {
        "articles": pa.Table.from_pylist([_article_row(c.article, len(c.events)) for c in coded], article_schema),
        "events": pa.Table.from_pylist([_event_row(e) for e in events], event_schema),
        "rejections": pa.Table.from_pylist([_rejection_row(r) for r in rejections], rejection_schema),
    }
    for name, table in tables.items():
        _write_table(Path(out_dir) / name / f"{partition.name}.parquet", table)
    result = PartitionResult(partition.name, len(coded), len(events), len(rejections))
    marker = {"fingerprint": partition.fingerprint, "articles": result.articles,
              "events": result.events, "rejections": result.rejections}
    _atomic_write(Path(out_dir) / DONE_DIR / f"{partition.name}.json", json.dumps(marker).encode("utf-8"))
    return result


def read_partition(out_dir: str | Path, name: str) -> tuple[list[tuple[Article, tuple[Event, ...]]], list[Rejection]]:
    """One finished partition as (article, events) pairs in input order, and its rejections."""
    import pyarrow.parquet as pq

    base = Path(out_dir)
    by_article: dict[str, list[Event]] = {}
    for row in pq.read_table(base / "events" / f"{name}.parquet", columns=["article_id", "record"]).to_pylist():
        by_article.setdefault(row["article_id"], []).append(event_from_record(json.loads(row["record"])))
    pairs = [(article, tuple(by_article.get(article.id, ())))
             for article in map(_article_from_row, pq.read_table(base / "articles" / f"{name}.parquet").to_pylist())]
    rejections = [Rejection(**row) for row in pq.read_table(base / "rejections" / f"{name}.parquet").to_pylist()]
    return pairs, rejections


def iter_results(out_dir: str | Path, names: Iterable[str]) -> Iterator["Coded | Rejection"]:
    """Finished partitions read back in order: each article's Coded record, then the partition's rejections."""
    from dyads.coder import Coded

    for name in names:
        pairs, rejections = read_partition(out_dir, name)
        yield from (Coded(a, evs) for a, evs in pairs)
        yield from rejections


def load_into_store(store: "Store", out_dir: str | Path, names: Iterable[str]) -> tuple["BatchResult", int]:
    """Copy finished partitions into a store in order; returns add_many's result and new rejections."""
    from dyads.store.db import BatchResult

    total, new_rejections = BatchResult(), 0
    for name in names:
        pairs, rejections = read_partition(out_dir, name)
        total += store.add_many(pairs)
        if rejections:
            new_rejections += store.add_rejections(rejections)
    return total, new_rejections


def finished_partitions(out_dir: str | Path) -> list[str]:
    """Names of the partitions with a done-marker, in order."""
    return sorted(p.stem for p in (Path(out_dir) / DONE_DIR).glob("part-*.json"))


def query_events(
    parquet_dir: str | Path,
    *,
    actor: str | None = None,
    recipient: str | None = None,
    event: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Event records straight from a shard directory, filtered and ordered like ``Store.events``."""
    import duckdb

    pattern = Path(parquet_dir) / "events" / "*.parquet"
    if not any(pattern.parent.glob("*.parquet")):
        raise FileNotFoundError(f"no event shards in {pattern.parent}; run `dyads ingest --engine dask` first")
    from dyads.store.queries import Filters

    # The same filters as the store's queries: fixed SQL fragments, every value a parameter.
    where, params = Filters(actor, recipient, event, since, until).where("s")
    sql = "SELECT record FROM read_parquet(?) s"
    params.insert(0, str(pattern))
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY s.date NULLS LAST, s.id"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    con = duckdb.connect()
    try:
        return [json.loads(r[0]) for r in con.execute(sql, params).fetchall()]
    finally:
        con.close()


# -- records <-> rows -------------------------------------------------------------


def event_from_record(rec: dict[str, Any]) -> Event:
    """The inverse of ``Event.to_dict``: a shard's JSON record back to the Event."""
    def entity(d: dict[str, Any] | None) -> Entity | None:
        return None if d is None else Entity(**d)

    info, trig = rec["text_info"], rec["trigger"]
    return Event(
        id=rec["id"], article_id=rec["article_id"],
        date=dt.date.fromisoformat(rec["date"]) if rec["date"] else None,
        date_precision=rec["date_precision"], date_text=rec["date_text"], event=rec["event"],
        mode=rec["mode"], context=tuple(rec["context"]), cameo=rec["cameo"], quad_code=rec["quad_code"],
        event_scale=rec["event_scale"],
        actor=tuple(Entity(**a) for a in rec["actor"]), recipient=tuple(Entity(**r) for r in rec["recipient"]),
        event_loc=Location(**rec["event_loc"]) if rec["event_loc"] else None,
        event_text=rec["event_text"], text=rec["text"],
        text_info=TextInfo(info["sentence"], info["start"], info["end"]),
        modality=Modality(**rec["modality"]), attribution=entity(rec["attribution"]),
        confidence=rec["confidence"], coder=rec["coder"], rule=rec["rule"],
        trigger_start=trig["start"], trigger_end=trig["end"],
    )


@functools.lru_cache(maxsize=1)
def _schemas() -> tuple[Any, Any, Any]:
    """Arrow schemas of the article, event and rejection shards (built on first use: pyarrow loads lazily)."""
    import pyarrow as pa

    s, d = pa.string(), pa.date32()
    articles = pa.schema([("id", s), ("title", s), ("url", s), ("source", s), ("published", d), ("origin", s),
                          ("text", s), ("n_events", pa.int32())])
    events = pa.schema([("id", s), ("article_id", s), ("date", d), ("date_precision", s), ("event", s),
                        ("mode", s), ("cameo", s), ("quad_code", pa.int8()), ("event_scale", pa.float64()),
                        ("actor_code", s), ("actor_codes", pa.list_(s)), ("recipient_code", s),
                        ("recipient_codes", pa.list_(s)), ("country_code", s), ("lat", pa.float64()),
                        ("lon", pa.float64()), ("sentence", pa.int32()), ("confidence", pa.float64()),
                        ("coder", s), ("rule", s), ("record", s)])
    rejections = pa.schema([("origin", s), ("stage", s), ("reason", s), ("message", s), ("article_id", s)])
    return articles, events, rejections


def _codes(entities: Sequence[Entity]) -> list[str]:
    return list(dict.fromkeys(e.code for e in entities if e.code))


def _article_row(a: Article, n_events: int) -> dict[str, Any]:
    return {"id": a.id, "title": a.title, "url": a.url, "source": a.source, "published": a.published,
            "origin": a.origin, "text": a.text, "n_events": n_events}


def _article_from_row(row: dict[str, Any]) -> Article:
    return Article(id=row["id"], text=row["text"], title=row["title"], url=row["url"], source=row["source"],
                   published=row["published"], origin=row["origin"])


def _event_row(e: Event) -> dict[str, Any]:
    actors, recipients = _codes(e.actor), _codes(e.recipient)
    loc = e.event_loc
    return {"id": e.id, "article_id": e.article_id, "date": e.date, "date_precision": e.date_precision,
            "event": e.event, "mode": e.mode, "cameo": e.cameo, "quad_code": e.quad_code,
            "event_scale": float(e.event_scale), "actor_code": actors[0] if actors else None,
            "actor_codes": actors, "recipient_code": recipients[0] if recipients else None,
            "recipient_codes": recipients, "country_code": loc.country_code if loc else None,
            "lat": loc.lat if loc else None, "lon": loc.lon if loc else None,
            "sentence": e.text_info.sentence, "confidence": e.confidence, "coder": e.coder, "rule": e.rule,
            "record": json.dumps(e.to_dict(), ensure_ascii=False)}


def _rejection_row(r: Rejection) -> dict[str, Any]:
    return {"origin": r.origin, "stage": r.stage, "reason": r.reason, "message": r.message,
            "article_id": r.article_id}


def _write_table(path: Path, table: Any) -> None:
    """Write a Parquet file under a temporary name, then rename it into place."""
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _atomic_write(path: Path, data: bytes) -> None:
    """Write bytes to a temporary file, flush to disk, then rename: readers never see half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
