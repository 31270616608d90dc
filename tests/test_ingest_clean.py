"""Tests for dyads.ingest.clean: boilerplate lines go, real sentences stay."""

from __future__ import annotations

import pytest

from dyads.ingest.clean import clean_text, is_boilerplate, strip_dateline

STORY = "Iraqi Foreign Minister Fuad Hussein met his Iranian counterpart in Tehran on Saturday."
MORE = "The two ministers agreed to reopen two border crossings."


@pytest.mark.parametrize(
    "line",
    [
        "Related Articles",
        "Related stories:",
        "Back to top button",
        "Back to top",
        "Share this",
        "Share this article",
        "Share on Facebook",
        "Share on Twitter",
        "Share on Facebook | Share on Twitter",
        "Facebook Twitter WhatsApp Copy link",
        "Subscribe to our daily briefing",
        "Subscribe",
        "Sign up for our newsletter",
        "Sign up for our Middle East newsletter",
        "Advertisement",
        "ADVERTISEMENT",
        "Story continues below advertisement",
        "Read more: EU leaders clash over sanctions timetable",
        "READ MORE",
        "Click here to donate to our Yemen appeal",
        "We use cookies to improve your experience. Accept all cookies",
        "This website uses cookies. By continuing you agree to our cookie policy.",
        "All rights reserved.",
        "Copyright 2020 Example Wire. All rights reserved.",
        "© 2020 Example Daily News",
        "(Photo: Reuters)",
        "Photo: AFP",
        "Photo by Marek Nowak / Example Agency",
        "AFP PHOTO / JOHN DOE",
        "Image copyright Getty Images",
        "File photo: Smoke rises over a village in Idlib province.",
        "Smoke rises over a village in Idlib province. REUTERS/Khalil Ashawi",
        "By John Smith",
        "By John Smith, Reuters",
        "By Selin Aydin and Karim Nasser",
    ],
)
def test_clean_boilerplate_line_dropped(line: str) -> None:
    assert clean_text(f"{STORY}\n\n{line}\n\n{MORE}") == f"{STORY}\n\n{MORE}"


@pytest.mark.parametrize(
    "sentence",
    [
        "Iran threatened to share this information with the agency.",
        "Share prices fell sharply in Tehran after the announcement.",
        "The government said it would subscribe to the new treaty.",
        "Officials said they would click here and there on the map.",
        "The ministry banned advertisement of foreign goods on Monday.",
        "By Tuesday, the troops had left the city.",
        "By March the ceasefire had collapsed.",
        "Twitter said it had removed accounts linked to the government.",
        "Reuters photographed the convoy as it crossed the border.",
        "The photo showed soldiers near Baghdad, police said.",
        "Read the statement, the minister told reporters on Monday.",
    ],
)
def test_clean_real_sentence_kept(sentence: str) -> None:
    assert clean_text(f"{STORY}\n\n{sentence}") == f"{STORY}\n\n{sentence}"


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        ("BAGHDAD (Reuters) - Iraqi forces said.", "Iraqi forces said."),
        ("WASHINGTON, Oct 18 (AP) — The United States said.", "The United States said."),
        ("TEHRAN, Iran (AP) — Iran said.", "Iran said."),
        ("KABUL - Afghan forces said.", "Afghan forces said."),
        ("UNITED NATIONS (Reuters) - The council met.", "The council met."),
        ("NEW DELHI, Feb 11 (AP) — India said.", "India said."),
        ("LYON: Interpol said it would help.", "Interpol said it would help."),
        ("Baghdad (AFP) - Iraqi forces said.", "Iraqi forces said."),
        ("(Reuters) - Iraqi forces said.", "Iraqi forces said."),
    ],
)
def test_clean_dateline_stripped(first: str, expected: str) -> None:
    assert clean_text(f"{first}\n\n{MORE}") == f"{expected}\n\n{MORE}"


@pytest.mark.parametrize(
    "first",
    [
        "US-led forces struck targets in Syria.",
        "NATO - the alliance - said little.",
        "The UN - and its agencies - said.",
        "Iraq (a founding member) - officials said.",
    ],
)
def test_clean_non_dateline_first_sentence_kept(first: str) -> None:
    assert clean_text(first) == first


def test_clean_dateline_only_first_paragraph() -> None:
    text = f"{STORY}\n\nKABUL - Afghan forces said."
    assert clean_text(text) == text


def test_strip_dateline_keeps_text_without_body() -> None:
    assert strip_dateline("KABUL -") == "KABUL -"


def test_clean_hard_wrapped_lines_joined() -> None:
    assert clean_text("Iraqi forces\nfired on the\ncrowd.\n\nNext paragraph\nhere.") == (
        "Iraqi forces fired on the crowd.\n\nNext paragraph here."
    )


def test_clean_hyphenated_wrap_joined_without_space() -> None:
    assert clean_text("a long-\nrange missile") == "a long-range missile"


def test_clean_paragraph_breaks_normalised() -> None:
    assert clean_text("One.\r\n\r\n\r\n   \nTwo.") == "One.\n\nTwo."


def test_clean_spaces_collapsed() -> None:
    assert clean_text("  Iran \t and\u00a0 Iraq   met.  ") == "Iran and Iraq met."


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x85"])
def test_clean_control_characters_replaced(char: str) -> None:
    assert clean_text(f"Iran{char}said.") == "Iran said."


def test_clean_zero_width_removed() -> None:
    assert clean_text("Ir\u200ban said.\ufeff") == "Iran said."


def test_clean_unicode_nfc() -> None:
    assert clean_text("Erdog\u0306an said.") == "Erdo\u011fan said."


def test_clean_inline_photo_credit_removed() -> None:
    assert clean_text("Protesters gather in the square. (Photo: Reuters)") == "Protesters gather in the square."


def test_clean_related_box_links_dropped() -> None:
    text = f"{STORY}\n\nRelated Articles\nIraq's parliament argues over election date\nPower cuts in Basra\n\n{MORE}"
    assert clean_text(text) == f"{STORY}\n\n{MORE}"


def test_clean_boilerplate_only_gives_empty() -> None:
    assert clean_text("Advertisement\n\nShare this\n\nAll rights reserved.") == ""


@pytest.mark.parametrize("line", ["", "   ", "Iran said.", "Subscribers in Iran said the service was down."])
def test_is_boilerplate_false_for_prose(line: str) -> None:
    assert not is_boilerplate(line)
