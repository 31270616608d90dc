"""Coding accuracy by linguistic phenomenon: short news sentences and what a PLOVER coder codes.

The cases live in ``tests/phenomena.tsv`` (one row per sentence; the file's header explains
the columns). Expectations follow the PLOVER manual (event-type sections and "Auxiliary
modes"), not whatever dyads outputs today. A case dyads gets wrong is marked
``xfail(strict=True)`` with the cause in the ``xfail`` column, so the suite passes, the known
gaps are listed, and a fixed gap fails loudly until its mark is removed.

A case passes when some event has the expected type, exactly the expected actor codes and
recipient codes (as sets of ``Entity.code``), exactly the expected modality flags and, where
given, the expected attribution code; and no event has a type listed in ``forbid``. A
no-event case (type ``-``) passes only when nothing at all is coded.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from dyads.types import PLOVER_TYPES, Event

CASES = Path(__file__).with_name("phenomena.tsv")
PUBLISHED = dt.date(2021, 3, 15)  # a Monday: every case is read as if published that day
FLAGS = ("negated", "future", "hypothetical", "historical")


@dataclass(frozen=True, slots=True)
class Case:
    """One sentence and the event a PLOVER coder would code from it."""

    group: str
    sentence: str
    event: str | None  # None: the sentence codes no event at all
    actor: frozenset[str]
    recipient: frozenset[str]
    flags: frozenset[str]
    attribution: str | None  # None: not checked
    forbid: frozenset[str]
    xfail: str
    note: str


def _codes(cell: str) -> frozenset[str]:
    return frozenset() if cell in ("", "-") else frozenset(cell.split("|"))


GROUPS = frozenset("plain passive negation future hypothetical historical reported accusation compound "
                   "nominal light particle infinitival possessive relative noevent".split())


def _load() -> list[Case]:
    """Read the case table once; malformed rows fail collection, not silently."""
    lines = [ln for ln in CASES.read_text("utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    cases = []
    for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
        assert row["group"] in GROUPS, f"unknown group {row['group']!r} (no test runs it): {row['sentence']}"
        event = None if row["type"] == "-" else row["type"]
        assert event is None or event in PLOVER_TYPES, row
        flags = _codes(row["flags"])
        assert flags <= set(FLAGS), row
        forbid = _codes(row["forbid"])
        assert forbid <= set(PLOVER_TYPES), row
        cases.append(Case(
            group=row["group"], sentence=row["sentence"], event=event,
            actor=_codes(row["actor"]), recipient=_codes(row["recipient"]), flags=flags,
            attribution=row["attribution"] or None, forbid=forbid,
            xfail=row["xfail"] or "", note=row["note"] or "",
        ))
    return cases


_CASES = _load()


def _slug(sentence: str) -> str:
    words = re.sub(r"[^A-Za-z0-9 ]+", "", sentence).split()
    return "_".join(words[:9])


def _params(group: str) -> list:
    out = []
    for case in _CASES:
        if case.group != group:
            continue
        marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
        out.append(pytest.param(case, id=_slug(case.sentence), marks=marks))
    assert out, f"no cases for group {group!r} in {CASES.name}"
    return out


def _show(events: list[Event]) -> str:
    """A compact listing of what dyads coded, for failure messages."""
    if not events:
        return "  (no events)"
    rows = []
    for e in events:
        flags = ",".join(f for f in FLAGS if getattr(e.modality, f)) or "-"
        attr = e.attribution.code if e.attribution else "-"
        rows.append(f"  {e.event} {sorted(str(a.code) for a in e.actor)} -> "
                    f"{sorted(str(r.code) for r in e.recipient)} flags={flags} attr={attr} "
                    f"rule={e.rule} trigger={e.event_text!r}")
    return "\n".join(rows)


def _matches(event: Event, case: Case) -> bool:
    flags = {f for f in FLAGS if getattr(event.modality, f)}
    if event.event != case.event or flags != case.flags:
        return False
    if {a.code for a in event.actor} != case.actor or {r.code for r in event.recipient} != case.recipient:
        return False
    if case.attribution is not None:
        return event.attribution is not None and event.attribution.code == case.attribution
    return True


def _check(coder, case: Case) -> None:
    events = coder.code_text(case.sentence, published=PUBLISHED)
    if case.event is None:
        assert not events, f"expected no event for {case.sentence!r}, got:\n{_show(events)}"
        return
    want = (f"{case.event} {sorted(case.actor)} -> {sorted(case.recipient)} "
            f"flags={','.join(sorted(case.flags)) or '-'} attr={case.attribution or '(any)'}")
    assert any(_matches(e, case) for e in events), (
        f"{case.sentence!r}\n expected: {want}\n coded:\n{_show(events)}")
    wrong = [e for e in events if e.event in case.forbid]
    assert not wrong, f"{case.sentence!r}: forbidden type(s) coded:\n{_show(wrong)}"


@pytest.mark.parametrize("case", _params("plain"))
def test_coder_phenomena_plain(coder, case: Case) -> None:
    _check(coder, case)


@pytest.mark.parametrize("case", _params("passive"))
def test_coder_phenomena_passive(coder, case: Case) -> None:
    _check(coder, case)


@pytest.mark.parametrize("case", _params("negation"))
def test_coder_phenomena_negation(coder, case: Case) -> None:
    _check(coder, case)


@pytest.mark.parametrize("case", _params("future"))
def test_coder_phenomena_future(coder, case: Case) -> None:
    _check(coder, case)


@pytest.mark.parametrize("case", _params("hypothetical"))
def test_coder_phenomena_hypothetical(coder, case: Case) -> None:
    _check(coder, case)


@pytest.mark.parametrize("case", _params("historical"))
def test_coder_phenomena_historical(coder, case: Case) -> None:
    _check(coder, case)


@pytest.mark.parametrize("case", _params("reported"))
def test_coder_phenomena_reported(coder, case: Case) -> None:
    _check(coder, case)


@pytest.mark.parametrize("case", _params("accusation"))
def test_coder_phenomena_accusation(coder, case: Case) -> None:
    _check(coder, case)


@pytest.mark.parametrize("case", _params("compound"))
def test_coder_phenomena_compound(coder, case: Case) -> None:
    _check(coder, case)


@pytest.mark.parametrize("case", _params("nominal"))
def test_coder_phenomena_nominal(coder, case: Case) -> None:
    _check(coder, case)


@pytest.mark.parametrize("case", _params("light"))
def test_coder_phenomena_light(coder, case: Case) -> None:
    _check(coder, case)


@pytest.mark.parametrize("case", _params("particle"))
def test_coder_phenomena_particle(coder, case: Case) -> None:
    _check(coder, case)


@pytest.mark.parametrize("case", _params("infinitival"))
def test_coder_phenomena_infinitival(coder, case: Case) -> None:
    _check(coder, case)


@pytest.mark.parametrize("case", _params("possessive"))
def test_coder_phenomena_possessive(coder, case: Case) -> None:
    _check(coder, case)


@pytest.mark.parametrize("case", _params("relative"))
def test_coder_phenomena_relative(coder, case: Case) -> None:
    _check(coder, case)


@pytest.mark.parametrize("case", _params("noevent"))
def test_coder_phenomena_noevent(coder, case: Case) -> None:
    _check(coder, case)


def test_coder_phenomena_suite_covers_every_type() -> None:
    """The suite asks for every PLOVER type at least eight times."""
    counts = {t: sum(c.event == t for c in _CASES) for t in PLOVER_TYPES}
    assert all(n >= 8 for n in counts.values()), counts
