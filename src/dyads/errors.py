"""Named exceptions and the vocabulary of rejection reasons.

Exceptions are for failures of the system (a missing model, a broken store); bad
*input* never raises, it becomes a ``Rejection`` whose ``reason`` is a key of
``REASONS`` so rejections can be counted and explained.
"""

from __future__ import annotations


class DyadsError(Exception):
    """Base class of every error dyads raises on purpose."""


class InputError(DyadsError):
    """Input that cannot be used at all (e.g. a bad command-line argument)."""


class ModelMissingError(DyadsError):
    """The spaCy model dyads needs is missing or not the expected one; the message says how
    to install it (from PyPI: nothing is downloaded at run time)."""


class StoreError(DyadsError):
    """The event store could not be opened, migrated or written."""


# reason -> one-line description; every Rejection.reason must be a key here.
REASONS: dict[str, str] = {
    "empty": "the input is empty or holds only whitespace or boilerplate",
    "binary": "the input looks binary (NUL bytes or mostly control characters), not text",
    "encoding": "the input is not valid UTF-8 (and declares no other usable charset)",
    "too-large": "the input is larger than the configured maximum size",
    "language": "the text does not look like English",
    "no-text": "no article text (no words) could be extracted, e.g. from an HTML page",
    "bad-json": "a JSONL line is not a JSON object",
    "missing-text": "a JSONL record has no `text` string",
    "bad-field": "a JSONL record field has the wrong type",
    "bad-date": "a date is not a valid YYYY-MM-DD date or ISO datetime",
    "duplicate-id": "an article id (or identical content) was already seen in this batch",
    "unreadable": "the path does not exist or cannot be read",
    "unsupported-type": "the file type is not one of .txt, .html, .htm, .jsonl",
    "coder-error": "the coder failed on a sentence (its other sentences are still coded); a bug to report",
}
