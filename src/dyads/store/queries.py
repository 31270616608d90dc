"""Read queries over a dyads store: events or event clusters, dyad series, actors, export rows.

Library functions returning plain rows (dicts), shared by the CLI and the REST API; the
dyad series also comes as pages, a pyarrow Table, or CSV/JSON written by DuckDB, since
all dyads of a large store make ~100k rows.

Every aggregation runs in DuckDB SQL; only fixed SQL fragments are joined, and every
user value is a bound parameter.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Literal

import duckdb

from dyads.types import PLOVER_TYPES

if TYPE_CHECKING:
    import pyarrow as pa

    from dyads.store.db import Store

Unit = Literal["mention", "event"]
Period = Literal["day", "week", "month", "year"]
UNITS: tuple[str, ...] = ("mention", "event")
PERIODS: tuple[str, ...] = ("day", "week", "month", "year")
CLUSTER_FIELDS: tuple[str, ...] = (
    "cluster_id", "n_mentions", "n_articles", "n_sources", "first_reported", "last_reported",
)
QUADS: tuple[tuple[int, str], ...] = (
    (1, "verbal_coop"), (2, "material_coop"), (3, "verbal_conflict"), (4, "material_conflict"),
)
# Period label and the date precisions fine enough to be counted in such a period:
# a month-dated event belongs to no particular day or week.
_PERIOD_FORMAT = {"day": "%Y-%m-%d", "week": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}
_PERIOD_PRECISIONS = {
    "day": ["day"], "week": ["day"], "month": ["day", "month"], "year": ["day", "month", "year"],
}


class QueryError(ValueError):
    """A query was asked with values it does not accept."""


@dataclass(frozen=True, slots=True)
class Filters:
    """The filters shared by events, series and exports; ``None`` means no filter."""

    actor: str | None = None  # ISO3 or IGO/NGO/IMG/MNC, at any position of the actor list
    recipient: str | None = None
    event: str | None = None  # PLOVER type
    since: dt.date | None = None  # inclusive
    until: dt.date | None = None  # inclusive

    def where(self, table: str) -> tuple[list[str], list[Any]]:
        """SQL conditions (on a mentions- or clusters-shaped ``table`` alias) and parameters."""
        where: list[str] = []
        params: list[Any] = []
        if self.actor is not None:
            where.append(f"list_contains({table}.actor_codes, ?)")
            params.append(self.actor.strip().upper())
        if self.recipient is not None:
            where.append(f"list_contains({table}.recipient_codes, ?)")
            params.append(self.recipient.strip().upper())
        if self.event is not None:
            where.append(f"{table}.event = ?")  # an unknown type simply matches nothing
            params.append(self.event.strip().upper())
        if self.since is not None:
            where.append(f"{table}.date >= ?")
            params.append(self.since)
        if self.until is not None:
            where.append(f"{table}.date <= ?")
            params.append(self.until)
        return where, params


def _con(store: Store) -> duckdb.DuckDBPyConnection:
    """The store's connection (package-internal: queries live beside the store)."""
    return store._con  # noqa: SLF001


def _check_unit(unit: str) -> None:
    if unit not in UNITS:
        raise QueryError(f"unit {unit!r} is not one of {', '.join(UNITS)}")


_RECORD_COLUMNS = (
    "m.record, c.id, c.n_mentions, c.n_articles, c.n_sources, c.first_reported,"
    " c.last_reported, a.url, a.title, a.source, a.published, a.ingested_at"
)


def _records_sql(filters: Filters, unit: str, columns: str = _RECORD_COLUMNS) -> tuple[str, list[Any]]:
    """SELECT of ``columns`` over mentions ``m``, clusters ``c`` and articles ``a``,
    filtered, in output order (date, undated last, then id). By default: the record
    JSON, the cluster fields and the article's citation fields."""
    _check_unit(unit)
    cols = "SELECT " + columns
    if unit == "mention":
        where, params = filters.where("m")
        sql = (
            cols + " FROM mentions m LEFT JOIN mention_clusters l ON l.mention_id = m.id"
            " LEFT JOIN clusters c ON c.id = l.cluster_id"
        )
        order = " ORDER BY m.date NULLS LAST, m.id"
    else:
        where, params = filters.where("c")
        sql = cols + " FROM clusters c JOIN mentions m ON m.id = c.best_mention_id"
        order = " ORDER BY c.date NULLS LAST, c.id"
    sql += " LEFT JOIN articles a ON a.id = m.article_id"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return sql + order, params


def _record(row: tuple[Any, ...], with_cluster: bool) -> dict[str, Any]:
    rec = json.loads(row[0])
    if with_cluster:
        rec.update(_cluster_fields(row[1:7]))
    return rec


def _cluster_fields(values: tuple[Any, ...]) -> dict[str, Any]:
    cid, n_m, n_a, n_s, first, last = values
    return {
        "cluster_id": cid, "n_mentions": n_m, "n_articles": n_a, "n_sources": n_s,
        "first_reported": first.isoformat() if first else None,
        "last_reported": last.isoformat() if last else None,
    }


def events(
    store: Store,
    filters: Filters = Filters(),
    unit: str = "mention",
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Event records: each coded mention, or (unit "event") each cluster's best mention
    plus the cluster fields. Ordered by date (undated last), then id."""
    sql, params = _paged(*_records_sql(filters, unit), limit, offset)
    rows = _con(store).execute(sql, params).fetchall()
    return [_record(r, unit == "event") for r in rows]


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One record to export, with its cluster and its article's citation fields."""

    record: dict[str, Any]
    cluster: dict[str, Any]
    url: str | None
    title: str | None
    source: str | None
    published: dt.date | None
    ingested_at: dt.datetime | None


def export_rows(
    store: Store, filters: Filters = Filters(), unit: str = "mention", batch: int = 2000,
) -> Iterator[ExportRow]:
    """Stream records with their cluster and article, in the order of ``events``."""
    sql, params = _records_sql(filters, unit)
    cur = _con(store).execute(sql, params)
    while True:
        rows = cur.fetchmany(batch)
        if not rows:
            return
        for row in rows:
            record = json.loads(row[0])
            yield ExportRow(record, _cluster_fields(row[1:7]), *row[7:12])


def clusters(
    store: Store, filters: Filters = Filters(), limit: int | None = None, offset: int = 0,
) -> list[dict[str, Any]]:
    """Cluster summary rows (no mention records), ordered by date then id."""
    where, params = filters.where("c")
    sql = (
        "SELECT c.id AS cluster_id, c.best_mention_id, c.event, c.date, c.date_precision,"
        " c.quad_code, c.event_scale, c.actor_codes, c.recipient_codes, c.country_code,"
        " c.n_mentions, c.n_articles, c.n_sources, c.first_reported, c.last_reported"
        " FROM clusters c"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY c.date NULLS LAST, c.id"
    return _dicts(_con(store).execute(*_paged(sql, params, limit, offset)))


def cluster_mentions(store: Store, cluster_id: str) -> list[dict[str, Any]]:
    """The mention records of one cluster, best first is not implied: ordered by id."""
    rows = _con(store).execute(
        "SELECT m.record FROM mention_clusters l JOIN mentions m ON m.id = l.mention_id"
        " WHERE l.cluster_id = ? ORDER BY m.id", [cluster_id],
    ).fetchall()
    return [json.loads(r[0]) for r in rows]


def series_columns() -> list[str]:
    """Column names of ``series`` rows, in order."""
    return (["actor", "recipient", "period", "total", *PLOVER_TYPES]
            + [name for _, name in QUADS] + ["event_scale_mean", "event_scale_sum"])


# Row order of every series output: one dyad's periods together, in time order (period
# labels sort chronologically as strings).
_SERIES_ORDER = " ORDER BY actor NULLS LAST, recipient NULLS LAST, period"
SERIES_FORMATS: tuple[str, ...] = ("csv", "json")


@dataclass(frozen=True, slots=True)
class SeriesPage:
    """Some rows of a series and how many rows the whole series has (for paging)."""

    rows: list[dict[str, Any]]
    total: int


def series_query(
    filters: Filters = Filters(), by: str = "month", unit: str = "mention", undirected: bool = False,
) -> tuple[str, list[Any]]:
    """The checked series SELECT (rows in ``series`` order) and its parameters."""
    sql, params = _series_body(filters, by, unit, undirected)
    return sql + _SERIES_ORDER, params


def _series_body(filters: Filters, by: str, unit: str, undirected: bool) -> tuple[str, list[Any]]:
    """The series SELECT without ORDER BY, after checking ``unit`` and ``by``."""
    _check_unit(unit)
    if by not in PERIODS:
        raise QueryError(f"period {by!r} is not one of {', '.join(PERIODS)}")
    table = "mentions" if unit == "mention" else "clusters"
    return _series_sql(table, filters, by, undirected)


def _paged(sql: str, params: list[Any], limit: int | None, offset: int) -> tuple[str, list[Any]]:
    """``sql`` with LIMIT/OFFSET bound as parameters, after checking them."""
    if limit is not None and limit < 0:
        raise QueryError(f"limit must be 0 or more, got {limit}")
    if offset < 0:
        raise QueryError(f"offset must be 0 or more, got {offset}")
    params = list(params)
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    if offset:
        sql += " OFFSET ?"
        params.append(offset)
    return sql, params


def series(
    store: Store,
    filters: Filters = Filters(),
    by: str = "month",
    unit: str = "mention",
    undirected: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Counts per dyad and period: by PLOVER type, by quad class, and event_scale mean/sum.

    An event with several actor or recipient codes counts once for each (actor,
    recipient) pair; an event without recipient has recipient ``None``. Undated events,
    and events dated less precisely than the period (a month-dated event in a weekly
    series), are left out. ``undirected`` puts the two codes of a dyad in sorted order,
    and ``filters.actor``/``recipient`` then match either side. Rows are ordered by
    actor, recipient, period; ``limit``/``offset`` page them.

    Building one dict per row costs more than the aggregation itself for a whole
    database (~100k rows a million events): for all dyads use ``series_arrow``,
    ``write_series`` or ``series_page``.
    """
    sql, params = _paged(*series_query(filters, by, unit, undirected), limit, offset)
    cur = _con(store).execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]  # no dates to convert


def series_page(
    store: Store,
    filters: Filters = Filters(),
    by: str = "month",
    unit: str = "mention",
    undirected: bool = False,
    limit: int = 200,
    offset: int = 0,
) -> SeriesPage:
    """``limit`` series rows from ``offset`` and the series' row count, in one query."""
    body, params = _series_body(filters, by, unit, undirected)
    # The window counts every row of the aggregate before ORDER BY ... LIMIT keeps a few
    # (a top-N, not a full sort): one aggregation instead of a second COUNT query.
    sql, params = _paged(
        f"SELECT *, count(*) OVER () AS _n FROM ({body})" + _SERIES_ORDER, params, limit, offset,
    )
    # Tuples, not Arrow: the CLI table then needs no pyarrow import (~0.1 s).
    cur = _con(store).execute(sql, params)
    names = [d[0] for d in cur.description][:-1]
    rows = cur.fetchall()
    if rows:
        return SeriesPage([dict(zip(names, row[:-1], strict=True)) for row in rows], int(rows[0][-1]))
    total = 0 if offset == 0 else series_count(store, filters, by, unit, undirected)
    return SeriesPage([], total)


def series_count(
    store: Store, filters: Filters = Filters(), by: str = "month", unit: str = "mention",
    undirected: bool = False,
) -> int:
    """How many rows ``series`` returns for these arguments."""
    body, params = _series_body(filters, by, unit, undirected)
    ((n,),) = _con(store).execute(f"SELECT count(*) FROM ({body})", params).fetchall()
    return int(n)


def series_arrow(
    store: Store, filters: Filters = Filters(), by: str = "month", unit: str = "mention",
    undirected: bool = False,
) -> pa.Table:
    """The whole series as a pyarrow Table (columns of ``series_columns``), without
    building a Python object per row: the fast library path for all dyads."""
    sql, params = series_query(filters, by, unit, undirected)
    # A relation hands Arrow its result directly; a DB-API cursor would copy it once more.
    return _con(store).sql(sql, params=params).to_arrow_table()


def write_series(
    store: Store,
    out: BinaryIO,
    fmt: str = "csv",
    filters: Filters = Filters(),
    by: str = "month",
    unit: str = "mention",
    undirected: bool = False,
    limit: int | None = None,
) -> int:
    """Write the series to ``out`` as CSV (with header) or a JSON array of objects;
    returns the number of rows.

    DuckDB serialises the rows (COPY) into a temporary file that is then streamed to
    ``out``: no Python object per row or value. A temporary file rather than
    ``/dev/stdout`` because ``out`` need not be the process's file descriptor 1 (tests,
    servers) and because DuckDB's own writes would bypass Python's buffered stdout.
    """
    if fmt not in SERIES_FORMATS:
        raise QueryError(f"format {fmt!r} is not one of {', '.join(SERIES_FORMATS)}")
    sql, params = _paged(*series_query(filters, by, unit, undirected), limit, 0)
    options = "FORMAT csv, HEADER true" if fmt == "csv" else "FORMAT json, ARRAY true"
    with tempfile.TemporaryDirectory(prefix="dyads-series-") as tmp:
        path = str(Path(tmp) / f"series.{fmt}").replace("'", "''")
        ((n,),) = _con(store).execute(f"COPY ({sql}) TO '{path}' ({options})", params).fetchall()
        with open(path, "rb") as src:
            shutil.copyfileobj(src, out, 1 << 20)
    return int(n)


def _series_sql(table: str, filters: Filters, by: str, undirected: bool) -> tuple[str, list[Any]]:
    """The unordered series query; ``table`` and ``by`` are checked names, inlined as SQL.

    Compound actors are kept exact: every code of ``actor_codes``/``recipient_codes``
    counts, not only the first (``actor_code``). Unnesting the lists of every row costs
    more than the aggregation, so the rows with at most one code on each side (most
    events) take the scalar columns and only the others are exploded. (Measured on the
    bench: aggregating by code lists first and exploding the groups afterwards is no
    faster; the 20 per-type and per-quad counts are most of the cost.)
    """
    if undirected:  # a dyad's codes in sorted order, a missing recipient second
        base = Filters(event=filters.event, since=filters.since, until=filters.until)
    else:  # prefilter on the lists so the explosion below sees few rows
        base = filters
    where, params = base.where("t")
    where.append("t.date IS NOT NULL")
    where.append("t.date_precision IN (" + ", ".join(f"'{p}'" for p in _PERIOD_PRECISIONS[by]) + ")")
    cond = " AND ".join(where)
    pair_where, pair_params = _pair_filter(filters, undirected)
    type_counts = ", ".join(f"count(*) FILTER (WHERE event = '{t}') AS \"{t}\"" for t in PLOVER_TYPES)
    quad_counts = ", ".join(f"count(*) FILTER (WHERE quad_code = {q}) AS {name}" for q, name in QUADS)
    if undirected:
        sides = (
            "CASE WHEN r IS NULL OR (a IS NOT NULL AND a <= r) THEN a ELSE r END AS actor,"
            " CASE WHEN r IS NULL OR (a IS NOT NULL AND a <= r) THEN r ELSE a END AS recipient"
        )
    else:
        sides = "a AS actor, r AS recipient"
    nonempty = "CASE WHEN len({0}) = 0 THEN [NULL::VARCHAR] ELSE {0} END"
    # event_scale is summed as a 4-decimal DECIMAL: exact, so a mean rounded to 4
    # decimals does not flip with the order in which threads add floats (as cheap).
    exact = "event_scale::DECIMAL(18, 4)"
    # Most events have one actor and at most one recipient: those skip the list
    # explosion, which costs more than the aggregation. (No CTE: DuckDB would
    # materialise it.)
    sql = f"""
        SELECT actor, recipient, strftime(period, ?) AS period, total, * EXCLUDE (actor, recipient, period, total)
        FROM (
            SELECT {sides}, date_trunc('{by}', date) AS period, count(*) AS total,
                   {type_counts}, {quad_counts},
                   round(sum({exact})::DOUBLE / count(event_scale), 4) AS event_scale_mean,
                   sum({exact})::DOUBLE AS event_scale_sum
            FROM (
                SELECT t.date, t.event, t.quad_code, t.event_scale, t.actor_code AS a, t.recipient_code AS r
                FROM {table} t WHERE {cond} AND len(t.actor_codes) <= 1 AND len(t.recipient_codes) <= 1
                UNION ALL
                SELECT date, event, quad_code, event_scale, a, unnest({nonempty.format("recipient_codes")}) AS r
                FROM (
                    SELECT t.date, t.event, t.quad_code, t.event_scale, t.recipient_codes,
                           unnest({nonempty.format("t.actor_codes")}) AS a
                    FROM {table} t WHERE {cond} AND (len(t.actor_codes) > 1 OR len(t.recipient_codes) > 1)
                )
            ) {('WHERE ' + pair_where) if pair_where else ''}
            GROUP BY ALL
        )"""
    return sql, [_PERIOD_FORMAT[by], *params, *params, *pair_params]


def _pair_filter(filters: Filters, undirected: bool) -> tuple[str, list[Any]]:
    """Condition on the exploded (a, r) pair; undirected matches either orientation."""
    actor = filters.actor.strip().upper() if filters.actor else None
    recipient = filters.recipient.strip().upper() if filters.recipient else None
    if actor is None and recipient is None:
        return "", []
    if not undirected:
        conds, params = [], []
        if actor is not None:
            conds.append("a = ?")
            params.append(actor)
        if recipient is not None:
            conds.append("r = ?")
            params.append(recipient)
        return " AND ".join(conds), params
    if actor is not None and recipient is not None:
        return "((a = ? AND r = ?) OR (a = ? AND r = ?))", [actor, recipient, recipient, actor]
    code = actor or recipient
    return "(a = ? OR r = ?)", [code, code]


def actors(
    store: Store,
    since: dt.date | None = None,
    until: dt.date | None = None,
    code: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Actors seen (code, sector) with mention counts as actor and as recipient, and the
    first and last event date they were seen on; most mentioned first."""
    where, params = Filters(since=since, until=until).where("m")
    sql = f"""
        WITH ents AS (
            SELECT 'actor' AS role, m.date,
                   unnest(from_json(m.actor, '[{{"code": "VARCHAR", "sector": "VARCHAR"}}]')) AS e
            FROM mentions m {('WHERE ' + ' AND '.join(where)) if where else ''}
            UNION ALL
            SELECT 'recipient' AS role, m.date,
                   unnest(from_json(m.recipient, '[{{"code": "VARCHAR", "sector": "VARCHAR"}}]')) AS e
            FROM mentions m {('WHERE ' + ' AND '.join(where)) if where else ''}
        )
        SELECT e.code AS code, e.sector AS sector, count(*) AS mentions,
               count(*) FILTER (WHERE role = 'actor') AS as_actor,
               count(*) FILTER (WHERE role = 'recipient') AS as_recipient,
               min(date) AS first_seen, max(date) AS last_seen
        FROM ents {'WHERE e.code = ?' if code else ''}
        GROUP BY e.code, e.sector
        ORDER BY mentions DESC, code NULLS LAST, sector NULLS LAST
    """
    params = params + params
    if code:
        params.append(code.strip().upper())
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return _dicts(_con(store).execute(sql, params))


def _dicts(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Rows as dicts with JSON-friendly values (dates as ISO strings)."""
    names = [d[0] for d in cur.description]
    out = []
    for row in cur.fetchall():
        out.append({n: (v.isoformat() if isinstance(v, dt.date) else v)
                    for n, v in zip(names, row, strict=True)})
    return out
