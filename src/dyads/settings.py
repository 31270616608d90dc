"""One settings object: packaged defaults overlaid by the user's flags, frozen, passed down."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from dyads import __version__

CODER_NAME = "rules.v1"


@dataclass(frozen=True, slots=True)
class Settings:
    min_confidence: float = 0.0  # events below this confidence are not emitted
    actor_files: tuple[Path, ...] = field(default=())  # user actor tables (--actors)
    code_titles: bool = False  # headlines repeat the lead and are often section labels
    batch_size: int = 64  # texts per nlp.pipe batch
    max_sentence_chars: int = 2000  # longer "sentences" are tables or junk, not news prose

    @property
    def coder(self) -> str:
        return f"dyads {__version__} {CODER_NAME}"

    def with_(self, **changes: Any) -> "Settings":
        """A copy with some fields changed (None values ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def default_db() -> Path:
    """The database path: $DYADS_DB, else ./dyads.duckdb."""
    return Path(os.environ.get("DYADS_DB") or "dyads.duckdb")
