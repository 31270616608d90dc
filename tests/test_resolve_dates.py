"""Tests for dyads.resolve.dates: finding and resolving time expressions."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

import dyads

from dyads.resolve.dates import (
    ResolvedDate,
    estimate_publication_date,
    find_time_expressions,
    is_historical,
)

PUB = dt.date(2020, 10, 18)  # a Sunday


def _only(text: str, published: dt.date | None = PUB, **kw: bool) -> ResolvedDate:
    """The single expression found in `text`."""
    found = find_time_expressions(text, published, **kw)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "date", "precision", "words"),
    [
        # weekdays: most recent on or before publication
        ("On Saturday, the minister met Rouhani.", "2020-10-17", "day", "On Saturday"),
        ("The talks began Monday in Geneva.", "2020-10-12", "day", "Monday"),
        ("Officials said Sunday that talks failed.", "2020-10-18", "day", "Sunday"),
        ("Rebels attacked the base Thursday night.", "2020-10-15", "day", "Thursday night"),
        ("He arrived on Tuesday morning.", "2020-10-13", "day", "on Tuesday morning"),
        ("The vote took place last Saturday.", "2020-10-17", "day", "last Saturday"),
        ("They will meet next Saturday.", "2020-10-24", "day", "next Saturday"),
        ("Saturday's attack killed five.", "2020-10-17", "day", "Saturday"),
        ("This past weekend, rebels attacked.", "2020-10-01", "month", "This past weekend"),
        ("He flew in on Monday of last week.", "2020-10-05", "day", "on Monday of last week"),
        # day words and counts
        ("Troops withdrew yesterday.", "2020-10-17", "day", "yesterday"),
        ("Iran today threatened Iraq.", "2020-10-18", "day", "today"),
        ("Shelling continued last night.", "2020-10-17", "day", "last night"),
        ("The deal was signed two days ago.", "2020-10-16", "day", "two days ago"),
        ("Talks collapsed 3 days ago.", "2020-10-15", "day", "3 days ago"),
        # absolute dates via dateparser
        ("The accord was signed on 3 January 2020.", "2020-01-03", "day", "on 3 January 2020"),
        ("The accord was signed Jan. 3, 2020, in Paris.", "2020-01-03", "day", "Jan. 3, 2020"),
        ("The accord was signed on January 3.", "2020-01-03", "day", "on January 3"),
        ("The accord was signed on 3 January.", "2020-01-03", "day", "on 3 January"),
        ("It expired on Oct. 20.", "2019-10-20", "day", "on Oct. 20"),
        ("They met on the 3rd of January, 2020.", "2020-01-03", "day", "on the 3rd of January, 2020"),
        ("Signed Monday, January 6, 2020 in Oslo.", "2020-01-06", "day", "Monday, January 6, 2020"),
        ("The file is dated 2020-01-03.", "2020-01-03", "day", "2020-01-03"),
        # months: first of month, month precision
        ("Protests erupted in July.", "2020-07-01", "month", "in July"),
        ("In early January, the US assassinated Soleimani.", "2020-01-01", "month", "In early January"),
        ("Fighting resumed in mid-March.", "2020-03-01", "month", "in mid-March"),
        ("Elections were held in November.", "2019-11-01", "month", "in November"),
        ("Sanctions were imposed last July.", "2020-07-01", "month", "last July"),
        ("The truce was signed in May.", "2020-05-01", "month", "in May"),
        ("The talks ended in January 2019.", "2019-01-01", "month", "in January 2019"),
        ("Troops arrived in late Sept. 2019.", "2019-09-01", "month", "in late Sept. 2019"),
        ("Aid arrives at the end of the month.", "2020-10-01", "month", "at the end of the month"),
        ("Prices rose last month.", "2020-09-01", "month", "last month"),
        ("He resigned earlier this month.", "2020-10-01", "month", "earlier this month"),
        ("The army withdrew six months ago.", "2020-04-01", "month", "six months ago"),
        ("Talks stalled a few days ago.", "2020-10-01", "month", "a few days ago"),
        # weeks: month of the week's Thursday
        ("Rockets hit the area last week.", "2020-10-01", "month", "last week"),
        ("Talks resume next week.", "2020-10-01", "month", "next week"),
        ("Protests spread this week.", "2020-10-01", "month", "this week"),
        ("The envoy visited three weeks ago.", "2020-09-01", "month", "three weeks ago"),
        # years and decades
        ("The war began in 2019.", "2019-01-01", "year", "in 2019"),
        ("Tensions have grown since early 2019.", "2019-01-01", "year", "since early 2019"),
        ("Output fell earlier this year.", "2020-01-01", "year", "earlier this year"),
        ("Talks collapsed late last year.", "2019-01-01", "year", "late last year"),
        ("The pact lapsed two years ago.", "2018-01-01", "year", "two years ago"),
        ("Kigali's role in the 1994 genocide was debated.", "1994-01-01", "year", "in the 1994"),
        ("Sanctions date from the 1990s.", "1990-01-01", "year", "from the 1990s"),
        ("Exports boomed in the early '90s.", "1990-01-01", "year", "in the early '90s"),
    ],
)
def test_dates_resolves_expression(text: str, date: str, precision: str, words: str) -> None:
    found = _only(text)
    assert (found.date.isoformat(), found.precision, found.text) == (date, precision, words)


@pytest.mark.parametrize(
    "text",
    [
        "Gunmen killed 12 people in the north.",
        "The council passed Resolution 1441 unanimously.",
        "Israel bought 20 F-16 jets.",
        "The budget is $2019 million.",
        "Memories of 9/11 shaped the policy.",
        "COVID-19 cases rose sharply.",
        "The meeting is at 10 a.m. sharp.",
        "Theresa May said Britain would leave.",
        "A speech by May angered the EU.",
        "The Good Friday Agreement holds.",
        "The Mail on Sunday reported the deal.",
        "June Smith led the delegation.",
        "The rally drew a crowd of 2019 people.",
        "March 15,000 protesters gathered in the square.",
        "The 2019 election was disputed.",
        "The US will send in 2000 more troops.",
        "Black Friday sales fell.",
    ],
)
def test_dates_ignores_non_date(text: str) -> None:
    assert find_time_expressions(text, PUB) == []


@pytest.mark.parametrize(
    "text",
    [
        "He arrived on Saturday.",
        "Troops withdrew yesterday.",
        "Protests erupted in July.",
        "Rockets hit the area last week.",
        "The accord was signed on January 3.",
    ],
)
def test_dates_skips_relative_without_publication(text: str) -> None:
    assert find_time_expressions(text, None) == []


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("The accord was signed on 3 January 2020.", "2020-01-03"),
        ("The war began in 2019.", "2019-01-01"),
        ("The talks ended in January 2019.", "2019-01-01"),
    ],
)
def test_dates_resolves_absolute_without_publication(text: str, date: str) -> None:
    assert _only(text, None).date.isoformat() == date


@pytest.mark.parametrize(
    ("text", "relative"),
    [
        ("On Saturday, he left.", True),
        ("He left in July.", True),
        ("He left on January 3.", True),
        ("He left on January 3, 2020.", False),
        ("He left in 2019.", False),
        ("He left on 2020-01-03.", False),
    ],
)
def test_dates_marks_relative(text: str, relative: bool) -> None:
    assert _only(text).relative is relative


@pytest.mark.parametrize(
    ("text", "future", "date"),
    [
        ("The leaders will meet on Saturday.", True, "2020-10-24"),
        ("The leaders met on Saturday.", False, "2020-10-17"),
        ("The leaders will meet on Sunday.", True, "2020-10-18"),
        ("Elections will be held in November.", True, "2020-11-01"),
        ("Elections will be held in October.", True, "2020-10-01"),
        ("Elections will be held in March.", True, "2021-03-01"),
        ("The summit opens on Oct. 20.", True, "2020-10-20"),
        ("The summit opens on October 18.", True, "2020-10-18"),
    ],
)
def test_dates_future_hint_resolves_forward(text: str, future: bool, date: str) -> None:
    assert _only(text, future=future).date.isoformat() == date


@pytest.mark.parametrize(
    "text",
    ["in July", "in early January", "at the end of the month", "last month", "in May 2019",
     "next week", "in mid-March", "six months ago"],
)
def test_dates_month_precision_never_keeps_publication_day(text: str) -> None:
    found = _only(text)
    assert found.precision == "month" and found.date.day == 1


@pytest.mark.parametrize(
    "text",
    [
        "Officials said on Saturday that troops had left in early January.",
        "  Jan. 3, 2020: talks; later, two days ago, in 2019 and last week.",
        "Sanctions — imposed in mid-March — bit hard by Thursday night.",
    ],
)
def test_dates_offsets_index_input(text: str) -> None:
    found = find_time_expressions(text, PUB)
    assert len(found) >= 2
    assert all(text[r.start:r.end] == r.text for r in found)
    assert [r.start for r in found] == sorted(r.start for r in found)


def test_dates_finds_all_in_text_order() -> None:
    text = "He said last week that two days ago, in July, they met on Saturday."
    words = [r.text for r in find_time_expressions(text, PUB)]
    assert words == ["last week", "two days ago", "in July", "on Saturday"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Talks collapsed late last year.", "late last year"),
        ("Signed Monday, January 6, 2020 in Oslo.", "Monday, January 6, 2020"),
        ("The talks ended in January 2019.", "in January 2019"),
    ],
)
def test_dates_prefers_longest_expression(text: str, words: str) -> None:
    assert _only(text).text == words


@pytest.mark.parametrize(
    ("text", "sentence_initial", "expected"),
    [
        ("In early January, the US assassinated Soleimani.", True, True),
        ("On Saturday, the minister met Rouhani.", True, False),
        ("He arrived on Saturday.", False, False),
        ("The war began in 2019.", False, True),
        ("Protests erupted in July.", False, True),
        ("Prices rose last month.", False, False),
        ("Prices rose last month.", True, True),
        ("Talks resume in October.", True, False),
        ("On Oct. 3, troops crossed the border.", True, True),
        ("Troops crossed the border on Oct. 3.", False, False),
    ],
)
def test_dates_historical_flag(text: str, sentence_initial: bool, expected: bool) -> None:
    assert is_historical(_only(text), PUB, sentence_initial=sentence_initial) is expected


def test_dates_historical_needs_publication() -> None:
    found = _only("The war began in 2019.")
    assert is_historical(found, None, sentence_initial=True) is False


@pytest.mark.parametrize(
    ("text", "date", "words"),
    [
        ("Posted 3 January 2020. Talks that began on 1 December 2019 resumed.",
         "2020-01-03", "3 January 2020"),
        ("Talks resumed on Jan. 5, 2019, after the 2018-12-30 ceasefire.", "2019-01-05", "on Jan. 5, 2019"),
        ("Updated 2020-01-03. The 1999 accord was signed on 4 May 1999.", "2020-01-03", "2020-01-03"),
    ],
)
def test_dates_estimates_publication_from_latest_full_date(text: str, date: str, words: str) -> None:
    found = estimate_publication_date(text)
    assert found is not None
    assert (found.date.isoformat(), found.precision, found.text) == (date, "day", words)
    assert text[found.start:found.end] == found.text


@pytest.mark.parametrize(
    "text",
    [
        "Troops left on Saturday and talks resume next week.",
        "The war began in 2019 and peaked in January 2020.",
        "Elections are due on 3 November 2999.",
    ],
)
def test_dates_estimate_publication_needs_full_past_date(text: str) -> None:
    assert estimate_publication_date(text) is None


def test_dates_import_does_not_load_dateparser() -> None:
    src = str(Path(dyads.__file__).resolve().parents[1])
    code = "import sys, dyads.resolve.dates; print('dateparser' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": src}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "False"
