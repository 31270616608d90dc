"""Records passed between stages: frozen, slotted, plain data.

Inside NLP stages the currency is spaCy's ``Doc``; everything that crosses a stage
boundary (or a process boundary) is one of these.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

PLOVER_TYPES: tuple[str, ...] = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)

Precision = Literal["day", "month", "year"]


@dataclass(frozen=True, slots=True)
class Article:
    """One news article as read from the input, after boilerplate cleaning.

    ``text`` is the text that every character offset refers to.
    """

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published: dt.date | None = None
    origin: str = ""  # where it was read from: "path" or "path:line"


@dataclass(frozen=True, slots=True)
class Rejection:
    """An input (or part of one) that could not be coded, and why."""

    origin: str  # "path" or "path:line"
    stage: str  # "read", "parse", "clean", "code", "store"
    reason: str  # short machine-readable reason, e.g. "empty", "binary", "bad-json"
    message: str  # what was wrong and what is allowed
    article_id: str | None = None


@dataclass(frozen=True, slots=True)
class Entity:
    entity_text: str
    code: str | None
    sector: str | None
    name: str | None = None
    office: str | None = None
    identifier_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity_text": self.entity_text,
            "name": self.name,
            "code": self.code,
            "sector": self.sector,
            "office": self.office,
            "identifier_id": self.identifier_id,
        }


@dataclass(frozen=True, slots=True)
class Location:
    extracted_place: str
    resolved_place: str | None = None
    geonameid: int | None = None
    lat: float | None = None
    lon: float | None = None
    country_code: str | None = None  # ISO 3166-1 alpha-3
    feature: str | None = None  # country, admin1, city, ...

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Modality:
    negated: bool = False
    future: bool = False
    hypothetical: bool = False
    historical: bool = False

    def to_dict(self) -> dict[str, bool]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class TextInfo:
    sentence: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Event:
    """One coded event mention: the record of ``shared/schema/EVENTS.md``."""

    id: str
    article_id: str
    date: dt.date | None
    date_precision: Precision | None
    date_text: str | None
    event: str
    mode: str | None
    context: tuple[str, ...]
    cameo: str | None
    quad_code: int
    event_scale: float
    actor: tuple[Entity, ...]
    recipient: tuple[Entity, ...]
    event_loc: Location | None
    event_text: str
    text: str
    text_info: TextInfo
    modality: Modality
    attribution: Entity | None
    confidence: float
    coder: str
    # evidence beyond the schema: which rule fired and where the trigger is
    rule: str = ""
    trigger_start: int = 0
    trigger_end: int = 0
    extra: tuple[tuple[str, Any], ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """The schema record (plus the evidence fields ``rule`` and ``trigger``)."""
        return {
            "id": self.id,
            "article_id": self.article_id,
            "date": self.date.isoformat() if self.date else None,
            "date_precision": self.date_precision,
            "date_text": self.date_text,
            "event": self.event,
            "mode": self.mode,
            "context": list(self.context),
            "cameo": self.cameo,
            "quad_code": self.quad_code,
            "event_scale": self.event_scale,
            "actor": [a.to_dict() for a in self.actor],
            "recipient": [r.to_dict() for r in self.recipient],
            "event_loc": self.event_loc.to_dict() if self.event_loc else None,
            "event_text": self.event_text,
            "text": self.text,
            "text_info": {
                "sentence": self.text_info.sentence,
                "start": self.text_info.start,
                "end": self.text_info.end,
            },
            "modality": self.modality.to_dict(),
            "attribution": self.attribution.to_dict() if self.attribution else None,
            "confidence": self.confidence,
            "coder": self.coder,
            "rule": self.rule,
            "trigger": {"start": self.trigger_start, "end": self.trigger_end},
        }
