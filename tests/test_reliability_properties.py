"""Property tests (hypothesis) over the text pipeline: any input in, no exception out;
every event's offsets inside its article text; every record valid against the schema."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dyads.errors import REASONS
from dyads.ingest.clean import clean_text
from dyads.ingest.readers import _record_to_article, iter_articles, non_english_reason
from dyads.store.db import Store
from dyads.types import Article, Rejection

# No example database (nothing written to the repo). Modest counts keep the whole file under a minute on two shared cores.
FAST = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
CODED = settings(max_examples=120, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# News-like vocabulary so that generated texts reach the actor, event, date and place
# code paths, mixed with arbitrary characters so they also reach the odd corners.
WORDS = ("Iraq Iran Iraqi Iranian Kenyan Somalia Baghdad Tehran United States President Minister "
         "troops police protesters government officials said met signed attacked accused shelled "
         "agreed rejected will not would if on Monday Sunday last week 2020 yesterday in the a of "
         "and to with against talks deal aid sanctions . , ; : ? ! \" ' ( ) - \n \n\n").split(" ")
newsy = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=6)), max_size=60).map(" ".join)
any_text = st.one_of(st.text(max_size=400), newsy)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
FIELDS = ("id", "text", "title", "url", "source", "published", "date")


def _check_item(item: Article | Rejection) -> None:
    if isinstance(item, Rejection):
        assert item.reason in REASONS and item.message
    else:
        assert item.text.strip() and item.id
        item.text.encode("utf-8")  # storable: no lone surrogates


@FAST
@given(any_text)
def test_reliability_properties_clean_text_never_raises(text: str) -> None:
    out = clean_text(text)
    assert isinstance(out, str) and len(out) <= len(text) + text.count("\n") + 1


@FAST
@given(any_text)
def test_reliability_properties_language_check_never_raises(text: str) -> None:
    assert non_english_reason(text) is None or isinstance(non_english_reason(text), str)


@FAST
@given(st.dictionaries(st.sampled_from(FIELDS), st.one_of(any_text, json_values), max_size=7))
def test_reliability_properties_any_json_record_is_article_or_named_rejection(record: dict[str, Any]) -> None:
    _check_item(_record_to_article(json.dumps(record), "t.jsonl:1", None))


@FAST
@given(st.binary(max_size=2000), st.sampled_from([".txt", ".html", ".jsonl"]))
def test_reliability_properties_any_bytes_in_any_file_type(tmp_path_factory: pytest.TempPathFactory,
                                                           data: bytes, suffix: str) -> None:
    path = tmp_path_factory.mktemp("bytes") / f"in{suffix}"
    path.write_bytes(data)
    items = list(iter_articles([path]))
    assert items
    for item in items:
        _check_item(item)


@pytest.fixture(scope="module")
def prop_store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with Store(tmp_path_factory.mktemp("prop") / "prop.duckdb") as store:
        yield store


@CODED
@given(any_text, st.one_of(st.none(), st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31))))
def test_reliability_properties_coded_events_are_inside_the_text_and_valid(
        coder: Any, validator: Any, prop_store: Store, raw: str, published: dt.date | None) -> None:
    """Any text: coding never raises, offsets point into the text, records validate, the store takes it."""
    text = clean_text(raw)
    if not text:
        return
    article = Article(id=hashlib.sha1(f"{published}|{text}".encode()).hexdigest()[:16], text=text, published=published, origin="prop")
    [coded] = list(coder.code([article]))
    assert all(r.reason and r.message for r in coded.rejections)
    for event in coded.events:
        info = event.text_info
        assert 0 <= info.start <= info.end <= len(text)
        assert text[info.start:info.end] == event.text
        assert info.start <= event.trigger_start < event.trigger_end <= info.end
        errors = sorted(validator.iter_errors(event.to_dict()), key=str)
        assert not errors, [e.message for e in errors]
    prop_store.add(article, coded.events)
    con = prop_store._con
    stored = con.execute("SELECT n_events, (SELECT count(*) FROM mentions WHERE article_id = ?) FROM articles"
                         " WHERE id = ?", [article.id, article.id]).fetchone()
    assert stored == (len(coded.events), len(coded.events))
