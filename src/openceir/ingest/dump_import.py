"""Operator dumps into the lake: the source, its staging, the commit and the manifest switch.

The pipeline holds the lake's writer lock (the source's `lock`) for the whole import. Steps:
stage with DuckDB (`operator_dump.stage`) and check; write new month files no manifest
lists yet; in ONE store transaction mark the job succeeded with the lake's new file lists;
switch the manifest (`os.replace`), then delete unlisted files. A crash between the commit
and the switch is finished by the next lake writer (`reconcile_locked`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import Engine, select

from openceir.errors import InputError
from openceir.ingest import checks as _checks
from openceir.ingest import csv_reader, files, jobs, operator_dump
from openceir.ingest.run_state import ImportRun, RunState
from openceir.ingest.source import Source
from openceir.lake import manifest as _manifest
from openceir.lake import parquet as _parquet
from openceir.settings import Settings
from openceir.store.registers import TacCatalog
from openceir.store.session import session_scope

MEMORY = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$")
UNITS = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}
UNITS |= {"KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}
MEMORY_PER_CSV_BYTE = 1.5
"""Staging an operator dump takes about 1.5x its CSV size in memory (measured: the bench's
590 MB, 10M rows, 2M triplets, needs 0.8-0.9 GB); beyond the limit DuckDB spills."""


def engine_limits(settings: Settings) -> tuple[int, str]:
    """DuckDB threads and memory limit for operator imports: `[ingest] threads` and
    `memory_limit` (`settings.ingest`, validated there; default 2 and 512MB)."""
    return settings.ingest.threads, settings.ingest.memory_limit


def will_spill(csv_path: Path, compression: str, memory_limit: str) -> bool:
    """Whether staging this CSV will exceed the memory limit and spill to disk.

    Two threads spilling one hash aggregate cost 2-3x the wall time of one thread doing so
    (docs/BENCHMARKS.md), so a dump that will spill is staged on one thread.
    """
    number, unit = MEMORY.match(memory_limit).group(0, 2)  # type: ignore[union-attr]
    limit = float(number[: -len(unit)].strip()) * UNITS[unit]
    size = csv_path.stat().st_size * (5 if compression == "gzip" else 1)
    return size * MEMORY_PER_CSV_BYTE > limit


def _reader(run: ImportRun) -> tuple[str, Path | None, str]:
    """(SQL reading the dump's rows as text, the CSV when the input is a file, compression)."""
    if run.rows is not None:
        staged = run.staging_dir / "rows.parquet"
        run.staging_dir.mkdir(parents=True, exist_ok=True)
        text = pa.table(
            {
                n: pc.cast(c, pa.string())
                for n, c in zip(run.header.columns, run.rows.columns, strict=True)
            }
        )
        pq.write_table(text, staged)
        return f"read_parquet({csv_reader.quote(str(staged))})", None, "none"
    assert run.path is not None
    kind = files.compression(run.path)
    csv_path = files.extract(run.path, run.staging_dir)
    compression = "gzip" if kind == "gzip" else "none"
    return csv_reader.reader_sql(csv_path, run.header, compression), csv_path, compression


def import_dump(run: ImportRun, state: RunState) -> str:
    """Stage, check and merge one dump into its months; commit with the job, then switch."""
    settings, engine, name, job_id, say = run.settings, run.engine, run.name, run.job_id, run.say
    operator_id = run.operator_id
    assert operator_id is not None
    named = operator_dump.operator_from_name(name)
    if named and named != operator_id and named in {op.id for op in settings.operators}:
        raise InputError(
            f"the file name is for operator {named!r}, but it is being imported for "
            f"{operator_id!r}; import it as: openceir import operator {named} {name}",
            source=name,
        )
    root = _manifest.lake_dir(settings.data_dir)
    reconcile_locked(engine, root)
    current = _manifest.read(root)
    threads, memory_limit = engine_limits(settings)
    con = _parquet.connect(
        run.staging_dir / "spill", threads=threads, memory_limit=memory_limit, ordered=False
    )
    try:
        with session_scope(engine) as session:
            tacs = list(
                session.scalars(select(TacCatalog.tac).where(TacCatalog.end_date.is_(None)))
            )
            history = jobs.operator_history(session, operator_id, operator_dump.HISTORY)
        reader, csv_path, compression = _reader(run)
        if threads > 1 and csv_path is not None and will_spill(csv_path, compression, memory_limit):
            con.execute("SET threads = 1")
        ctx = operator_dump.DumpContext(
            source_name=name,
            reader=reader,
            header=run.header,
            positions=run.positions,
            operator=settings.operator(operator_id),
            country_mcc=settings.region.country_mcc,
            today=run.today,
            tacs=tacs,
            history=history,
            limits=run.limits,
            disabled=set(run.disabled),
            staging_dir=run.staging_dir,
        )
        say("validating rows")
        staged = operator_dump.stage(con, ctx)
        valid = staged.rows_read - staged.rows_rejected
        state.rows = (staged.rows_read, valid, staged.rows_rejected)
        state.counts = dict(staged.counts)
        state.checks = [r.to_json() for r in staged.results]
        error = _checks.failure(staged.results, name)
        if error is not None:
            raise error
        say("writing the lake")
        changes, written = operator_dump.write_lake(con, staged, root, operator_id, current)
        if run.hooks.after_stage:
            run.hooks.after_stage()
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
        if run.hooks.after_commit:
            run.hooks.after_commit()
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
        f"Imported {name} for {operator_id} as job {job_id}: {staged.rows_read} rows "
        f"({staged.rows_rejected} rejected) over {staged.counts['days']} days into "
        f"{', '.join(months) or 'no month'}; {written['observations']} triplets in those months"
    )


def reconcile_locked(engine: Engine, root: Path) -> list[int]:
    """Switch in lake changes of committed jobs the manifest does not hold yet (lock held)."""
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


SOURCE = Source(
    kind="operator",
    title="operator data dump",
    required=("date", "imei", "imsi", "msisdn", "rat"),
    optional=("imeisv", "cell", "lat", "lon", "time"),
    aliases={"triplet_date": "date", "rat_type": "rat", "latitude": "lat", "longitude": "lon"},
    dirbs_kind="operator",
    example="openceir import operator alpha alpha_20261101_20261101.csv.gz",
    importer=import_dump,
    per_operator=True,
    lock="lake/.lock",
)

__all__ = ["SOURCE", "engine_limits", "import_dump", "reconcile_locked", "will_spill"]
