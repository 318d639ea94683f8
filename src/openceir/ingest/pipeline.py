"""The one import pipeline: read -> validate -> check -> stage -> commit atomically -> record.

Every kind of file goes through `run_import`. Ordering across the store and the lake:

1. record the job as `running` (its own transaction);
2. stage: register rows are parsed in memory; operator rows go to new Parquet files that no
   manifest lists yet;
3. in ONE store transaction: the register changes and the job row set to `succeeded` (for an
   operator dump, the job row also carries the lake's new file lists);
4. switch the lake manifest (`os.replace`), then delete unlisted files.

A failure before 3 leaves the store and lake as they were (new files are unlisted garbage)
and the job `failed` with its error and checks. A crash between 3 and 4 leaves the previous
lake state readable; the next lake writer (`reconcile`) switches the committed job's files in.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from openceir.errors import ConfigError, InputError, NotFound, OpenceirError
from openceir.ingest import checks as _checks
from openceir.ingest import files, jobs, operator_dump, tac_catalog
from openceir.ingest.lists import LIST_SOURCES
from openceir.ingest.register_import import import_register
from openceir.ingest.run_state import Hooks, RunState
from openceir.ingest.source import Source
from openceir.lake import manifest as _manifest
from openceir.lake import parquet as _parquet
from openceir.settings import Settings
from openceir.store.migrate import current_revision, head_revisions
from openceir.store.registers import TacCatalog
from openceir.store.session import connect, session_scope

SOURCES: dict[str, Source] = {
    s.kind: s for s in (operator_dump.SOURCE, tac_catalog.SOURCE, *LIST_SOURCES)
}
"""Every importable kind by its `openceir import KIND` name."""

KIND_ALIASES: dict[str, str] = {
    **{s.dirbs_kind: s.kind for s in SOURCES.values() if s.dirbs_kind},
    "golden": "exempt",
    "barred-imei": "barred",
    "barred_tac": "barred-tac",
}
"""DIRBS importer names (stolen_list, golden_list, ...) accepted for the same files."""


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


MEMORY = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$")


def engine_limits(settings: Settings) -> tuple[int, str]:
    """DuckDB threads and memory limit for operator imports: `[ingest] threads` and
    `memory_limit` (`settings.ingest`, validated there; default 2 and 512MB)."""
    return settings.ingest.threads, settings.ingest.memory_limit


UNITS = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}
UNITS |= {"KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}
MEMORY_PER_CSV_BYTE = 1.5
"""Staging an operator dump takes about 1.5x its CSV size in memory (measured: the bench's
590 MB, 10M rows, 2M triplets, needs 0.8-0.9 GB); beyond the limit DuckDB spills."""


def _will_spill(csv_path: Path, compression: str, memory_limit: str) -> bool:
    """Whether staging this CSV will exceed the memory limit and spill to disk.

    Two threads spilling one hash aggregate cost 2-3x the wall time of one thread doing so
    (docs/BENCHMARKS.md), so a dump that will spill is staged on one thread.
    """
    number, unit = MEMORY.match(memory_limit).group(0, 2)  # type: ignore[union-attr]
    limit = float(number[: -len(unit)].strip()) * UNITS[unit]
    size = csv_path.stat().st_size * (5 if compression == "gzip" else 1)
    return size * MEMORY_PER_CSV_BYTE > limit


def register_staging(data_dir: Path, kind: str, job_id: int) -> Path:
    """`<data_dir>/staging/<kind>/job-<id>`, for a zip's extracted member (may hold IMSIs).

    Called under the register's lock, so no other import of `kind` runs: whatever an earlier,
    killed import left under `<data_dir>/staging/<kind>` is removed first.
    """
    base = Path(data_dir) / "staging" / kind
    shutil.rmtree(base, ignore_errors=True)
    return base / f"job-{job_id}"


def ensure_schema(engine: Engine) -> None:
    """Fail in one line when the store is not migrated to the newest schema."""
    current, heads = current_revision(engine), head_revisions()
    if not heads <= current:
        at = ", ".join(sorted(current)) or "empty"
        raise ConfigError(
            f"the store's schema is {at}, not the newest ({', '.join(sorted(heads))}); "
            "run: openceir db upgrade"
        )


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
    started = time.monotonic()
    source = source_for(kind)
    hooks = hooks or Hooks()
    say = progress or (lambda _stage: None)
    today = today or datetime.now(UTC).date()
    path = Path(path)
    if source.kind == "operator":
        if not operator_id:
            raise InputError("an operator dump needs the operator id", field="operator")
        settings.operator(operator_id)
        if delta:
            raise InputError("operator dumps have no --delta form", field="delta")
    elif operator_id is not None:
        raise InputError(f"{source.title} files are national: give no operator id")
    limits = _checks.thresholds({**config_thresholds(settings), **(thresholds or {})})
    disabled = _checks.validate_names(disable)
    engine = engine or connect(settings.sqlalchemy_url)
    ensure_schema(engine)
    if not path.is_file():
        raise InputError("no such file", source=str(path))
    say("hashing")
    digest = files.sha256(path)
    with session_scope(engine) as session:
        earlier = jobs.find_succeeded(session, source.kind, digest, operator_id)
        if earlier is not None:
            when = earlier.finished_at or earlier.started_at
            return ImportResult(
                kind=source.kind,
                source_file=path.name,
                sha256=digest,
                status="unchanged",
                job_id=earlier.id,
                operator_id=operator_id,
                message=(
                    f"{path.name} was already imported as job {earlier.id} on "
                    f"{when:%Y-%m-%d %H:%M}; nothing changed"
                ),
                seconds=time.monotonic() - started,
            )
    job_id = jobs.start(engine, source.kind, path.name, digest, operator_id)
    state = RunState()
    try:
        say("reading header")
        header = files.read_header(path, source.delimiters)
        positions = source.resolve(header, path.name, delta=delta)
        if source.kind == "operator":
            assert operator_id is not None
            message = _import_dump(
                settings,
                engine,
                source,
                path,
                header,
                positions,
                operator_id,
                job_id,
                limits,
                disabled,
                today,
                state,
                say,
                hooks,
            )
        else:
            # One writer per register at a time on this machine: the diff must see the
            # rows the previous import committed.
            with _manifest.lock(settings.paths.locks / source.kind):
                staging_dir = register_staging(settings.data_dir, source.kind, job_id)
                try:
                    message = import_register(
                        engine,
                        source,
                        path,
                        header,
                        positions,
                        delta,
                        job_id,
                        limits,
                        disabled,
                        today,
                        state,
                        say,
                        hooks,
                        staging_dir,
                    )
                finally:
                    shutil.rmtree(staging_dir.parent, ignore_errors=True)
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
    read, valid, rejected = state.rows
    return ImportResult(
        kind=source.kind,
        source_file=path.name,
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


# -- operator dumps -> lake ---------------------------------------------------------------


def _import_dump(
    settings: Settings,
    engine: Engine,
    source: Source,
    path: Path,
    header: files.Header,
    positions: Mapping[str, int],
    operator_id: str,
    job_id: int,
    limits: Mapping[str, float],
    disabled: set[str],
    today: date,
    state: RunState,
    say: Callable[[str], None],
    hooks: Hooks,
) -> str:
    named = operator_dump.operator_from_name(path.name)
    if named and named != operator_id and named in {op.id for op in settings.operators}:
        raise InputError(
            f"the file name is for operator {named!r}, but it is being imported for "
            f"{operator_id!r}; import it as: openceir import operator {named} {path.name}",
            source=path.name,
        )
    root = _manifest.lake_dir(settings.data_dir)
    with _manifest.lock(root):
        _reconcile_locked(engine, root)
        current = _manifest.read(root)
        staging_dir = root / "_staging" / f"job-{job_id}"
        threads, memory_limit = engine_limits(settings)
        con = _parquet.connect(
            staging_dir / "spill", threads=threads, memory_limit=memory_limit, ordered=False
        )
        try:
            with session_scope(engine) as session:
                tacs = list(
                    session.scalars(select(TacCatalog.tac).where(TacCatalog.end_date.is_(None)))
                )
                history = jobs.operator_history(session, operator_id, operator_dump.HISTORY)
            kind = files.compression(path)
            csv_path = files.extract(path, staging_dir)
            if threads > 1 and _will_spill(csv_path, kind, memory_limit):
                con.execute("SET threads = 1")
            ctx = operator_dump.DumpContext(
                source_name=path.name,
                csv_path=csv_path,
                header=header,
                positions=positions,
                operator=settings.operator(operator_id),
                country_mcc=settings.region.country_mcc,
                today=today,
                tacs=tacs,
                history=history,
                limits=limits,
                disabled=disabled,
                staging_dir=staging_dir,
                compression="gzip" if kind == "gzip" else "none",
            )
            say("validating rows")
            staged = operator_dump.stage(con, ctx)
            valid = staged.rows_read - staged.rows_rejected
            state.rows = (staged.rows_read, valid, staged.rows_rejected)
            state.counts = dict(staged.counts)
            state.checks = [r.to_json() for r in staged.results]
            error = _checks.failure(staged.results, path.name)
            if error is not None:
                raise error
            say("writing the lake")
            changes, written = operator_dump.write_lake(con, staged, root, operator_id, current)
            if hooks.after_stage:
                hooks.after_stage()
            state.counts = {**state.counts, "written": written, "lake": changes}
            say("committing")
            with session_scope(engine) as session:
                jobs.finish(
                    session,
                    job_id,
                    "succeeded",
                    rows_read=staged.rows_read,
                    rows_valid=valid,
                    rows_rejected=staged.rows_rejected,
                    counts=state.counts,
                    checks=state.checks,
                )
            state.committed = True
            if hooks.after_commit:
                hooks.after_commit()
            _manifest.write(root, _manifest.apply(current, changes, job_id))
            state.switched = True
        finally:
            con.close()
            if state.committed and not state.switched:
                pending = _manifest.change_paths(state.counts.get("lake", {}))
                _manifest.collect_garbage(root, _manifest.read(root), also_keep=pending)
            else:
                _manifest.collect_garbage(root, _manifest.read(root))
    months = sorted(changes["observations"][operator_id])
    return (
        f"Imported {path.name} for {operator_id} as job {job_id}: {staged.rows_read} rows "
        f"({staged.rows_rejected} rejected) over {staged.counts['days']} days into "
        f"{', '.join(months) or 'no month'}; {written['observations']} triplets in those months"
    )


def _reconcile_locked(engine: Engine, root: Path) -> list[int]:
    """Switch in lake changes of committed jobs the manifest does not hold yet."""
    current = _manifest.read(root)
    with session_scope(engine) as session:
        pending = [
            (j.id, j.counts["lake"]) for j in jobs.lake_pending(session, current.get("last_job_id"))
        ]
    applied = []
    for job_id, changes in pending:
        missing = sorted(p for p in _manifest.change_paths(changes) if not (root / p).exists())
        if missing:
            # Its files were deleted outside openceir: say so on the job, and let the file
            # be imported again (merging is idempotent, so nothing is double counted).
            with session_scope(engine) as session:
                jobs.mark_lost(session, job_id, f"lake file {missing[0]} is gone; re-import it")
            continue
        current = _manifest.apply(current, changes, job_id)
        applied.append(job_id)
    if applied:
        _manifest.write(root, current)
    _manifest.collect_garbage(root, current)
    return applied


def reconcile(settings: Settings, engine: Engine | None = None) -> list[int]:
    """Finish interrupted lake switches (after a crash); returns the job ids switched in."""
    engine = engine or connect(settings.sqlalchemy_url)
    ensure_schema(engine)
    root = _manifest.lake_dir(settings.data_dir)
    with _manifest.lock(root):
        return _reconcile_locked(engine, root)


__all__ = [
    "KIND_ALIASES",
    "SOURCES",
    "Hooks",
    "ImportResult",
    "ensure_schema",
    "reconcile",
    "run_import",
    "source_for",
]
