"""What one import run carries between the pipeline and the importers: context, hooks, state."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
from sqlalchemy import Engine

from openceir.ingest.files import Header
from openceir.settings import Settings

if TYPE_CHECKING:
    from openceir.ingest.source import Source


@dataclass
class Hooks:
    """Test seams: raising in one simulates a crash at that point of an import."""

    after_stage: Callable[[], None] | None = None
    """After staging (new Parquet files written), before the store commit."""
    after_commit: Callable[[], None] | None = None
    """After the store commit, before the lake manifest switch."""


@dataclass(frozen=True)
class ImportRun:
    """Everything fixed about one import once its job is recorded (built by the pipeline).

    `rows` is set when the rows came from memory (`import_rows`), else `path` is the file;
    `name` names the input in messages either way. `staging_dir` is this job's scratch
    space (removed when the import ends, and by the next import of the kind after a kill).
    """

    settings: Settings
    engine: Engine
    source: Source
    name: str
    path: Path | None
    rows: pa.Table | None
    header: Header
    positions: Mapping[str, int]
    job_id: int
    operator_id: str | None
    delta: bool
    limits: Mapping[str, float]
    disabled: frozenset[str]
    today: date
    staging_dir: Path
    say: Callable[[str], None]
    hooks: Hooks


@dataclass
class RunState:
    """Counts, checks and rows so far; `committed` once the store transaction succeeded."""

    committed: bool = False
    switched: bool = False
    counts: dict[str, Any] = field(default_factory=dict)
    checks: list[dict[str, Any]] = field(default_factory=list)
    rows: tuple[int, int, int] = (0, 0, 0)


__all__ = ["Hooks", "ImportRun", "RunState"]
