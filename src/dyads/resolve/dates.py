"""Event dates from time expressions, resolved against the publication date.

Each event's date comes from the time expression attached to its clause or sentence
(found here), else from the article's time frame, else the publication date (both
decided by the caller). This module finds and resolves the expressions.

How it works: hand-written regexes find short candidate spans ("on Saturday", "in early
January", "Jan. 3, 2020"); the longest non-overlapping candidates win. Absolute
day-and-month dates ("3 January 2020", "Jan. 3") are resolved by ``dateparser`` on a
canonical form of the span only (never on whole sentences: it is slow, and its search
mode finds dates in ordinary numbers). Everything else is calendar arithmetic written
here, because dateparser fills month-only dates with the base day, has no notion of
"early January" or "the end of the month", and gives a week a day-precise date.

Decisions (the schema has only day/month/year precision, and we never invent any):

* ``text`` is the words that gave the date, including a directly preceding preposition
  ("On Saturday", "in early January"); ``start``/``end`` index the input string.
* A bare weekday means the most recent such day on or before publication (the
  publication day itself when the weekdays agree); with ``future=True`` the next such
  day on or after it. "last Saturday" is strictly before, "next Saturday" strictly after.
* A month without a year is the most recent such month not after the publication month
  (``future=True``: the next one on or after). "early/mid/late January", "the end of
  January" are month precision, dated the 1st: the schema cannot say "early".
* Week expressions ("last week", "this week", "next weekend", "two weeks ago") name no
  day, so they get precision "month": the month holding most of that week's days, i.e.
  the month of its Thursday (ISO 8601's rule for assigning weeks). For a weekend it is
  the month of its Saturday.
* "N days ago" with a number is day precision; vague counts ("a few days ago") only
  month precision. "N months ago" is month, "N years ago" year precision.
* "last night" is the day before publication; "tonight", "this morning" the day itself.
* A decade ("the 1990s", "the early '90s") resolves to its first year with precision
  "year": the coarsest the schema allows. It is a date that places the event in the past
  (so the caller does not fall back to the publication date), not a claim about 1990.
* A bare 4-digit number is a year only after in/since/by/of/during/until/from/through/
  before/after or a modifier ("early 2019"), only 1900-2100, and not before a unit
  ("of 2019 people"). Numbers like "Resolution 1441", "F-16", "COVID-19", "9/11" and
  clock times are never dates.
* ``relative`` is True when the publication date was needed to resolve the expression.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

Precision = Literal["day", "month", "year"]

__all__ = [
    "ResolvedDate",
    "find_time_expressions",
    "is_historical",
    "estimate_publication_date",
]


@dataclass(frozen=True, slots=True)
class ResolvedDate:
    """One time expression found in a text and the date it stands for."""

    date: dt.date
    precision: Literal["day", "month", "year"]
    text: str  # the words that gave the date, as in the input
    start: int  # character offsets of `text` within the input string passed in
    end: int
    relative: bool  # True when resolved against the publication date


# --------------------------------------------------------------------------- tables
# Written for this module: English month and weekday names as they appear in news.

_MONTH_NUMBERS: dict[str, int] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3,
    "april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7,
    "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9, "october": 10,
    "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
_MONTH_FULL = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_COUNT_WORDS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}
# Vague counts: the expression still places the event, but not on a day.
_VAGUE_COUNTS: dict[str, int] = {"a couple of": 2, "a few": 3, "several": 4}

# Capitalised words that turn a weekday into a name ("Good Friday Agreement",
# "Bloody Sunday", "The Mail on Sunday") rather than a day of the reported week.
_WEEKDAY_NAME_BEFORE = ("Black", "Good", "Bloody", "Cyber", "Super", "Ash", "Palm",
                        "Easter", "Holy", "Maundy", "Giving", "Shrove", "Fat", "Great",
                        "Blue", "Mail on", "Mail On")
_WEEKDAY_NAME_AFTER = ("Times", "Telegraph", "Express", "Mirror", "Herald", "Post",
                       "Tribune", "Independent", "Observer", "Mail", "Night Football",
                       "School", "Service", "Group")

# --------------------------------------------------------------------------- regexes
_PREP = r"(?i:on|in|at|during|since|until|till|by|from|before|after|through|throughout|as\s+of)"
_MONTH_ANY = (r"(?:January|February|March|April|May|June|July|August|September|October"
              r"|November|December|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?)")
_WD = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DAY = r"(?P<day>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d|2100)"
# A day number must not be part of a larger number, amount or numeric date.
_NUM_BEFORE = r"(?<![\d$£€.,/\-])"
_NUM_AFTER = r"(?!\d|[,.]\d|/|:\d|\s*%)"
_UNITS = (r"(?!\s*(?i:%|percent|per\s+cent|more|additional|extra|people|persons|soldiers|troops|members|votes"
          r"|dollars|euros|pounds|tonnes|tons|barrels|cases|deaths|homes|km|kilomet|miles"
          r"|met(?:er|re)s|feet|hectares|acres|units|times)\b)")
_MONTH_MOD = (r"(?i:early|mid|late|earlier\s+in|later\s+in|"
              r"the\s+(?:end|beginning|start|middle|first\s+half|second\s+half|"
              r"(?:first|second|third|fourth|last)\s+week|first\s+days|last\s+days)\s+of)")
_YEAR_MOD = (r"(?i:early|mid|late|"
             r"the\s+(?:end|beginning|start|middle|first\s+half|second\s+half|"
             r"(?:spring|summer|autumn|fall|winter))\s+of|"
             r"(?:the\s+)?(?:spring|summer|autumn|fall|winter|the\s+year))")
_REL_MOD = r"(?i:(?:earlier|later)\s+in|earlier|later|early|late|the\s+(?:end|beginning|start|middle)\s+of)"


def _opt_prep() -> str:
    """An optional preposition directly before an expression, kept in its text."""
    return rf"\b(?:(?P<prep>{_PREP})\s+)?"


def _weekday_prefix() -> str:
    """An optional weekday before a calendar date ("Monday, January 3")."""
    return rf"(?:(?P<wd>{_WD}),?\s+)?"


Resolution = tuple[dt.date, Precision, bool] | None
Handler = Callable[[re.Match[str], dt.date | None, bool], Resolution]


@dataclass(frozen=True, slots=True)
class _Rule:
    """One kind of time expression: where it is, and how it resolves."""

    name: str
    pattern: re.Pattern[str]
    resolve: Handler


# --------------------------------------------------------------------------- calendar helpers
def _month_start(year: int, month: int) -> dt.date:
    """First day of a month, with month overflow folded into the year."""
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return dt.date(year, month, 1)


def _monday(day: dt.date) -> dt.date:
    """Monday of the ISO week holding ``day``."""
    return day - dt.timedelta(days=day.weekday())


def _week_month(monday: dt.date) -> dt.date:
    """The month a week belongs to: that of its Thursday (most of its days)."""
    return (monday + dt.timedelta(days=3)).replace(day=1)


def _month_year(month: int, published: dt.date, future: bool, rel: str | None) -> int:
    """The year of a month named without one, relative to publication."""
    if rel == "last":
        return published.year if month < published.month else published.year - 1
    if rel == "next":
        return published.year if month > published.month else published.year + 1
    if rel == "this":
        return published.year
    if future:
        return published.year if month >= published.month else published.year + 1
    return published.year if month <= published.month else published.year - 1


def _weekday_date(weekday: int, published: dt.date, future: bool, rel: str | None) -> dt.date:
    """The date of a weekday named without a date, relative to publication."""
    back = (published.weekday() - weekday) % 7
    ahead = (weekday - published.weekday()) % 7
    if rel in ("last", "past", "this past"):
        return published - dt.timedelta(days=back or 7)
    if rel in ("next", "coming", "this coming"):
        return published + dt.timedelta(days=ahead or 7)
    if future:
        return published + dt.timedelta(days=ahead)
    return published - dt.timedelta(days=back)


def _norm(word: str | None) -> str | None:
    """Lower-case and collapse inner whitespace of an optional matched word."""
    return " ".join(word.lower().split()) if word else None


def _month_number(name: str) -> int:
    """Month number of a month name or abbreviation ("Sept." -> 9)."""
    return _MONTH_NUMBERS[name.rstrip(".").lower()]


@lru_cache(maxsize=8192)
def _parse_day(canonical: str, base: dt.date | None, future: bool) -> dt.date | None:
    """Resolve a canonical "January 3[ 2020]" with dateparser (cached: it is slow)."""
    import dateparser  # lazy: importing it costs about half a second

    settings: dict[str, object] = {
        "PREFER_DATES_FROM": "future" if future else "past",
        "REQUIRE_PARTS": ["day", "month"],
    }
    if base is not None:
        # dateparser's "future" excludes the base day itself; we want on-or-after.
        anchor = base - dt.timedelta(days=1) if future else base
        settings["RELATIVE_BASE"] = dt.datetime.combine(anchor, dt.time())
    parsed = dateparser.parse(canonical, languages=["en"], settings=settings)  # type: ignore[arg-type]
    return parsed.date() if parsed else None


# --------------------------------------------------------------------------- handlers
def _iso(m: re.Match[str], published: dt.date | None, future: bool) -> Resolution:
    """ISO date 2020-01-03."""
    try:
        return dt.date(int(m["y"]), int(m["m"]), int(m["d"])), "day", False
    except ValueError:
        return None


def _day_month(m: re.Match[str], published: dt.date | None, future: bool) -> Resolution:
    """A day and a month name, with or without year ("3 January 2020", "Jan. 3")."""
    month = _MONTH_FULL[_month_number(m["month"]) - 1]
    day = int(m["day"])
    year = m["year"] or None  # the no-year patterns carry an empty `year` group
    if year is None and published is None:
        return None
    canonical = f"{month} {day} {year}" if year else f"{month} {day}"
    base = None if year else published
    date = _parse_day(canonical, base, future and not year)
    if date is None:
        return None
    return date, "day", year is None


def _month_year_abs(m: re.Match[str], published: dt.date | None, future: bool) -> Resolution:
    """A month with a year ("January 2020", "early Jan. 2020")."""
    return dt.date(int(m["year"]), _month_number(m["month"]), 1), "month", False


def _month_only(m: re.Match[str], published: dt.date | None, future: bool) -> Resolution:
    """A month without a year, introduced by a preposition or modifier ("in July")."""
    prep, rel, mod = _norm(m["prep"]), _norm(m["rel"]), m["mod"]
    if not (prep or rel or mod):
        return None  # a bare capitalised "June"/"April" is too often a name
    if published is None:
        return None
    name = m["month"]
    if name == "May" and not (rel or mod or prep in ("in", "since", "until", "till", "during")):
        return None  # "by May", "after May" are usually Theresa May and the like
    month = _month_number(name)
    return _month_start(_month_year(month, published, future, rel), month), "month", True


def _year(m: re.Match[str], published: dt.date | None, future: bool) -> Resolution:
    """A year after a preposition or modifier ("in 2019", "late 2019")."""
    if not (m["prep"] or m["mod"]):
        return None
    year = int(m["year"])
    if not 1900 <= year <= 2100:
        return None
    return dt.date(year, 1, 1), "year", False


def _decade(m: re.Match[str], published: dt.date | None, future: bool) -> Resolution:
    """A decade ("the 1990s", "the '90s") as its first year."""
    if m["decade"]:
        year = int(m["decade"])
    else:
        short = int(m["short"])
        ref = (published or dt.date.today()).year
        year = 2000 + short if 2000 + short <= ref else 1900 + short
    if not 1900 <= year <= 2100:
        return None
    return dt.date(year, 1, 1), "year", False


def _weekday(m: re.Match[str], published: dt.date | None, future: bool) -> Resolution:
    """A weekday without a date ("on Saturday", "last Thursday night")."""
    if published is None:
        return None
    text, start, end = m.string, m.start("wd"), m.end("wd")
    before = text[max(0, start - 12):start].rstrip()
    after = text[end:end + 20].lstrip()
    if any(before.endswith(w) for w in _WEEKDAY_NAME_BEFORE):
        return None
    if any(after.startswith(w) for w in _WEEKDAY_NAME_AFTER):
        return None
    weekday = _WEEKDAYS.index(m["wd"])
    week = _norm(m["week"])
    if week:  # "Monday of last week"
        shift = {"last": -7, "this": 0, "next": 7}[week]
        monday = _monday(published) + dt.timedelta(days=shift)
        return monday + dt.timedelta(days=weekday), "day", True
    return _weekday_date(weekday, published, future, _norm(m["rel"])), "day", True


def _day_word(m: re.Match[str], published: dt.date | None, future: bool) -> Resolution:
    """Yesterday, today, tonight, tomorrow, last night, this morning."""
    if published is None:
        return None
    word = _norm(m["word"]) or ""
    offsets = {
        "yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1, "last night": -1,
        "this morning": 0, "this afternoon": 0, "this evening": 0,
        "the day before yesterday": -2, "the day after tomorrow": 2,
    }
    key = word.split()[0] if word.split()[0] in ("yesterday", "tomorrow") else word
    if key not in offsets:
        return None
    return published + dt.timedelta(days=offsets[key]), "day", True


def _ago(m: re.Match[str], published: dt.date | None, future: bool) -> Resolution:
    """"N days/weeks/months/years ago"."""
    if published is None:
        return None
    count_text = _norm(m["count"]) or ""
    vague = count_text in _VAGUE_COUNTS
    n = _VAGUE_COUNTS.get(count_text) or _COUNT_WORDS.get(count_text)
    if n is None:
        n = int(count_text)
    if not 0 < n <= 100:
        return None
    unit = (_norm(m["unit"]) or "").rstrip("s")
    if unit == "day":
        day = published - dt.timedelta(days=n)
        return (day.replace(day=1), "month", True) if vague else (day, "day", True)
    if unit == "week":
        monday = _monday(published - dt.timedelta(weeks=n))
        return _week_month(monday), "month", True
    if unit == "month":
        return _month_start(published.year, published.month - n), "month", True
    return dt.date(published.year - n, 1, 1), "year", True


def _week(m: re.Match[str], published: dt.date | None, future: bool) -> Resolution:
    """"last week", "this weekend", "the past week": month precision (see module doc)."""
    if published is None:
        return None
    rel, unit = _norm(m["rel"]) or "", _norm(m["unit"]) or ""
    if rel in ("the past", "this past") and unit == "week":
        # the seven days ending on publication
        return (published - dt.timedelta(days=3)).replace(day=1), "month", True
    shift = {"last": -7, "this": 0, "next": 7, "the past": -7, "this past": -7,
             "this coming": 7, "the coming": 7}[rel]
    monday = _monday(published) + dt.timedelta(days=shift)
    if unit == "weekend":
        if rel == "this past" and published.weekday() >= 5:
            monday = _monday(published)  # on a Saturday/Sunday it is the current one
        saturday = monday + dt.timedelta(days=5)
        return saturday.replace(day=1), "month", True
    return _week_month(monday), "month", True


def _rel_month(m: re.Match[str], published: dt.date | None, future: bool) -> Resolution:
    """"last month", "earlier this month", "at the end of the month"."""
    if published is None:
        return None
    shift = {"last": -1, "this": 0, "next": 1, "the": 0}[_norm(m["rel"]) or "the"]
    return _month_start(published.year, published.month + shift), "month", True


def _rel_year(m: re.Match[str], published: dt.date | None, future: bool) -> Resolution:
    """"last year", "earlier this year", "late last year", "by the end of the year"."""
    if published is None:
        return None
    shift = {"last": -1, "this": 0, "next": 1, "the": 0}[_norm(m["rel"]) or "the"]
    return dt.date(published.year + shift, 1, 1), "year", True


# --------------------------------------------------------------------------- rules
@lru_cache(maxsize=1)
def _rules() -> tuple[_Rule, ...]:
    """All expression kinds, compiled once on first use."""
    p = _opt_prep()
    wdp = _weekday_prefix()
    specs: list[tuple[str, str, Handler]] = [
        ("iso", rf"{p}(?<![\d\-/])(?P<y>(?:19|20)\d\d)-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])(?!\d)",
         _iso),
        ("dmy", rf"{p}{wdp}(?i:the\s+)?{_NUM_BEFORE}{_DAY}(?:\s+of)?\s+(?P<month>{_MONTH_ANY}),?\s+"
                rf"{_YEAR}{_NUM_AFTER}", _day_month),
        ("mdy", rf"{p}{wdp}(?P<month>{_MONTH_ANY})\s+(?i:the\s+)?{_NUM_BEFORE}{_DAY},?\s+{_YEAR}{_NUM_AFTER}",
         _day_month),
        ("dm", rf"{p}{wdp}(?i:the\s+)?{_NUM_BEFORE}{_DAY}(?:\s+of)?\s+(?P<month>{_MONTH_ANY})"
               rf"(?!\s*\d)(?P<year>)?", _day_month),
        ("md", rf"{p}{wdp}(?P<month>{_MONTH_ANY})\s+(?i:the\s+)?{_NUM_BEFORE}{_DAY}{_NUM_AFTER}"
               rf"(?P<year>)?", _day_month),
        ("my", rf"{p}(?:{_MONTH_MOD}[\s-]+)?(?P<month>{_MONTH_ANY})(?:,?\s+of)?,?\s+{_YEAR}"
               rf"{_NUM_AFTER}", _month_year_abs),
        ("month", rf"{p}(?:(?P<rel>(?i:last|this|next))\s+)?(?:(?P<mod>{_MONTH_MOD})[\s-]*)?"
                  r"(?P<month>(?:January|February|March|April|May|June|July|August|September"
                  r"|October|November|December)\b(?!'s)"
                  r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.)", _month_only),
        # "in the 1994 genocide": a year used as a modifier after a preposition
        ("year", rf"\b(?:(?P<prep>{_PREP}|(?i:of))\s+(?i:the\s+)?)?(?:(?P<mod>{_YEAR_MOD})[\s-]*)?"
                 rf"{_NUM_BEFORE}{_YEAR}(?!\d|[,.]\d|'s|s\b){_UNITS}", _year),
        ("decade", rf"{p}(?i:the)\s+(?:(?i:early|mid|late)[\s-]+)?"
                   r"(?:(?P<decade>(?:19|20)\d0)s|['’](?P<short>\d0)s)\b", _decade),
        ("weekday", rf"{p}(?:(?P<rel>(?i:this\s+past|this\s+coming|last|next|this|past|coming))\s+)?"
                    rf"(?:(?i:early|late)\s+)?(?P<wd>{_WD})\b"
                    r"(?:(?:\s+of)?\s+(?P<week>(?i:last|this|next))\s+week\b)?"
                    r"(?:\s+(?i:morning|afternoon|evening|night|overnight)\b)?", _weekday),
        ("dayword", rf"{p}(?:(?i:earlier|later|late|early)\s+)?"
                    r"(?P<word>(?i:the\s+day\s+before\s+yesterday|the\s+day\s+after\s+tomorrow"
                    r"|(?:yesterday|tomorrow)(?:\s+(?:morning|afternoon|evening|night))?"
                    r"|this\s+(?:morning|afternoon|evening)|last\s+night|today|tonight))\b", _day_word),
        ("ago", r"\b(?P<count>(?i:a\s+couple\s+of|a\s+few|several|an?|one|two|three|four|five|six"
                r"|seven|eight|nine|ten|eleven|twelve)|\d{1,3})\s+"
                r"(?P<unit>(?i:days?|weeks?|months?|years?))\s+(?i:ago)\b", _ago),
        ("week", rf"{p}(?:{_REL_MOD}\s+)?(?P<rel>(?i:this\s+past|this\s+coming|the\s+coming|the\s+past"
                 r"|last|this|next))\s+(?P<unit>(?i:week|weekend))\b", _week),
        ("relmonth", rf"{p}(?:{_REL_MOD}\s+)?(?P<rel>(?i:last|this|next))\s+month\b", _rel_month),
        ("themonth", rf"{p}{_REL_MOD}\s+(?P<rel>(?i:the))\s+month\b", _rel_month),
        ("relyear", rf"{p}(?:{_REL_MOD}\s+)?(?P<rel>(?i:last|this|next))\s+year\b", _rel_year),
        ("theyear", rf"{p}{_REL_MOD}\s+(?P<rel>(?i:the))\s+year\b", _rel_year),
    ]
    return tuple(_Rule(name, re.compile(source), handler) for name, source, handler in specs)


# --------------------------------------------------------------------------- public API
def _candidates(text: str, published: dt.date | None, future: bool) -> Iterator[ResolvedDate]:
    """Every resolvable match of every rule, overlapping ones included."""
    for rule in _rules():
        for m in rule.pattern.finditer(text):
            resolved = rule.resolve(m, published, future)
            if resolved is None:
                continue
            date, precision, relative = resolved
            yield ResolvedDate(date, precision, m.group(0), m.start(), m.end(), relative)


def find_time_expressions(
    text: str, published: dt.date | None, *, future: bool = False
) -> list[ResolvedDate]:
    """All time expressions in `text` (typically one sentence), resolved, in text order.

    Expressions that need a publication date to resolve (weekdays, 'yesterday', 'in July'
    without year) are skipped when published is None. Overlapping candidates are settled
    longest first, so "Monday, January 3, 2020" beats "Monday" and "late last year" beats
    "last year".
    """
    chosen: list[ResolvedDate] = []
    for cand in sorted(_candidates(text, published, future), key=lambda r: (r.start - r.end, r.start)):
        if all(cand.end <= c.start or cand.start >= c.end for c in chosen):
            chosen.append(cand)
    return sorted(chosen, key=lambda r: r.start)


def _period_end(resolved: ResolvedDate) -> dt.date:
    """Last day of the period a resolved date stands for."""
    if resolved.precision == "day":
        return resolved.date
    if resolved.precision == "month":
        return _month_start(resolved.date.year, resolved.date.month + 1) - dt.timedelta(days=1)
    return dt.date(resolved.date.year, 12, 31)


def is_historical(
    resolved: ResolvedDate, published: dt.date | None, *, sentence_initial: bool
) -> bool:
    """Whether an expression marks background rather than news.

    True when the whole period the expression names ended more than 7 days before
    publication AND either the expression opens the sentence ("In early January, the US
    assassinated ...") or it is a month/year that ended more than a month before
    publication ("... which began in 2019"). Without a publication date nothing is
    historical: we cannot tell.
    """
    if published is None:
        return False
    gap = (published - _period_end(resolved)).days
    if gap <= 7:
        return False
    if sentence_initial:
        return True
    return resolved.precision in ("month", "year") and gap > 31


def estimate_publication_date(text: str) -> ResolvedDate | None:
    """Guess a missing publication date: the latest full explicit date with a year.

    Only day-precise absolute dates count ("3 January 2020", "2020-01-03"); a month or a
    year mentioned in an article says too little about when it was written. Dates after
    today are ignored (announced future events). The result's `text`/offsets point at the
    words used.
    """
    today = dt.date.today()
    best: ResolvedDate | None = None
    for found in find_time_expressions(text, None):
        if found.precision != "day" or found.relative or found.date > today:
            continue
        if best is None or found.date > best.date:
            best = found
    return best
