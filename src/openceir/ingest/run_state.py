"""What one import run carries between the pipeline and the importers: test hooks and state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Hooks:
    """Test seams: raising in one simulates a crash at that point of an import."""

    after_stage: Callable[[], None] | None = None
    """After staging (new Parquet files written), before the store commit."""
    after_commit: Callable[[], None] | None = None
    """After the store commit, before the lake manifest switch."""


@dataclass
class RunState:
    """Counts, checks and rows so far; `committed` once the store transaction succeeded."""

    committed: bool = False
    switched: bool = False
    counts: dict[str, Any] = field(default_factory=dict)
    checks: list[dict[str, Any]] = field(default_factory=list)
    rows: tuple[int, int, int] = (0, 0, 0)


__all__ = ["Hooks", "RunState"]
