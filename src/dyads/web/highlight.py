"""Cut an article's text into segments so its event sentences and triggers can be marked.

The segments carry plain text; the template escapes it, so marking never builds HTML
from article text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dyads.api.reads import Mark


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of text covered by the same event sentences (and trigger or not)."""

    text: str
    ids: tuple[str, ...] = ()  # mention ids whose sentence covers this run
    trigger: bool = False  # inside one of those events' trigger words
    quad: int = 0  # quad class shown: the most conflictual covering event
    anchors: tuple[str, ...] = ()  # mention ids whose sentence starts here


def segments(text: str, marks: Sequence[Mark]) -> list[Segment]:
    """Split ``text`` at every sentence and trigger boundary of ``marks``."""
    n = len(text)
    spans = [(max(0, min(m.start, n)), max(0, min(m.end, n)), m) for m in marks]
    triggers = [
        (max(0, min(m.trigger_start, n)), max(0, min(m.trigger_end, n)))
        for m in marks if m.trigger_end > m.trigger_start
    ]
    cuts = sorted({0, n, *(s for s, _, _ in spans), *(e for _, e, _ in spans),
                   *(s for s, _ in triggers), *(e for _, e in triggers)})
    out: list[Segment] = []
    for lo, hi in zip(cuts, cuts[1:], strict=False):
        if lo >= hi:
            continue
        covering = [m for s, e, m in spans if s <= lo and hi <= e]
        out.append(Segment(
            text=text[lo:hi],
            ids=tuple(m.mention_id for m in covering),
            trigger=any(s <= lo and hi <= e for s, e in triggers),
            quad=max((m.quad_code for m in covering), default=0),
            anchors=tuple(m.mention_id for s, _, m in spans if s == lo),
        ))
    return out
