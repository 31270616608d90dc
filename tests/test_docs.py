"""Docs are executable: every command is in the README, and the README's example runs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT

README = (ROOT / "README.md").read_text("utf-8")


def _commands() -> list[str]:
    from dyads.cli.main import app

    return sorted(c.name or c.callback.__name__ for c in app.registered_commands)


def test_docs_readme_gives_the_two_commands():
    assert "make run" in README and "make test" in README


@pytest.mark.parametrize("command", _commands())
def test_docs_every_command_is_in_the_readme(command):
    assert f"dyads {command}" in README, f"`dyads {command}` is not described in README.md"


def test_docs_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text("utf-8")


def test_docs_readme_example_runs(validator):
    block = re.search(r"\$ echo \"(.+?)\" \\\n\s+\| \.venv/bin/dyads code - --date (\S+)", README)
    assert block, "README example not found"
    text, date = block.groups()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run([sys.executable, "-m", "dyads", "code", "-", "--date", date], input=text,
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    rec = next(json.loads(line) for line in proc.stdout.splitlines())
    validator.validate(rec)
    # what the README says it prints
    assert rec["event"] == "CONSULT" and rec["date"] == "2020-10-17" and rec["date_precision"] == "day"
    assert [(a["code"], a["sector"]) for a in rec["actor"]] == [("IRQ", "GOV")]
    assert [(r["code"], r["sector"]) for r in rec["recipient"]] == [("IRN", "GOV")]
    assert rec["event_loc"]["resolved_place"] == "Tehran" and rec["event_loc"]["geonameid"] == 112931
