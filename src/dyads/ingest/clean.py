"""Boilerplate removal and whitespace normalisation for article text.

Web pages and wire copy carry lines that are not part of the story (share buttons,
captions, bylines, datelines). They produce junk events and shift sentence offsets,
so they go before coding. No library does this at the line level for already
extracted text (trafilatura works on the HTML tree), hence the small rule list below.
Every rule matches a *whole line* (or a dateline prefix), so a real sentence that merely
contains "share this" or "advertisement" is kept.
"""

from __future__ import annotations

import re
import unicodedata

# One share button: "Share on Twitter", "Tweet", "WhatsApp", "Copy link".
_SHARE_ITEM = (
    r"(((share|post|tweet)( (on|via|to))? )?"
    r"(facebook|twitter|x|whatsapp|linkedin|reddit|telegram|e-?mail|print|copy link)|tweet)"
)

# Lines dropped whole. Each pattern must match the full stripped line (re.fullmatch).
_BOILERPLATE_LINES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        # section headers of link boxes
        r"(related|recommended|more|top|latest)\s+(articles?|stories|news|coverage|reads?)\s*:?",
        r"related\s*:?|see also\s*:?|trending( now)?\s*:?|most (read|popular|viewed)\s*:?",
        # navigation widgets
        r"back to top( button)?|skip to (main )?content|(scroll|go) to top",
        # sharing widgets: "Share", "Share this", "Share this article:", "Share on Twitter"
        r"share( this( article| story| page| post)?)?\s*:?",
        rf"{_SHARE_ITEM}(\s*[|,/•·]?\s*{_SHARE_ITEM})*",
        # newsletter and subscription prompts (short lines only: a long line is prose)
        r"subscribe\b.{0,120}",
        r"sign up (for|to) .{0,80}newsletters?.{0,80}",
        r"(get|receive) .{0,60}newsletters?.{0,60}",
        # ad slots
        r"(story continues below )?advertisement|advert|sponsored( content)?|ad",
        # link teasers: "Read more: ...", "READ MORE", "Click here to ..."
        r"(read|see) (more|also)\b.{0,200}",
        r"click here\b.{0,200}",
        # cookie banners
        r".{0,200}\b(we use cookies|this (web)?site uses cookies|accept (all )?cookies|"
        r"cookie (policy|settings|preferences|consent))\b.{0,200}",
        # rights and copyright lines
        r".{0,120}\ball rights reserved\b.{0,120}",
        r"(©|\(c\)|copyright\b).{0,160}",
        # photo captions and credits
        r"\(?(photo|image|picture|video)s?( credit)?\s*:.{0,200}",
        r"(photo|image|picture)s? (by|courtesy of)\b.{0,200}",
        r"(afp|ap|reuters|getty|epa|ani) photo\b.{0,200}",
        r"image (copyright|source|caption)\b.{0,200}",
        r"file (photo|picture|image)\b.{0,300}",
        # caption ending in an agency credit: "... Baghdad, May 3. REUTERS/Jane Doe"
        r".{0,300}\b(REUTERS|AFP|AP Photo|EPA|Getty Images)\s*/\s*[A-Z][\w.' -]{1,60}",
    )
)

# Bylines: "By John Smith", "By John Smith and Jane Doe, Reuters". Case-sensitive so that
# only capitalised names match; month and weekday words are excluded so that a
# hard-wrapped fragment such as "By Tuesday" or "By March" is not taken for a byline.
_NAME = r"(?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|August|September|October|November|December|Then|Now|Late|Early)\b)[A-Z][\w.'’-]*"
_BYLINE = re.compile(
    rf"By\s+{_NAME}(?:\s+{_NAME}){{0,3}}"
    rf"(?:\s*(?:,|and|&)\s*{_NAME}(?:\s+{_NAME}){{0,3}}){{0,3}}"
    r"(?:\s*[|,-]\s*[\w .]{1,40})?"
)

# A link-box header; in plain text the lines after it in the same paragraph are its links.
_RELATED_HEADER = re.compile(r"(related|recommended|more|top|latest)\s+(articles?|stories|news|reads?)\s*:?", re.I)

# Inline photo credits inside an otherwise real line: "(Photo: Reuters)".
_INLINE_CREDIT = re.compile(r"\s*\((?:photo|image|picture)s?(?: credit)?\s*:\s*[^)]{1,60}\)", re.I)

# Wire-style datelines at the start of the first paragraph:
#   "BAGHDAD (Reuters) -", "WASHINGTON, Oct 18 (AP) —", "TEHRAN, Iran (AP) —", "KABUL -",
#   "Baghdad (AFP) -" (title case only together with an agency), "(Reuters) -".
_CAPS_PLACE = r"[A-Z][A-Z'’.\-]+(?:\s+[A-Z][A-Z'’.\-]+){0,3}"
_TITLE_PLACE = r"[A-Z][a-z'’.\-]+(?:\s+[A-Z][a-z'’.\-]+){0,3}"
_QUALIFIER = r"(?:,\s*(?:[A-Z][\w.'’\-]*|\d{1,4})(?:[ ,]+(?:[A-Z][\w.'’\-]*|\d{1,4})){0,4})?"
_AGENCY = r"\([A-Z][\w&.'’/ -]{0,30}\)"
_DASH = r"\s*(?:--?|—|–)\s+"
_DATELINE = re.compile(
    rf"^(?:{_CAPS_PLACE}{_QUALIFIER}(?:\s*{_AGENCY})?(?:{_DASH}|:\s+)"
    rf"|{_TITLE_PLACE}{_QUALIFIER}\s*{_AGENCY}{_DASH}"
    rf"|{_AGENCY}{_DASH})"
    r"(?=[\"“'‘]?[A-Z0-9])"  # the story's first sentence starts right after it
)

# Control characters except tab/newline, zero-width characters and the BOM.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
_SPACES = re.compile(r"[ \t\xa0\u2000-\u200a\u202f\u205f\u3000]+")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


def clean_text(text: str) -> str:
    """Drop web boilerplate lines before coding and normalise whitespace; paragraphs stay separated by blank lines."""
    text = _normalise_characters(text)
    paragraphs = []
    for block in _PARAGRAPH_BREAK.split(text):
        paragraph = _clean_paragraph(block)
        if paragraph:
            paragraphs.append(paragraph)
    if paragraphs:
        paragraphs[0] = strip_dateline(paragraphs[0])
    return "\n\n".join(p for p in paragraphs if p)


def strip_dateline(paragraph: str) -> str:
    """Remove a leading wire dateline ("BAGHDAD (Reuters) -") but keep the sentence after it."""
    match = _DATELINE.match(paragraph)
    if match is None or match.end() >= len(paragraph):
        return paragraph
    return paragraph[match.end():]


def is_boilerplate(line: str) -> bool:
    """True when a whole line is web furniture (share button, caption, byline, ...)."""
    line = line.strip()
    if not line:
        return False
    return _BYLINE.fullmatch(line) is not None or any(p.fullmatch(line) for p in _BOILERPLATE_LINES)


def _normalise_characters(text: str) -> str:
    """NFC, unified line ends, control and zero-width characters removed."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = _ZERO_WIDTH.sub("", text)
    return _CONTROL.sub(" ", text)


def _clean_paragraph(block: str) -> str:
    """Drop boilerplate lines of one paragraph and join hard-wrapped lines with spaces."""
    kept: list[str] = []
    for line in block.split("\n"):
        line = _SPACES.sub(" ", line).strip()
        if not line:
            continue
        if _RELATED_HEADER.fullmatch(line):
            break  # the rest of this paragraph is the link list
        if is_boilerplate(line):
            continue
        line = _INLINE_CREDIT.sub("", line).strip()
        if line:
            kept.append(line)
    return _join_wrapped(kept)


def _join_wrapped(lines: list[str]) -> str:
    """Join hard-wrapped lines; a line ending in a hyphen continues without a space."""
    out = ""
    for line in lines:
        if not out:
            out = line
        elif out.endswith("-") and len(out) > 1 and out[-2].isalpha():
            out += line
        else:
            out += " " + line
    return out
