"""The coder as a whole: evidence, offsets, ids, dates, confidence and settings."""

from __future__ import annotations

import datetime as dt

import pytest

from dyads.coder import Coder
from dyads.settings import Settings
from dyads.types import Article

PUB = dt.date(2020, 10, 18)  # a Sunday
ARTICLE = (
    "Iraqi Foreign Minister Fuad Hussein arrived in Tehran on Saturday for talks. "
    "Hussein met Iranian President Hassan Rouhani and Foreign Minister Mohammad Javad Zarif. "
    "In early January, a US drone strike killed Qassem Soleimani in Baghdad. "
    "Trump threatened Iraq with sanctions if it expelled US troops."
)


@pytest.fixture(scope="module")
def events(coder):
    return coder.code_text(ARTICLE, PUB, article_id="a1")


def test_coder_events_carry_their_evidence(events):
    assert events
    for e in events:
        assert e.event_text and e.rule and e.coder.startswith("dyads ")
        assert ARTICLE[e.text_info.start:e.text_info.end] == e.text
        assert e.text_info.start <= e.trigger_start < e.trigger_end <= e.text_info.end
        assert ARTICLE[e.trigger_start:e.trigger_end].split()[0] in e.event_text


def test_coder_ids_are_stable(coder, events):
    again = coder.code_text(ARTICLE, PUB, article_id="a1")
    assert [e.id for e in again] == [e.id for e in events]
    other = coder.code_text(ARTICLE, PUB, article_id="a2")
    assert not {e.id for e in other} & {e.id for e in events}


def test_coder_person_keeps_title_code_when_named_again(events):
    met = next(e for e in events if e.event_text.startswith("met"))
    assert met.actor[0].entity_text == "Hussein"
    assert (met.actor[0].code, met.actor[0].sector) == ("IRQ", "GOV")
    assert {r.code for r in met.recipient} == {"IRN"}


def test_coder_relative_dates_and_month_precision(events):
    visit = next(e for e in events if e.event == "CONSULT" and e.mode == "visit")
    assert (visit.date, visit.date_precision) == (dt.date(2020, 10, 17), "day")
    strike = next(e for e in events if e.event == "ASSAULT")
    assert (strike.date, strike.date_precision) == (dt.date(2020, 1, 1), "month")
    assert strike.modality.historical
    assert strike.mode == "drone" and strike.actor[0].code == "USA"
    assert strike.event_loc is not None and strike.event_loc.country_code == "IRQ"


def test_coder_conditional_threat(events):
    threat = next(e for e in events if e.event == "THREATEN")
    assert threat.actor[0].code == "USA" and {r.code for r in threat.recipient} == {"IRQ"}


def test_coder_undated_article_estimates_publication_date(coder):
    text = "The statement was issued in Baghdad on 3 January 2020. On Saturday, Iran threatened Israel."
    events = coder.code_text(text, None)
    threat = next(e for e in events if e.event == "THREATEN")
    assert threat.date == dt.date(2019, 12, 28)


def test_coder_no_publication_date_and_no_dates_gives_null_date(coder):
    events = coder.code_text("Iran condemned Israel.", None)
    assert events and events[0].date is None and events[0].date_precision is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "?!",
        "The weather was sunny in Paris.",
        "Manchester United beat Chelsea 2-1 to reach the cup final.",
        "Shares of the company rose 3% after strong quarterly earnings.",
        "Did Russia attack Ukraine?",
    ],
)
def test_coder_no_event_texts(coder, text):
    assert coder.code_text(text, PUB) == []


def test_coder_confidence_ranks_resolved_events_higher(coder):
    clear = coder.code_text("Turkish jets bombed PKK positions in northern Iraq.", PUB)
    vague = coder.code_text("Officials said forces could strike soon.", PUB)
    assert clear
    assert all(c.confidence > v.confidence for c in clear for v in vague)


def test_coder_min_confidence_setting_drops_doubtful_events(nlp):
    text = "Russia could impose sanctions on Ukraine. Russia imposed sanctions on Ukraine."
    loose = Coder(Settings(), nlp=nlp).code_text(text, PUB)
    strict = Coder(Settings(min_confidence=0.8), nlp=nlp).code_text(text, PUB)
    assert len(loose) == 2 and len(strict) == 1
    assert not strict[0].modality.hypothetical


def test_coder_code_streams_many_articles(coder):
    arts = [Article(id=f"x{i}", text="Iran condemned Israel on Monday.", published=PUB) for i in range(5)]
    coded = list(coder.code(arts))
    assert [c.article.id for c in coded] == [a.id for a in arts]
    assert all(len(c.events) == 1 for c in coded)


def test_coder_too_long_text_is_rejected_in_place(coder):
    limit = coder.nlp.max_length
    arts = [
        Article(id="a", text="Iran condemned Israel on Monday.", published=PUB),
        Article(id="b", text="x " * (limit // 2 + 1), published=PUB),
        Article(id="c", text="Turkey condemned Greece on Monday.", published=PUB),
    ]
    coded = list(coder.code(arts))
    assert [c.article.id for c in coded] == ["a", "b", "c"]
    assert coded[1].events == () and coded[1].rejections[0].reason == "too-large"
    assert coded[0].events and coded[2].events


def test_coder_sentence_ents_match_spacy(nlp):
    """sentence_ents (linear: built from IOB tags) gives what Span.ents (which rescans the
    whole document each call) gives."""
    from dyads.resolve.places import sentence_ents

    doc = nlp("Iraqi Foreign Minister Fuad Hussein met Iranian President Hassan Rouhani in Tehran. "
              "The United Nations said on Monday that talks in Geneva would resume in March.")
    for sent in doc.sents:
        assert [(e.start, e.end, e.label_) for e in sentence_ents(sent)] == \
            [(e.start, e.end, e.label_) for e in sent.ents]


@pytest.mark.parametrize(
    "text",
    ["Iran condemned Sunday's attack on its embassy.", "Iran rejected the 2015 nuclear deal on Monday."],
)
def test_coder_dates_that_name_things_do_not_date_the_event(coder, text):
    events = coder.code_text(text, PUB, article_id="d")
    assert events, "the event must still be coded"
    assert all(e.date_text != "2015" and "Sunday's" not in (e.date_text or "") for e in events)


def test_coder_never_fails_on_the_dev_sets_and_phenomena(coder, dev_dir):
    """A coder exception turns an article into a rejection and loses its events: none may
    happen on any sentence we have."""
    import json
    from pathlib import Path

    texts = [json.loads(line)["text"] for f in sorted(dev_dir.glob("*.jsonl")) for line in f.open(encoding="utf-8")]
    for line in (Path(__file__).parent / "phenomena.tsv").open(encoding="utf-8"):
        cols = line.rstrip("\n").split("\t")
        if len(cols) > 2 and not line.startswith("#") and cols[0] != "group":
            texts.append(cols[1])
    arts = [Article(id=f"t{i}", text=t, published=PUB) for i, t in enumerate(texts)]
    errors = [(c.article.text, c.rejections) for c in coder.code(arts) if c.rejections]
    assert not errors


def test_coder_failure_on_one_sentence_keeps_the_others(coder, monkeypatch):
    import dyads.coder as coder_mod

    real = coder_mod.find_candidates

    def flaky(sent, lex):
        if "Greece" in sent.text:
            raise RuntimeError("boom")
        return real(sent, lex)

    monkeypatch.setattr(coder_mod, "find_candidates", flaky)
    text = "Iran condemned Israel on Monday. Turkey condemned Greece on Monday. Egypt condemned Libya."
    coded = coder.code_doc(coder.nlp(text), Article(id="f", text=text, published=PUB))
    assert {e.actor[0].code for e in coded.events} == {"IRN", "EGY"}
    assert len(coded.rejections) == 1 and "sentence 1" in coded.rejections[0].message
