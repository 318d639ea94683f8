"""What an importer declares: its kind, columns, DIRBS names, its checks and staging.

A Source is data, not a subclass: the one pipeline (`pipeline.py`) reads any file (or rows
already in memory) through it. Each source names its `importer`, which runs its own checks,
stages and commits (registers: `register_import.import_register`, rows parsed by `parse`;
operator dumps: `dump_import.import_dump`, staged with DuckDB), and the `lock` file that
serialises its writers. The pipeline never asks which kind it is importing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openceir.errors import InputError
from openceir.ingest.files import Header

if TYPE_CHECKING:
    from openceir.ingest.run_state import ImportRun, RunState


class FieldError(ValueError):
    """A bad value in one field of one row; the pipeline adds file and line."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


Record = dict[str, Any]
Parse = Callable[[Mapping[str, str | None]], Record]
Importer = Callable[["ImportRun", "RunState"], str]
"""Checks, stages and commits one import (with its job row); returns the summary line."""


@dataclass(frozen=True)
class Source:
    """One importable kind of file.

    `required`/`optional` are canonical column names; `aliases` maps other header names
    (DIRBS's, GSMA's) to them; `dirbs_kind` is the DIRBS importer's name for the same file.
    `keep_extra` keeps unknown columns (as the record's `extra`) instead of ignoring them.
    `per_operator` sources need an operator id (and have no delta form); `lock` is the
    lock file, relative to the data dir, that one import of this kind holds throughout.
    """

    kind: str
    title: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    aliases: Mapping[str, str] = field(default_factory=dict)
    dirbs_kind: str | None = None
    delimiters: tuple[str, ...] = (",",)
    keep_extra: bool = False
    parse: Parse | None = None
    example: str = ""
    importer: Importer | None = None
    per_operator: bool = False
    lock: str = ""

    def lock_path(self, data_dir: Path) -> Path:
        """The lock file of this kind's writers (`locks/<kind>` unless the source names one)."""
        return Path(data_dir) / (self.lock or f"locks/{self.kind}")

    def resolve(self, header: Header, source_name: str, *, delta: bool = False) -> dict[str, int]:
        """Map canonical column -> index in the header, or an InputError naming what is missing.

        With `delta`, a `change_type` column is required too.
        """
        positions: dict[str, int] = {}
        for index, name in enumerate(header.columns):
            canonical = self.aliases.get(name, name)
            if canonical in positions:
                raise InputError(
                    f"columns {header.columns[positions[canonical]]!r} and {name!r} both mean "
                    f"{canonical!r}; keep one",
                    source=source_name,
                    line=1,
                    field=name,
                )
            positions[canonical] = index
        wanted = (*self.required, "change_type") if delta else self.required
        missing = [c for c in wanted if c not in positions]
        if missing:
            expected = header.delimiter.join(wanted)
            got = header.delimiter.join(header.columns)[:200]
            raise InputError(
                f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
                f"expected a header like {expected!r} (got {got!r})",
                source=source_name,
                line=1,
            )
        unknown = [] if self.keep_extra else self.extra_columns(header)
        if unknown:
            known = header.delimiter.join((*self.required, *self.optional))
            raise InputError(
                f"unexpected column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
                f"a {self.title} has columns {known!r}: is this the right kind of file?",
                source=source_name,
                line=1,
                field=unknown[0],
            )
        if not delta and "change_type" in positions:
            raise InputError(
                "the file has a change_type column: it is a delta; import it with --delta",
                source=source_name,
                line=1,
                field="change_type",
            )
        return positions

    def extra_columns(self, header: Header) -> list[str]:
        """Header columns that are neither known nor aliases (kept or ignored per source)."""
        known = {*self.required, *self.optional, "change_type"}
        return [c for c in header.columns if self.aliases.get(c, c) not in known]


__all__ = ["FieldError", "Importer", "Parse", "Record", "Source"]
