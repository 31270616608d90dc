"""Group event mentions that report the same real-world event into event clusters.

The rule (docs/dedup.md explains it with examples) is a pure function of the *set* of
mentions, so the clusters do not depend on ingest order:

1. Mentions are only ever compared inside a **block**: same PLOVER type, same actor code
   set, same recipient code set, same negated/future/hypothetical flags.
2. **Anchors** are mentions dated to the day by words in the text. Anchors of a block on
   the same day form one event, split only where their places are incompatible.
3. Every other mention (dated from the publication day, or to a month or year) has a date
   *interval*; it joins the anchor event inside that interval that shares its article,
   else the one with most anchors, else the closest to the interval's end. With no anchor
   event in reach, such mentions group with those of the same interval and place.
4. Undated mentions join an event of their own article, else stay with the undated
   mentions of their article.

Incremental updates re-run the rule on a window around the new mentions (``update``):
an anchor only affects mentions whose interval contains its day, so a window twice the
width of the widest interval holds all the evidence any re-assigned mention needs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from dyads.types import Event

# Days before its publication day that an undated-in-text report may describe: the
# coder falls back to the publication date, and wires report most events within days.
FALLBACK_DAYS = 3
# Two specific places (cities, sites) farther apart than this are two events.
MAX_KM = 100.0
_COARSE_FEATURES = frozenset({"country", "admin1", "admin2", "region", "continent"})


@dataclass(frozen=True, slots=True)
class Place:
    """Where a mention says the event happened, as far as matters for matching."""

    country: str | None
    lat: float | None = None
    lon: float | None = None
    feature: str | None = None

    @property
    def specific(self) -> bool:
        """A point-like place (city, site) rather than a country or province."""
        return self.lat is not None and self.lon is not None and self.feature not in _COARSE_FEATURES


@dataclass(frozen=True, slots=True)
class MentionKey:
    """The facts about one mention that clustering looks at."""

    id: str
    article_id: str
    block: str
    lo: dt.date | None  # earliest day the event can be on
    hi: dt.date | None  # latest day
    anchor: bool  # dated to the day by the text itself
    place: Place | None

    @staticmethod
    def from_event(event: Event, published: dt.date | None = None) -> MentionKey:
        """Key of a coded event (``published`` is unused: the event date already has it)."""
        loc = event.event_loc
        place = None
        if loc is not None and (loc.country_code or loc.lat is not None):
            place = Place(loc.country_code, loc.lat, loc.lon, loc.feature)
        return make_key(
            event.id, event.article_id, event.event,
            [a.code for a in event.actor], [r.code for r in event.recipient],
            (event.modality.negated, event.modality.future, event.modality.hypothetical),
            event.date, event.date_precision, event.date_text, place,
        )


def make_key(
    mention_id: str,
    article_id: str,
    event: str,
    actor_codes: Iterable[str | None],
    recipient_codes: Iterable[str | None],
    flags: tuple[bool | None, bool | None, bool | None],
    date: dt.date | None,
    precision: str | None,
    date_text: str | None,
    place: Place | None,
) -> MentionKey:
    """Build a ``MentionKey`` from plain column values (the one place blocks are defined)."""
    lo, hi = interval(date, precision, date_text)
    return MentionKey(
        id=mention_id,
        article_id=article_id,
        block=block_key(event, actor_codes, recipient_codes, flags),
        lo=lo,
        hi=hi,
        anchor=date is not None and precision == "day" and dated_by_text(date_text),
        place=place,
    )


def block_key(
    event: str,
    actor_codes: Iterable[str | None],
    recipient_codes: Iterable[str | None],
    flags: tuple[bool | None, bool | None, bool | None],
) -> str:
    """Mentions can only be one event if type, both code sets and modality agree."""
    actors = ",".join(sorted({c for c in actor_codes if c}))
    recipients = ",".join(sorted({c for c in recipient_codes if c}))
    modal = "".join("1" if f else "0" for f in flags)
    return f"{event}|{actors}|{recipients}|{modal}"


def interval(
    date: dt.date | None, precision: str | None, date_text: str | None
) -> tuple[dt.date | None, dt.date | None]:
    """The days a mention's event can fall on, given how its date was found."""
    if date is None:
        return None, None
    if precision == "year":
        return date.replace(month=1, day=1), date.replace(month=12, day=31)
    if precision == "month":
        first = date.replace(day=1)
        nxt = (first + dt.timedelta(days=32)).replace(day=1)
        return first, nxt - dt.timedelta(days=1)
    if not dated_by_text(date_text):  # the publication day: that day or a few days before
        return date - dt.timedelta(days=FALLBACK_DAYS), date
    return date, date


def dated_by_text(date_text: str | None) -> bool:
    """True if the words of the text gave the date; False for the publication day,
    whether given with the article (``date_text`` null) or estimated by the coder."""
    return bool(date_text) and not str(date_text).startswith("publication date")


def places_compatible(a: Place | None, b: Place | None) -> bool:
    """Unknown places match anything; countries must agree; two specific places must be near."""
    if a is None or b is None:
        return True
    if a.country and b.country and a.country != b.country:
        return False
    if a.specific and b.specific:
        return _km(a, b) <= MAX_KM
    return True


def _km(a: Place, b: Place) -> float:
    """Great-circle distance; written out because it is four lines of trigonometry."""
    assert a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def cluster_id(member_ids: Iterable[str]) -> str:
    """Content-derived id of a cluster: a hash of its defining (smallest) member id."""
    return "c" + hashlib.sha256(min(member_ids).encode("utf-8")).hexdigest()[:23]


@dataclass(slots=True)
class _Places:
    """The places of a group, summarised so a compatibility test does not scan members:
    its countries and its distinct specific points."""

    countries: set[str]
    points: dict[tuple[float, float], Place]

    @staticmethod
    def of(members: Iterable[MentionKey]) -> _Places:
        found = _Places(set(), {})
        for m in members:
            found.add(m.place)
        return found

    def add(self, place: Place | None) -> None:
        if place is None:
            return
        if place.country:
            self.countries.add(place.country)
        if place.specific:
            assert place.lat is not None and place.lon is not None
            self.points.setdefault((place.lat, place.lon), place)

    def accepts(self, place: Place | None) -> bool:
        """True if ``place`` is compatible with every place of the group."""
        if place is None:
            return True
        if place.country and any(c != place.country for c in self.countries):
            return False
        if place.specific:
            return all(places_compatible(place, p) for p in self.points.values())
        return True


def _split_by_place(members: Sequence[MentionKey]) -> list[list[MentionKey]]:
    """Split mentions into place-compatible groups; located mentions seed groups first."""
    order = sorted(members, key=lambda m: (m.place is None, m.id))
    groups: list[tuple[list[MentionKey], _Places]] = []
    for m in order:
        for g, places in groups:
            if places.accepts(m.place):
                g.append(m)
                places.add(m.place)
                break
        else:
            places = _Places(set(), {})
            places.add(m.place)
            groups.append(([m], places))
    return [g for g, _ in groups]


@dataclass(slots=True)
class _Group:
    day: dt.date
    members: list[MentionKey]
    anchors: int
    articles: set[str]
    places: _Places
    first_id: str


def assign_clusters(mentions: Iterable[MentionKey]) -> dict[str, str]:
    """Assign every mention a cluster id; the result depends only on the set given."""
    blocks: dict[str, list[MentionKey]] = defaultdict(list)
    for m in mentions:
        blocks[m.block].append(m)
    out: dict[str, str] = {}
    for block in sorted(blocks):
        out.update(_cluster_block(blocks[block]))
    return out


def _cluster_block(mentions: Sequence[MentionKey]) -> dict[str, str]:
    """The rule of the module docstring, for the mentions of one block."""
    by_day: dict[dt.date, list[MentionKey]] = defaultdict(list)
    rest: list[MentionKey] = []
    for m in sorted(mentions, key=lambda m: m.id):
        if m.anchor and m.lo is not None:
            by_day[m.lo].append(m)
        else:
            rest.append(m)
    groups: list[_Group] = []
    for day in sorted(by_day):
        for members in _split_by_place(by_day[day]):
            groups.append(_Group(day, members, len(members), {m.article_id for m in members},
                                 _Places.of(members), min(m.id for m in members)))
    anchor_ids = {id(g): cluster_id([g.first_id]) for g in groups}
    by_group_day: dict[dt.date, list[_Group]] = defaultdict(list)
    for g in groups:
        by_group_day[g.day].append(g)

    leftovers: dict[tuple[Any, ...], list[MentionKey]] = defaultdict(list)
    joined: dict[str, _Group] = {}
    for m in rest:
        group = _best_group(m, groups, by_group_day)
        if group is not None:
            joined[m.id] = group
        elif m.lo is None:
            leftovers[("undated", m.article_id)].append(m)
        else:
            leftovers[("interval", m.lo, m.hi)].append(m)

    out: dict[str, str] = {}
    for g in groups:
        cid = anchor_ids[id(g)]
        out.update((m.id, cid) for m in g.members)
    out.update((mid, anchor_ids[id(g)]) for mid, g in joined.items())
    for key in sorted(leftovers, key=repr):
        for members in _split_by_place(leftovers[key]):
            cid = cluster_id(m.id for m in members)
            out.update((m.id, cid) for m in members)
    return out


def _best_group(m: MentionKey, groups: Sequence[_Group],
                by_day: dict[dt.date, list[_Group]]) -> _Group | None:
    """The anchor event a non-anchor mention reports, if any is in reach."""
    if m.lo is None or m.hi is None:
        candidates = [g for g in groups if m.article_id in g.articles]
        hi = None
    else:
        span = (m.hi - m.lo).days
        if span < len(by_day):  # walk the days in reach, or the groups, whichever is fewer
            candidates = [g for d in range(span + 1)
                          for g in by_day.get(m.lo + dt.timedelta(days=d), ())]
        else:
            candidates = [g for g in groups if m.lo <= g.day <= m.hi]
        hi = m.hi
    candidates = [g for g in candidates if g.places.accepts(m.place)]
    if not candidates:
        return None

    def rank(g: _Group) -> tuple[Any, ...]:
        gap = (hi - g.day).days if hi is not None else 0
        return (m.article_id not in g.articles, -g.anchors, gap, g.first_id)

    return min(candidates, key=rank)


# -- the database side -------------------------------------------------------------

# Columns read for each mention; `published` and `source` come from its article.
_KEY_SQL = """
    SELECT m.id, m.article_id, m.event, m.actor_codes, m.recipient_codes,
           m.negated, m.future, m.hypothetical, m.date, m.date_precision, m.date_text,
           m.country_code, m.lat, m.lon, json_extract_string(m.event_loc, '$.feature')
    FROM mentions m
"""


def _row_key(row: Sequence[Any]) -> MentionKey:
    (mid, aid, event, actors, recipients, neg, fut, hyp, date, precision, date_text,
     country, lat, lon, feature) = row
    place = Place(country, lat, lon, feature) if (country or lat is not None) else None
    return make_key(mid, aid, event, actors or [], recipients or [], (neg, fut, hyp),
                    date, precision, date_text, place)


def update(con: duckdb.DuckDBPyConnection, mention_ids: Sequence[str]) -> set[str]:
    """Cluster newly stored mentions and re-assign those whose evidence changed.

    Runs inside the caller's transaction; returns the ids of the clusters rewritten.
    Two window queries per call, whatever the number of blocks: the mentions that
    meet the new ones' intervals (re-assigned), then those meeting *their* intervals
    (the evidence). Undated mentions only have their own article for evidence, and an
    article's mentions always arrive together.
    """
    if not mention_ids:
        return set()
    new = [_row_key(r) for r in con.execute(
        _KEY_SQL + " WHERE m.id IN (SELECT unnest(?::VARCHAR[]))", [list(mention_ids)]
    ).fetchall()]
    _insert_links(con, new)
    affected = _in_windows(con, _windows(new))
    for m in new:
        affected.setdefault(m.id, m)
    context = _in_windows(con, _windows(affected.values()))
    context.update(affected)
    result = assign_clusters(context.values())
    return _write(con, {mid: cid for mid, cid in result.items() if mid in affected})


def _windows(keys: Iterable[MentionKey]) -> dict[str, tuple[dt.date, dt.date]]:
    """Per block, the span of days covered by the dated keys."""
    spans: dict[str, tuple[dt.date, dt.date]] = {}
    for k in keys:
        if k.lo is None or k.hi is None:
            continue
        lo, hi = spans.get(k.block, (k.lo, k.hi))
        spans[k.block] = (min(lo, k.lo), max(hi, k.hi))
    return spans


def _in_windows(con: duckdb.DuckDBPyConnection,
                spans: dict[str, tuple[dt.date, dt.date]]) -> dict[str, MentionKey]:
    """Stored mentions whose block is in ``spans`` and whose interval meets its span."""
    if not spans:
        return {}
    blocks = sorted(spans)
    rows = con.execute(
        "WITH w AS (SELECT unnest(?::VARCHAR[]) AS block, unnest(?::DATE[]) AS lo,"
        " unnest(?::DATE[]) AS hi), hit AS (SELECT DISTINCT c.mention_id FROM w"
        " JOIN mention_clusters c ON c.block = w.block AND c.lo <= w.hi AND c.hi >= w.lo)"
        + _KEY_SQL + " JOIN hit ON hit.mention_id = m.id",
        [blocks, [spans[b][0] for b in blocks], [spans[b][1] for b in blocks]],
    ).fetchall()
    return {k.id: k for k in map(_row_key, rows)}


def rebuild(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Cluster every stored mention that has no cluster yet (e.g. after the migration)."""
    ids = [r[0] for r in con.execute(
        "SELECT m.id FROM mentions m ANTI JOIN mention_clusters c ON c.mention_id = m.id"
    ).fetchall()]
    return update(con, ids)


def _insert_links(con: duckdb.DuckDBPyConnection, keys: Sequence[MentionKey]) -> None:
    """Record each new mention's block and interval (its cluster follows in ``_write``)."""
    if not keys:
        return
    con.execute(
        "INSERT OR REPLACE INTO mention_clusters (mention_id, block, lo, hi, cluster_id)"
        " SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::DATE[]),"
        " unnest(?::DATE[]), NULL",
        [[k.id for k in keys], [k.block for k in keys], [k.lo for k in keys], [k.hi for k in keys]],
    )


def _write(con: duckdb.DuckDBPyConnection, assigned: dict[str, str]) -> set[str]:
    """Store the assignments and rebuild the summary row of every cluster they touch."""
    if not assigned:
        return set()
    ids, cids = list(assigned), [assigned[i] for i in assigned]
    old = {r[0] for r in con.execute(
        "SELECT DISTINCT cluster_id FROM mention_clusters"
        " WHERE cluster_id IS NOT NULL AND mention_id IN (SELECT unnest(?::VARCHAR[]))", [ids]
    ).fetchall()}
    con.execute(
        "UPDATE mention_clusters SET cluster_id = a.cid FROM"
        " (SELECT unnest(?::VARCHAR[]) AS mid, unnest(?::VARCHAR[]) AS cid) a"
        " WHERE mention_clusters.mention_id = a.mid",
        [ids, cids],
    )
    touched = old | set(cids)
    con.execute("DELETE FROM clusters WHERE id IN (SELECT unnest(?::VARCHAR[]))", [sorted(touched)])
    con.execute(_SUMMARY_SQL, [sorted(touched)])
    return touched


# One summary row per cluster: counts, report times, and the best mention's fields
# (copied so event-level queries read one table). Best = dated by the text to the day,
# then finer precision, higher confidence, located, smallest id.
_SUMMARY_SQL = """
INSERT INTO clusters
WITH members AS (
    SELECT c.cluster_id, m.*, a.source, a.url, coalesce(a.published, a.ingested_at::DATE) AS reported,
           coalesce(a.source, nullif(regexp_extract(a.url, '^[a-z]+://(?:www\\.)?([^/:]+)', 1), '')) AS outlet,
           row_number() OVER (PARTITION BY c.cluster_id ORDER BY
               (m.date_precision = 'day' AND m.date_text IS NOT NULL
                AND NOT starts_with(m.date_text, 'publication date')) DESC NULLS LAST,
               CASE m.date_precision WHEN 'day' THEN 0 WHEN 'month' THEN 1 WHEN 'year' THEN 2 ELSE 3 END,
               m.confidence DESC NULLS LAST, (m.event_loc IS NOT NULL) DESC, m.id) AS rank
    FROM mention_clusters c JOIN mentions m ON m.id = c.mention_id
    JOIN articles a ON a.id = m.article_id
    WHERE c.cluster_id IN (SELECT unnest(?::VARCHAR[]))
), stats AS (
    SELECT cluster_id, count(*) AS n_mentions, count(DISTINCT article_id) AS n_articles,
           count(DISTINCT outlet) AS n_sources, min(reported) AS first_reported,
           max(reported) AS last_reported
    FROM members GROUP BY cluster_id
)
SELECT b.cluster_id, b.id, b.event, b.date, b.date_precision, b.quad_code, b.event_scale,
       b.actor_code, b.actor_codes, b.recipient_code, b.recipient_codes, b.country_code,
       s.n_mentions, s.n_articles, s.n_sources, s.first_reported, s.last_reported
FROM members b JOIN stats s USING (cluster_id)
WHERE b.rank = 1
"""
