"""Quality gate: scores on the development gold sets must not fall below the pinned floors.

Floors live in tests/eval_baseline.json. Raise them when the coder improves; never lower
one silently (a commit of its own that says why).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dyads.evaluate import evaluate

BASELINE = json.loads((Path(__file__).parent / "eval_baseline.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def reports(dev_dir, coder):
    return {name: evaluate(dev_dir / name, coder) for name in BASELINE["files"]}


def _metric(report, name: str) -> float:
    if name == "micro_f1":
        return report.micro["f1"]
    if name == "micro_precision":
        return report.micro["precision"]
    if name == "micro_recall":
        return report.micro["recall"]
    return getattr(report, name)


@pytest.mark.parametrize(
    "file,metric",
    [(f, m) for f, floors in BASELINE["files"].items() for m in floors if m != "max_events_in_no_event_sentences"],
)
def test_eval_gate_floor(reports, file, metric):
    floor = BASELINE["files"][file][metric]
    value = _metric(reports[file], metric)
    assert value is not None and value >= floor, f"{file} {metric} {value} fell below the floor {floor}"


@pytest.mark.parametrize("file", [f for f, floors in BASELINE["files"].items() if "max_events_in_no_event_sentences" in floors])
def test_eval_gate_no_event_sentences(reports, file):
    ceiling = BASELINE["files"][file]["max_events_in_no_event_sentences"]
    assert reports[file].events_in_no_event_sentences <= ceiling


def test_eval_gate_dev_events_validate(dev_dir, coder, validator):
    """Every event coded from the dev sets is a valid record."""
    from dyads.evaluate import load_gold
    from dyads.types import Article

    for name in BASELINE["files"]:
        gold = load_gold(dev_dir / name)
        arts = [Article(id=g.id, text=g.text, published=g.date) for g in gold]
        for coded in coder.code(arts):
            for event in coded.events:
                validator.validate(event.to_dict())
