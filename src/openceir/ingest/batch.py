"""Many files in one call: expand paths, directories and globs, order them, import each.

Every file is its own import job through `run_import`, so each is atomic and a repeated file
is a no-op; a file that fails (bad row, failed check, unknown operator) is recorded as
failed and the others still import. `plan_directory` recognises what `openceir simulate`
writes, and DIRBS file names: the TAC catalog first (the leading-zero-loss check needs it),
then the register lists, then operator dumps `<op>_<YYYYMMDD>_<YYYYMMDD>` in date order.
"""

from __future__ import annotations

import glob
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from openceir.errors import InputError, OpenceirError
from openceir.ingest import operator_dump
from openceir.ingest.pipeline import KIND_ALIASES, ImportResult, run_import
from openceir.ingest.registers import REGISTER_SOURCES
from openceir.settings import Settings

SUFFIXES = (".csv", ".csv.gz", ".zip", ".txt", ".txt.gz")
"""File endings an import reads (a `.zip` holds one CSV)."""

REGISTER_ORDER = ("tac", *(s.kind for s in REGISTER_SOURCES))
"""Registers in import order: the TAC catalog first, then the lists."""

REGISTER_NAMES: dict[str, str] = {
    **{kind: kind for kind in REGISTER_ORDER},
    **{kind.replace("-", "_"): kind for kind in REGISTER_ORDER},
    **{alias.replace("-", "_"): kind for alias, kind in KIND_ALIASES.items()},
    "tac_catalog": "tac",
    "gsma_tac_db": "tac",
}
"""File stems (without endings) taken as a register: `stolen.csv`, `golden_list.zip`, ..."""


@dataclass(frozen=True)
class Planned:
    """One file to import: its kind and, for an operator dump, the operator."""

    kind: str
    path: Path
    operator_id: str | None = None


@dataclass
class Outcome:
    """What importing one planned file did: a result, or the error that refused it."""

    planned: Planned
    result: ImportResult | None = None
    error: OpenceirError | None = None

    @property
    def status(self) -> str:
        """`imported`, `unchanged` (already imported) or `failed`."""
        if self.error is not None or self.result is None:
            return "failed"
        return "imported" if self.result.status == "succeeded" else "unchanged"


def _is_data_file(path: Path) -> bool:
    return path.is_file() and path.name.lower().endswith(SUFFIXES)


def expand(paths: Iterable[Path | str]) -> list[Path]:
    """Files named directly, every data file under a directory, and matches of a glob.

    A path that does not exist but holds `*`, `?` or `[` is a glob (`**` recurses). The
    result keeps the order given (directories and globs sorted by name), without repeats;
    a path matching nothing is an InputError.
    """
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if _is_data_file(p))
            if not found:
                raise InputError(
                    f"no {', '.join(SUFFIXES)} files in this directory", source=str(path)
                )
        elif path.exists():
            found = [path]
        elif any(c in str(raw) for c in "*?["):
            found = sorted(Path(p) for p in glob.glob(str(raw), recursive=True))
            found = [p for p in found if p.is_file()]
            if not found:
                raise InputError("no file matches this pattern", source=str(raw))
        else:
            raise InputError("no such file", source=str(raw))
        out.extend(p for p in found if p not in out)
    return out


def register_kind(name: str) -> str | None:
    """The register a file name stands for (`stolen.csv.gz` -> `stolen`), if any.

    >>> register_kind("tac_catalog.csv"), register_kind("golden_list.zip")
    ('tac', 'exempt')
    """
    return REGISTER_NAMES.get(operator_dump.stem(name).lower())


def plan_directory(directory: Path) -> tuple[list[Planned], list[Path]]:
    """(files to import in order, data files not recognised) under `directory`.

    Registers are recognised by name (`register_kind`), operator dumps by the DIRBS name
    `<op>_<YYYYMMDD>_<YYYYMMDD>` (the operator is the name's prefix). Anything else, such
    as simulate's `truth/` files, is left out and returned so the caller can say so.
    """
    if not directory.is_dir():
        raise InputError("not a directory", source=str(directory))
    registers: list[Planned] = []
    dumps: list[tuple[tuple[date, date, str, str], Planned]] = []
    unknown: list[Path] = []
    for path in expand([directory]):
        kind = register_kind(path.name)
        if kind is not None:
            registers.append(Planned(kind, path))
            continue
        operator = operator_dump.operator_from_name(path.name)
        try:
            span = operator_dump.date_range_from_name(path.name) if operator else None
        except InputError:  # a DIRBS name with impossible dates: its import says so
            span = (date.min, date.min)
        if operator and span:
            dumps.append(((*span, operator, str(path)), Planned("operator", path, operator)))
        else:
            unknown.append(path)
    registers.sort(key=lambda p: (REGISTER_ORDER.index(p.kind), str(p.path)))
    return [*registers, *(p for _, p in sorted(dumps, key=lambda d: d[0]))], unknown


def plan_files(kind: str, paths: Iterable[Path | str], operator_id: str | None) -> list[Planned]:
    """Every file of `paths` (expanded) as one kind, for one operator when a dump."""
    return [Planned(kind, path, operator_id) for path in expand(paths)]


Progress = Callable[[Planned, str], None]
"""Called with the file being imported and its stage (`hashing`, ..., `done`)."""


def import_many(
    settings: Settings,
    planned: Iterable[Planned],
    *,
    engine: Engine | None = None,
    disable: Iterable[str] = (),
    thresholds: Mapping[str, float] | None = None,
    delta: bool = False,
    today: date | None = None,
    progress: Progress | None = None,
) -> list[Outcome]:
    """Import each planned file as its own job; one outcome per file, in order.

    A file refused for a user error (InputError, ConfigError, NotFound: bad row, failed
    check, unknown operator) becomes a failed outcome and the next file is imported;
    anything else is a bug and propagates. Checks named in `disable` are skipped for the
    files whose kind has them.
    """
    disabled = list(disable)
    outcomes = []
    say = progress or (lambda _item, _stage: None)
    for item in planned:

        def stage(name: str, item: Planned = item) -> None:
            say(item, name)

        try:
            result = run_import(
                settings,
                item.kind,
                item.path,
                operator_id=item.operator_id,
                delta=delta,
                disable=disabled,
                thresholds=thresholds,
                engine=engine,
                today=today,
                progress=stage,
            )
            outcomes.append(Outcome(item, result=result))
        except OpenceirError as exc:
            outcomes.append(Outcome(item, error=exc))
        say(item, "done")
    return outcomes


def summary(outcomes: list[Outcome]) -> str:
    """One line: how many files were imported, already there, or failed (and which)."""
    counts = {s: sum(o.status == s for o in outcomes) for s in ("imported", "unchanged", "failed")}
    rows = sum(o.result.rows_valid for o in outcomes if o.result and o.status == "imported")
    line = (
        f"{len(outcomes)} files: {counts['imported']} imported ({rows:,} rows), "
        f"{counts['unchanged']} already imported, {counts['failed']} failed"
    )
    failed = [o.planned.path.name for o in outcomes if o.status == "failed"]
    if failed:
        line += f" ({', '.join(failed[:10])}{', ...' if len(failed) > 10 else ''})"
    return line


__all__ = [
    "REGISTER_ORDER",
    "SUFFIXES",
    "Outcome",
    "Planned",
    "expand",
    "import_many",
    "plan_directory",
    "plan_files",
    "register_kind",
    "summary",
]
