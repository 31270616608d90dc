"""Writing event records as JSONL, JSON, CSV or a short terminal table."""

from __future__ import annotations

import csv
import json
from typing import Any, Iterable, TextIO

FORMATS = ("jsonl", "json", "csv", "table")

CSV_COLUMNS = (
    "id", "article_id", "date", "date_precision", "date_text", "event", "mode", "context",
    "cameo", "quad_code", "event_scale", "actor_codes", "actor_sectors", "actor_text",
    "recipient_codes", "recipient_sectors", "recipient_text", "place", "place_country", "lat",
    "lon", "negated", "future", "hypothetical", "historical", "attribution", "confidence",
    "event_text", "rule", "coder", "text",
)


def flat(record: dict[str, Any]) -> dict[str, Any]:
    """One event record as a flat row (lists joined with ';')."""
    def codes(ents: list[dict], key: str) -> str:
        return ";".join(str(e.get(key) or "") for e in ents)

    loc = record.get("event_loc") or {}
    mod = record["modality"]
    att = record.get("attribution") or {}
    return {
        **{k: record.get(k) for k in ("id", "article_id", "date", "date_precision", "date_text", "event",
                                       "mode", "cameo", "quad_code", "event_scale", "confidence",
                                       "event_text", "rule", "coder", "text")},
        "context": ";".join(record.get("context") or []),
        "actor_codes": codes(record["actor"], "code"),
        "actor_sectors": codes(record["actor"], "sector"),
        "actor_text": codes(record["actor"], "entity_text"),
        "recipient_codes": codes(record["recipient"], "code"),
        "recipient_sectors": codes(record["recipient"], "sector"),
        "recipient_text": codes(record["recipient"], "entity_text"),
        "place": loc.get("resolved_place") or loc.get("extracted_place"),
        "place_country": loc.get("country_code"),
        "lat": loc.get("lat"),
        "lon": loc.get("lon"),
        **{k: mod[k] for k in ("negated", "future", "hypothetical", "historical")},
        "attribution": att.get("name") or att.get("entity_text"),
    }


def _who(ents: list[dict]) -> str:
    return ",".join(f"{e.get('code') or '---'}{e.get('sector') or ''}" for e in ents) or "-"


def write(records: Iterable[dict[str, Any]], fmt: str, out: TextIO) -> int:
    """Write records in a format; returns how many were written."""
    n = 0
    if fmt == "jsonl":
        for rec in records:
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
    elif fmt == "json":
        items = list(records)
        json.dump(items, out, ensure_ascii=False, indent=1)
        out.write("\n")
        n = len(items)
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for rec in records:
            writer.writerow(flat(rec))
            n += 1
    elif fmt == "table":
        out.write(f"{'date':<10}  {'event':<9}  {'mode':<13}  {'actor':<14}  {'recipient':<14}  {'place':<14}  trigger\n")
        for rec in records:
            loc = rec.get("event_loc") or {}
            flags = "".join(k[0].upper() for k, v in rec["modality"].items() if v)
            out.write(
                f"{rec.get('date') or '':<10}  {rec['event']:<9}  {(rec.get('mode') or ''):<13.13}  "
                f"{_who(rec['actor']):<14.14}  {_who(rec['recipient']):<14.14}  "
                f"{(loc.get('resolved_place') or ''):<14.14}  {rec['event_text']}"
                f"{'  [' + flags + ']' if flags else ''}\n"
            )
            n += 1
    else:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return n
