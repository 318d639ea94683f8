"""The one import pipeline: read -> validate -> check -> stage -> commit atomically -> record.

Every import goes through `run_import` (a file) or `import_rows` (rows already in memory,
e.g. what `openceir eir fold-events` folds from check events): same checks, same atomic
commit, same job record. The pipeline does what every kind shares, in this order:

1. check the store's schema and whether the same input was imported already (a no-op);
2. take the source's writer lock, mark jobs of that kind a killed process left `running`
   as failed, remove its leftover staging files, and record this job as `running`;
3. hand a frozen `ImportRun` to the source's own `importer`, which checks, stages and
   commits its changes together with the job row in ONE store transaction
   (`register_import`, `dump_import`);
4. on failure before that commit, mark the job `failed` with its error and checks; the
   store and lake are as they were. The staging directory is removed either way.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import Engine

from openceir.errors import InputError, NotFound, OpenceirError
from openceir.fileio import lock
from openceir.ingest import checks as _checks
from openceir.ingest import dump_import, files, jobs, tac_catalog
from openceir.ingest.registers import REGISTER_SOURCES
from openceir.ingest.run_state import Hooks, ImportRun, RunState
from openceir.ingest.source import Source
from openceir.lake import manifest as _manifest
from openceir.settings import Settings
from openceir.store.migrate import require_current
from openceir.store.session import connect, session_scope

SOURCES: dict[str, Source] = {
    s.kind: s for s in (dump_import.SOURCE, tac_catalog.SOURCE, *REGISTER_SOURCES)
}
"""Every importable kind by its `openceir import KIND` name."""

KIND_ALIASES: dict[str, str] = {
    **{s.dirbs_kind: s.kind for s in SOURCES.values() if s.dirbs_kind},
    "golden": "exempt",
    "barred-imei": "barred",
    "barred_tac": "barred-tac",
}
"""DIRBS importer names (stolen_list, golden_list, ...) accepted for the same files."""

ensure_schema = require_current
"""The store's schema check (`openceir.store.migrate.require_current`)."""


@dataclass
class ImportResult:
    """What an import did (or why it did nothing)."""

    kind: str
    source_file: str
    sha256: str
    status: str  # "succeeded" or "unchanged"
    job_id: int | None
    operator_id: str | None = None
    rows_read: int = 0
    rows_valid: int = 0
    rows_rejected: int = 0
    counts: dict[str, Any] = field(default_factory=dict)
    checks: list[dict[str, Any]] = field(default_factory=list)
    message: str = ""
    seconds: float = 0.0


def source_for(kind: str) -> Source:
    """The Source for an import kind (or its DIRBS name), or NotFound listing the kinds."""
    name = KIND_ALIASES.get(kind, kind)
    if name not in SOURCES:
        raise NotFound(f"no importer {kind!r}; known: {', '.join(SOURCES)}")
    return SOURCES[name]


def config_thresholds(settings: Settings) -> dict[str, float]:
    """Thresholds from the config file's `[ingest.thresholds]` table (`settings.ingest`)."""
    return dict(settings.ingest.thresholds)


def staging_base(data_dir: Path, kind: str) -> Path:
    """`<data_dir>/staging/<kind>`: scratch space of the one running import of `kind`."""
    return Path(data_dir) / "staging" / kind


def rows_digest(rows: pa.Table) -> str:
    """The SHA-256 of rows given in memory (Arrow IPC stream bytes): what makes a re-import
    of the same rows a no-op, as a file's SHA-256 does for files."""
    sink = pa.BufferOutputStream()
    rows = rows.combine_chunks().replace_schema_metadata(None)
    with pa.ipc.new_stream(sink, rows.schema) as writer:
        writer.write_table(rows)
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()


def run_import(
    settings: Settings,
    kind: str,
    path: Path | str,
    *,
    operator_id: str | None = None,
    delta: bool = False,
    disable: Iterable[str] = (),
    thresholds: Mapping[str, float] | None = None,
    engine: Engine | None = None,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
    hooks: Hooks | None = None,
) -> ImportResult:
    """Import one file of `kind`; atomic, recorded as an import job, a no-op when repeated.

    `disable` names checks to skip (recorded as disabled); `thresholds` overrides the config
    file's `[ingest.thresholds]`, which overrides the defaults (`checks.SPECS`). `today`
    sets the register rows' start/end date and the future-date check (default: today, UTC).
    Raises InputError (bad file, failed check), ConfigError (store not upgraded, operator not
    configured) or NotFound (unknown kind).
    """
    path = Path(path)
    source = source_for(kind)
    engine = _check_call(settings, source, operator_id, delta, engine)
    disable = _checks.validate_names(disable)
    if not path.is_file():
        raise InputError("no such file", source=str(path))
    (progress or _quiet)("hashing")
    return _import(
        settings,
        engine,
        source,
        path.name,
        path,
        None,
        files.sha256(path),
        operator_id,
        delta,
        disable,
        thresholds,
        today,
        progress,
        hooks,
    )


def import_rows(
    settings: Settings,
    kind: str,
    rows: pa.Table,
    *,
    name: str,
    operator_id: str | None = None,
    delta: bool = False,
    disable: Iterable[str] = (),
    thresholds: Mapping[str, float] | None = None,
    engine: Engine | None = None,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
    hooks: Hooks | None = None,
) -> ImportResult:
    """Import rows already in memory (an Arrow table with the file's columns) as `run_import`
    imports a file: same checks, same atomic commit and job; `name` stands for the file name
    (an operator dump's `<op>_<YYYYMMDD>_<YYYYMMDD>` still sets its date-range check).

    Values are read as text, as a file's would be; the same rows again are a no-op.
    """
    source = source_for(kind)
    engine = _check_call(settings, source, operator_id, delta, engine)
    disable = _checks.validate_names(disable)
    return _import(
        settings,
        engine,
        source,
        name,
        None,
        rows,
        rows_digest(rows),
        operator_id,
        delta,
        disable,
        thresholds,
        today,
        progress,
        hooks,
    )


def _quiet(_stage: str) -> None:
    pass


def _check_call(
    settings: Settings,
    source: Source,
    operator_id: str | None,
    delta: bool,
    engine: Engine | None,
) -> Engine:
    if source.per_operator:
        if not operator_id:
            raise InputError(f"a {source.title} needs the operator id", field="operator")
        settings.operator(operator_id)
        if delta:
            raise InputError(f"{source.title}s have no --delta form", field="delta")
    elif operator_id is not None:
        raise InputError(f"{source.title} files are national: give no operator id")
    engine = engine or connect(settings.sqlalchemy_url)
    require_current(engine)
    return engine


def _import(
    settings: Settings,
    engine: Engine,
    source: Source,
    name: str,
    path: Path | None,
    rows: pa.Table | None,
    digest: str,
    operator_id: str | None,
    delta: bool,
    disable: Iterable[str],
    thresholds: Mapping[str, float] | None,
    today: date | None,
    progress: Callable[[str], None] | None,
    hooks: Hooks | None,
) -> ImportResult:
    started = time.monotonic()
    limits = _checks.thresholds({**config_thresholds(settings), **(thresholds or {})})
    disabled = frozenset(disable)
    earlier = _earlier(engine, source, digest, operator_id, name)
    if earlier is not None:
        earlier.seconds = time.monotonic() - started
        return earlier
    say = progress or _quiet
    # One writer per kind at a time: the diff must see what the previous import committed,
    # and a job still `running` under this lock was left by a killed process.
    with lock(source.lock_path(settings.data_dir)):
        earlier = _earlier(engine, source, digest, operator_id, name)
        if earlier is not None:
            earlier.seconds = time.monotonic() - started
            return earlier
        jobs.mark_interrupted(engine, source.kind)
        base = staging_base(settings.data_dir, source.kind)
        shutil.rmtree(base, ignore_errors=True)
        job_id = jobs.start(engine, source.kind, name, digest, operator_id)
        state = RunState()
        assert source.importer is not None, f"source {source.kind} has no importer"
        try:
            say("reading header")
            if rows is not None:
                header = files.Header(tuple(c.strip().lower() for c in rows.column_names), ",")
            else:
                assert path is not None
                header = files.read_header(path, source.delimiters)
            run = ImportRun(
                settings=settings,
                engine=engine,
                source=source,
                name=name,
                path=path,
                rows=rows,
                header=header,
                positions=source.resolve(header, name, delta=delta),
                job_id=job_id,
                operator_id=operator_id,
                delta=delta,
                limits=limits,
                disabled=disabled,
                today=today or datetime.now(UTC).date(),
                staging_dir=base / f"job-{job_id}",
                say=say,
                hooks=hooks or Hooks(),
            )
            message = source.importer(run, state)
        except BaseException as exc:
            if not state.committed:
                reason = str(exc) if isinstance(exc, OpenceirError) else f"internal error: {exc!r}"
                read, valid, rejected = state.rows
                jobs.fail(
                    engine,
                    job_id,
                    reason,
                    rows_read=read,
                    rows_valid=valid,
                    rows_rejected=rejected,
                    counts=state.counts,
                    checks=state.checks,
                )
            raise
        finally:
            shutil.rmtree(base, ignore_errors=True)
    read, valid, rejected = state.rows
    return ImportResult(
        kind=source.kind,
        source_file=name,
        sha256=digest,
        status="succeeded",
        job_id=job_id,
        operator_id=operator_id,
        rows_read=read,
        rows_valid=valid,
        rows_rejected=rejected,
        counts=state.counts,
        checks=state.checks,
        message=message,
        seconds=time.monotonic() - started,
    )


def _earlier(
    engine: Engine, source: Source, digest: str, operator_id: str | None, name: str
) -> ImportResult | None:
    """The `unchanged` result when the same input was imported before, else None."""
    with session_scope(engine) as session:
        earlier = jobs.find_succeeded(session, source.kind, digest, operator_id)
        if earlier is None:
            return None
        when = earlier.finished_at or earlier.started_at
        return ImportResult(
            kind=source.kind,
            source_file=name,
            sha256=digest,
            status="unchanged",
            job_id=earlier.id,
            operator_id=operator_id,
            message=(
                f"{name} was already imported as job {earlier.id} on "
                f"{when:%Y-%m-%d %H:%M}; nothing changed"
            ),
        )


def reconcile(settings: Settings, engine: Engine | None = None) -> list[int]:
    """Finish interrupted lake switches (after a crash); returns the job ids switched in."""
    engine = engine or connect(settings.sqlalchemy_url)
    require_current(engine)
    with lock(dump_import.SOURCE.lock_path(settings.data_dir)):
        return dump_import.reconcile_locked(engine, _manifest.lake_dir(settings.data_dir))


__all__ = [
    "KIND_ALIASES",
    "SOURCES",
    "Hooks",
    "ImportResult",
    "ensure_schema",
    "import_rows",
    "reconcile",
    "rows_digest",
    "run_import",
    "source_for",
]
