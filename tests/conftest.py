"""Shared fixtures: the spaCy pipeline, a coder, the event schema, the dev data location."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEV = SHARED / "data" / "dev"
SCHEMA = SHARED / "schema" / "event.schema.json"
EXAMPLES = ROOT / "examples" / "articles"


@pytest.fixture(scope="session")
def nlp():
    from dyads.nlp.model import load_nlp

    return load_nlp()


@pytest.fixture(scope="session")
def coder(nlp):
    from dyads.coder import Coder

    return Coder(nlp=nlp)


@pytest.fixture(scope="session")
def validator():
    """A JSON Schema validator for the event record (shared/schema/event.schema.json)."""
    import jsonschema

    if not SCHEMA.exists():
        pytest.fail(f"{SCHEMA} not found: tests need ../shared beside the repo")
    schema = json.loads(SCHEMA.read_text("utf-8"))
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="session")
def dev_dir() -> Path:
    if not DEV.exists():
        pytest.fail(f"{DEV} not found: tests need ../shared beside the repo")
    return DEV
