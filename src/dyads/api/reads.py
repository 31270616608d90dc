"""Read queries the API and dashboard need beyond ``dyads.store.queries``.

``dyads.store.queries`` has events, series, actors and clusters; one event with all its
mentions, one article with its marked events, the actor network, event places, top
dyads and filtered counts (for paging) are here. Every user value is a bound parameter.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from dyads.api.service import ReadSession
from dyads.store.queries import Filters, cluster_mentions


@dataclass(frozen=True, slots=True)
class Mark:
    """One event marked in its article: the sentence and the trigger word, as offsets."""

    mention_id: str
    event: str
    quad_code: int
    start: int
    end: int
    trigger_start: int
    trigger_end: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "mention_id": self.mention_id, "event": self.event, "quad_code": self.quad_code,
            "sentence": {"start": self.start, "end": self.end},
            "trigger": {"start": self.trigger_start, "end": self.trigger_end},
        }


def count_events(session: ReadSession, filters: Filters, unit: str = "mention") -> int:
    """How many records ``queries.events`` returns for these filters (for paging)."""
    table = "mentions" if unit == "mention" else "clusters"
    where, params = filters.where("t")
    sql = f"SELECT count(*) FROM {table} t"  # table is one of two fixed names
    if where:
        sql += " WHERE " + " AND ".join(where)
    row = session._con.execute(sql, params).fetchone()
    return int(row[0]) if row else 0


def mention(session: ReadSession, mention_id: str) -> dict[str, Any] | None:
    """One stored mention record with its cluster id, or None."""
    row = session._con.execute(
        "SELECT m.record, l.cluster_id FROM mentions m"
        " LEFT JOIN mention_clusters l ON l.mention_id = m.id WHERE m.id = ?",
        [mention_id],
    ).fetchone()
    if row is None:
        return None
    record = json.loads(row[0])
    record["cluster_id"] = row[1]
    return record


def cluster(session: ReadSession, cluster_id: str) -> dict[str, Any] | None:
    """One cluster summary row, or None."""
    cur = session._con.execute(
        "SELECT id AS cluster_id, best_mention_id, event, date, date_precision, quad_code,"
        " event_scale, actor_codes, recipient_codes, country_code, n_mentions, n_articles,"
        " n_sources, first_reported, last_reported FROM clusters WHERE id = ?",
        [cluster_id],
    )
    rows = _dicts(cur)
    return rows[0] if rows else None


def event_detail(session: ReadSession, event_id: str) -> dict[str, Any] | None:
    """An event by mention id or cluster id: the cluster and every mention with its sentence."""
    found = mention(session, event_id)
    cluster_id = found["cluster_id"] if found else event_id
    summary = cluster(session, cluster_id) if cluster_id else None
    if found is None and summary is None:
        return None
    mentions = cluster_mentions(session, cluster_id) if summary else [found]  # type: ignore[arg-type]
    titles = _article_titles(session, {m["article_id"] for m in mentions})
    for m in mentions:
        m["article_title"] = titles.get(m["article_id"])
    return {"id": event_id, "mention": found, "cluster": summary, "mentions": mentions}


def _article_titles(session: ReadSession, ids: set[str]) -> dict[str, str | None]:
    rows = session._con.execute(
        "SELECT id, title FROM articles WHERE id IN (SELECT unnest(?::VARCHAR[]))", [sorted(ids)]
    ).fetchall()
    return dict(rows)


def article_detail(session: ReadSession, article_id: str) -> dict[str, Any] | None:
    """An article's text and metadata, its event records and their marks (offsets into text)."""
    cur = session._con.execute(
        "SELECT id, title, url, source, published, origin, text, ingested_at, n_events"
        " FROM articles WHERE id = ?", [article_id],
    )
    rows = _dicts(cur)
    if not rows:
        return None
    records = [
        json.loads(r[0]) for r in session._con.execute(
            'SELECT record FROM mentions WHERE article_id = ? ORDER BY "start", id', [article_id]
        ).fetchall()
    ]
    return {"article": rows[0], "events": records, "marks": [m.to_dict() for m in marks_of(records)]}


def marks_of(records: list[dict[str, Any]]) -> list[Mark]:
    """The marks of event records (``Event.to_dict`` shape), in text order."""
    marks = [
        Mark(
            r["id"], r["event"], int(r.get("quad_code") or 0),
            r["text_info"]["start"], r["text_info"]["end"],
            r.get("trigger", {}).get("start", 0), r.get("trigger", {}).get("end", 0),
        )
        for r in records
    ]
    return sorted(marks, key=lambda m: (m.start, m.trigger_start, m.mention_id))


def _dyad_edges(filters: Filters) -> tuple[str, list[Any]]:
    """The CTE of one row per (actor code, recipient code) pair of each filtered mention,
    named ``e`` with columns source, target, quad_code; and its parameters."""
    where, params = filters.where("m")
    where += ["len(m.actor_codes) > 0", "len(m.recipient_codes) > 0"]
    cte = f"""
        WITH a AS (
            SELECT unnest(m.actor_codes) AS source, m.recipient_codes, m.quad_code
            FROM mentions m WHERE {' AND '.join(where)}
        ), e AS (SELECT source, unnest(recipient_codes) AS target, quad_code FROM a)"""
    return cte, params


_QUAD_COUNTS = """count(*) FILTER (WHERE quad_code IN (1, 2)) AS cooperation,
               count(*) FILTER (WHERE quad_code IN (3, 4)) AS conflict"""


def network(session: ReadSession, filters: Filters, limit: int = 60) -> list[dict[str, Any]]:
    """Directed actor -> recipient edges with mention counts, by quad class; heaviest first."""
    edges, params = _dyad_edges(filters)
    sql = f"""{edges}
        SELECT source, target, count(*) AS n, {_QUAD_COUNTS}
        FROM e WHERE source <> target
        GROUP BY source, target ORDER BY n DESC, source, target LIMIT ?
    """
    return _dicts(session._con.execute(sql, [*params, limit]))


def places(session: ReadSession, filters: Filters, limit: int = 500) -> list[dict[str, Any]]:
    """Event places with coordinates and mention counts; most events first."""
    where, params = filters.where("m")
    where += ["m.lat IS NOT NULL", "m.lon IS NOT NULL"]
    sql = f"""
        SELECT json_extract_string(m.event_loc, '$.resolved_place') AS place,
               m.country_code, round(m.lat, 3) AS lat, round(m.lon, 3) AS lon, count(*) AS n,
               count(*) FILTER (WHERE m.quad_code IN (3, 4)) AS conflict
        FROM mentions m WHERE {' AND '.join(where)}
        GROUP BY place, m.country_code, round(m.lat, 3), round(m.lon, 3)
        ORDER BY n DESC, place LIMIT ?
    """
    return _dicts(session._con.execute(sql, [*params, limit]))


def top_pairs(session: ReadSession, filters: Filters, limit: int = 15) -> list[dict[str, Any]]:
    """The most reported dyads, each pair once in sorted order (either direction counts)."""
    edges, params = _dyad_edges(filters)
    sql = f"""{edges}
        SELECT least(source, target) AS actor, greatest(source, target) AS recipient, count(*) AS n,
               {_QUAD_COUNTS}
        FROM e WHERE source <> target GROUP BY 1, 2 ORDER BY n DESC, 1, 2 LIMIT ?
    """
    return _dicts(session._con.execute(sql, [*params, limit]))


def period_range(label: str, by: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a series period label ("2020-05", "2020", a week start)."""
    if by == "year":
        year = int(label)
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if by == "month":
        start = dt.date.fromisoformat(label + "-01")
        nxt = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        return start, nxt - dt.timedelta(days=1)
    start = dt.date.fromisoformat(label)
    return start, start + dt.timedelta(days=6 if by == "week" else 0)


def _dicts(cur: Any) -> list[dict[str, Any]]:
    """Rows as dicts with JSON-friendly values (dates as ISO strings)."""
    names = [d[0] for d in cur.description]
    return [
        {n: (v.isoformat() if isinstance(v, dt.date) else v) for n, v in zip(names, row, strict=True)}
        for row in cur.fetchall()
    ]
