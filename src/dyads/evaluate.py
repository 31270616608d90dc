"""Scoring the coder against gold sentences in the format of ``shared/data/dev/*.jsonl``.

Scores are over event *types per sentence*: the gold and coded sets of PLOVER types in each
sentence are compared (PLOVER gold lists compound actors as a cross-product, so one coded
event with an actor list can match several gold rows of one type). On matched types the
actor (recipient) country is right when some gold source (target) country is among the
coded actor (recipient) codes of that type.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from dyads.coder import Coder
from dyads.types import PLOVER_TYPES, Article, Event

# CAMEO country codes that differ from ISO 3166-1 alpha-3.
_CAMEO_TO_ISO = {"JAP": "JPN", "ITL": "ITA", "GZA": "PSE", "WBK": "PSE", "ROM": "ROU"}  # KOS stays KOS (PLOVER manual)
_NOT_COUNTRIES = {"---", "***"}


def gold_country(code: str | None) -> str | None:
    """The country (or IGO/NGO/IMG) part of a CAMEO-style actor code."""
    if not code or len(code) < 3:
        return None
    head = code[:3].upper()
    if head in _NOT_COUNTRIES:
        return None
    return _CAMEO_TO_ISO.get(head, head)


@dataclass(frozen=True, slots=True)
class GoldSentence:
    id: str
    text: str
    date: dt.date | None
    types: frozenset[str]
    sources: dict[str, frozenset[str]]  # type -> gold source countries
    targets: dict[str, frozenset[str]]
    modes: dict[str, frozenset[str]]
    no_event: bool
    places: dict[str, frozenset[str]] = field(default_factory=dict)  # type -> gold place countries (ISO3)


def load_gold(path: Path) -> list[GoldSentence]:
    """Read a gold JSONL file; rows with a null PLOVER type (CAMEO 01/02) are ignored."""
    out = []
    for line in path.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        srcs: dict[str, set[str]] = defaultdict(set)
        tgts: dict[str, set[str]] = defaultdict(set)
        modes: dict[str, set[str]] = defaultdict(set)
        types = set()
        places: dict[str, set[str]] = defaultdict(set)
        for ev in row.get("events") or []:
            t = ev.get("plover")
            if not t:
                continue
            types.add(t)
            if (c := gold_country(ev.get("source"))):
                srcs[t].add(c)
            if (c := gold_country(ev.get("target"))):
                tgts[t].add(c)
            if ev.get("plover_mode"):
                modes[t].add(ev["plover_mode"])
            if (country := _gold_place_country(ev.get("location"))):
                places[t].add(country)
        date = dt.date.fromisoformat(row["date"]) if row.get("date") else None
        out.append(GoldSentence(
            id=row["id"], text=row["text"], date=date, types=frozenset(types),
            sources={k: frozenset(v) for k, v in srcs.items()},
            targets={k: frozenset(v) for k, v in tgts.items()},
            modes={k: frozenset(v) for k, v in modes.items()},
            no_event=bool((row.get("meta") or {}).get("expect_no_event")) or not row.get("events"),
            places={k: frozenset(v) for k, v in places.items()},
        ))
    return out


def _gold_place_country(loc: Any) -> str | None:
    """ISO3 country of a gold location ({"name", "country code": ISO2}); geocoded when the
    gold gives only a name."""
    if not isinstance(loc, dict) or not loc.get("name"):
        return None
    from dyads.resolve.places import geocode, iso2_to_iso3

    if loc.get("country code"):
        return iso2_to_iso3().get(str(loc["country code"]).upper())
    found = geocode(str(loc["name"]))
    return found.country_code if found else None


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


@dataclass
class Report:
    file: str
    sentences: int = 0
    per_type: dict[str, dict[str, float]] = field(default_factory=dict)
    micro: dict[str, float] = field(default_factory=dict)
    macro_f1: float = 0.0
    source_country_accuracy: float | None = None
    target_country_accuracy: float | None = None
    mode_accuracy: float | None = None
    place_country_accuracy: float | None = None  # matched events whose gold has a location
    per_mode: dict[str, dict[str, float]] = field(default_factory=dict)  # "TYPE:mode" -> n, accuracy
    no_event_sentences: int = 0
    events_in_no_event_sentences: int = 0
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def evaluate(path: Path, coder: Coder | None = None) -> Report:
    """Code every gold sentence and score it."""
    coder = coder or Coder()
    gold = load_gold(path)
    articles = [Article(id=g.id, text=g.text, published=g.date) for g in gold]
    coded = {c.article.id: c.events for c in coder.code(articles)}
    return score(gold, coded, file=str(path))


def score(gold: Iterable[GoldSentence], coded: dict[str, tuple[Event, ...]], *, file: str = "") -> Report:
    rep = Report(file=file)
    counts: dict[str, Counter] = defaultdict(Counter)
    src_ok = src_n = tgt_ok = tgt_n = mode_ok = mode_n = place_ok = place_n = 0
    confusion: dict[str, Counter] = defaultdict(Counter)
    modes: dict[str, Counter] = defaultdict(Counter)
    for g in gold:
        rep.sentences += 1
        events = coded.get(g.id, ())
        pred = {e.event for e in events}
        if g.no_event:
            rep.no_event_sentences += 1
            rep.events_in_no_event_sentences += len(events)
        for t in pred & g.types:
            counts[t]["tp"] += 1
            same = [e for e in events if e.event == t]
            actor_codes = {a.code for e in same for a in e.actor}
            recip_codes = {r.code for e in same for r in e.recipient}
            if g.sources.get(t):
                src_n += 1
                src_ok += bool(g.sources[t] & actor_codes)
            if g.targets.get(t):
                tgt_n += 1
                tgt_ok += bool(g.targets[t] & recip_codes)
            if g.places.get(t):
                place_n += 1
                place_ok += any(e.event_loc is not None and e.event_loc.country_code in g.places[t] for e in same)
            if g.modes.get(t):
                mode_n += 1
                hit = any(e.mode in g.modes[t] for e in same)
                mode_ok += hit
                for m in g.modes[t]:
                    modes[f"{t}:{m}"]["n"] += 1
                    modes[f"{t}:{m}"]["ok"] += hit
        for t in pred - g.types:
            counts[t]["fp"] += 1
        for t in g.types - pred:
            counts[t]["fn"] += 1
        # Confusion over sentences with one gold type: what did we code instead?
        if len(g.types) == 1:
            (gt,) = tuple(g.types)
            for t in pred or {"(none)"}:
                confusion[gt][t] += 1
        if pred != g.types:
            rep.errors.append({
                "id": g.id, "text": g.text,
                "missed": sorted(g.types - pred), "false": sorted(pred - g.types),
                "coded": [f"{e.event} {','.join(str(a.code) for a in e.actor)}->{','.join(str(r.code) for r in e.recipient)} [{e.event_text}] {e.rule}" for e in events],
            })
    types = [t for t in PLOVER_TYPES if counts[t]["tp"] + counts[t]["fp"] + counts[t]["fn"]]
    rep.per_type = {t: _prf(counts[t]["tp"], counts[t]["fp"], counts[t]["fn"]) for t in types}
    tp = sum(c["tp"] for c in counts.values())
    fp = sum(c["fp"] for c in counts.values())
    fn = sum(c["fn"] for c in counts.values())
    rep.micro = _prf(tp, fp, fn)
    rep.macro_f1 = round(sum(v["f1"] for v in rep.per_type.values()) / len(types), 4) if types else 0.0
    rep.source_country_accuracy = round(src_ok / src_n, 4) if src_n else None
    rep.target_country_accuracy = round(tgt_ok / tgt_n, 4) if tgt_n else None
    rep.mode_accuracy = round(mode_ok / mode_n, 4) if mode_n else None
    rep.place_country_accuracy = round(place_ok / place_n, 4) if place_n else None
    rep.confusion = {k: dict(v) for k, v in confusion.items()}
    rep.per_mode = {k: {"n": v["n"], "accuracy": round(v["ok"] / v["n"], 4)} for k, v in sorted(modes.items())}
    return rep


def format_report(rep: Report, *, errors: bool = False) -> str:
    lines = [f"{rep.file}: {rep.sentences} sentences", f"{'type':<10} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4}"]
    for t, v in rep.per_type.items():
        lines.append(f"{t:<10} {v['precision']:>6.3f} {v['recall']:>6.3f} {v['f1']:>6.3f} {v['tp']:>4} {v['fp']:>4} {v['fn']:>4}")
    m = rep.micro
    lines.append(f"{'micro':<10} {m['precision']:>6.3f} {m['recall']:>6.3f} {m['f1']:>6.3f} {m['tp']:>4} {m['fp']:>4} {m['fn']:>4}")
    lines.append(f"macro F1 {rep.macro_f1:.3f}")
    fmt = lambda x: "n/a" if x is None else f"{x:.3f}"  # noqa: E731
    lines.append(f"source country accuracy {fmt(rep.source_country_accuracy)}; target country accuracy "
                 f"{fmt(rep.target_country_accuracy)}; mode accuracy {fmt(rep.mode_accuracy)}; "
                 f"place country accuracy {fmt(rep.place_country_accuracy)}")
    lines.append(f"no-event sentences {rep.no_event_sentences}: {rep.events_in_no_event_sentences} events coded in them")
    if rep.per_mode:
        lines.append("mode accuracy on matched events, by gold mode: " + ", ".join(
            f"{k} {v['accuracy']:.2f} (n={v['n']})" for k, v in rep.per_mode.items()))
    if rep.confusion:
        lines.append("confusion (sentences with one gold type: gold -> coded types):")
        for gold_type, row in sorted(rep.confusion.items()):
            lines.append(f"  {gold_type:<10} " + ", ".join(f"{k} {n}" for k, n in sorted(row.items(), key=lambda kv: -kv[1])))
    if errors:
        for e in rep.errors:
            lines.append(f"\n{e['id']}: missed {e['missed']} false {e['false']}\n  {e['text']}")
            lines += [f"  -> {c}" for c in e["coded"]]
    return "\n".join(lines)
