"""Register lists into the store: parse rows, diff or apply the delta, commit with the job.

One store transaction closes and opens register rows and marks the job succeeded; the
size and conflict checks run before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.orm import Session

from openceir.errors import InputError
from openceir.ingest import checks as _checks
from openceir.ingest import csv_reader, files, jobs
from openceir.ingest import diff as _diff
from openceir.ingest.run_state import Hooks, RunState
from openceir.ingest.source import FieldError, Source
from openceir.store.registers import REGISTERS, RegisterRow
from openceir.store.session import session_scope

MAX_ERRORS = 100
"""Per-row errors kept for the report (all are counted)."""
MIN_ROWS_FOR_SIZE_CHECKS = 10
"""A list smaller than this may shrink or grow freely (list_shrink / list_growth not run)."""


@dataclass
class _Parsed:
    rows: list[_diff.Row]
    rows_read: int
    errors: list[tuple[int, str | None, str]]
    error_count: int


def _read_rows(
    path: Path,
    source: Source,
    header: files.Header,
    delta: bool,
    model: type[RegisterRow],
    staging_dir: Path,
) -> _Parsed:
    """Parse every row with the source's parser; collect per-row errors up to MAX_ERRORS.

    The CSV is parsed by the one strict reader of every import (`csv_reader`): a file that
    is not well-formed CSV stops here, whatever checks are disabled.
    """
    assert source.parse is not None
    names = [source.aliases.get(c, c) for c in header.columns]
    parsed = _Parsed([], 0, [], 0)

    def error(line: int, field_name: str | None, message: str) -> None:
        parsed.error_count += 1
        if len(parsed.errors) < MAX_ERRORS:
            parsed.errors.append((line, field_name, message))

    kind = files.compression(path)
    csv_path = files.extract(path, staging_dir)
    table = csv_reader.read_table(csv_path, header, path.name, "gzip" if kind == "gzip" else "none")
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    for index, record in enumerate(zip(*columns, strict=True)):
        line = index + 2
        parsed.rows_read += 1
        data = {
            n: (v if v is not None and v.strip() else None)
            for n, v in zip(names, record, strict=True)
        }
        change = None
        if delta:
            word = (data.pop("change_type") or "").strip().lower()
            change = _diff.CHANGE_TYPES.get(word)
            if change is None:
                error(line, "change_type", f"{word!r}: expected add, remove or update")
                continue
        try:
            rec = source.parse(data)
        except FieldError as exc:
            error(line, exc.field, exc.message)
            continue
        parsed.rows.append(
            _diff.Row(
                line,
                tuple(rec[k] for k in model.KEY),
                tuple(rec[v] for v in model.VALUES),
                change,
            )
        )
    return parsed


def _current(session: Session, model: type[RegisterRow]) -> dict[_diff.Key, tuple[int, Any]]:
    """The register's current rows: key -> (row id, values)."""
    table = model.__table__  # type: ignore[attr-defined]
    cols = [table.c.id, *(table.c[k] for k in model.KEY), *(table.c[v] for v in model.VALUES)]
    out: dict[_diff.Key, tuple[int, Any]] = {}
    nkey = len(model.KEY)
    for row in session.execute(select(*cols).where(table.c.end_date.is_(None))):
        out.setdefault(tuple(row[1 : 1 + nkey]), (row[0], tuple(row[1 + nkey :])))
    return out


def _apply(
    session: Session,
    model: type[RegisterRow],
    change: _diff.Diff,
    current: Mapping[_diff.Key, tuple[int, Any]],
    job_id: int,
    day: date,
) -> None:
    """Close removed and updated rows, open added and updated ones (never update in place)."""
    table = model.__table__  # type: ignore[attr-defined]
    closing = [current[k][0] for k in (*change.removes, *change.updates)]
    for i in range(0, len(closing), 500):
        session.execute(
            update(table)
            .where(table.c.id.in_(closing[i : i + 500]))
            .values(end_date=day, end_job_id=job_id)
        )
    opening = [
        {
            **dict(zip(model.KEY, key, strict=True)),
            **dict(zip(model.VALUES, values, strict=True)),
            "start_date": day,
            "job_id": job_id,
        }
        for key, values in (*change.adds.items(), *change.updates.items())
    ]
    for i in range(0, len(opening), 5000):
        session.execute(insert(table), opening[i : i + 5000])


def import_register(
    engine: Engine,
    source: Source,
    path: Path,
    header: files.Header,
    positions: Mapping[str, int],
    delta: bool,
    job_id: int,
    limits: Mapping[str, float],
    disabled: set[str],
    today: date,
    state: RunState,
    say: Callable[[str], None],
    hooks: Hooks,
    staging_dir: Path,
) -> str:
    model = REGISTERS[source.kind]
    say("validating rows")
    parsed = _read_rows(path, source, header, delta, model, staging_dir)
    read = parsed.rows_read
    results: list[_checks.CheckResult] = []
    invalid = _checks.evaluate(
        "invalid_rows",
        parsed.error_count / read if read else 0.0,
        limits,
        disabled,
        count=parsed.error_count,
    )
    if parsed.errors:
        _line, field_name, message = parsed.errors[0]
        invalid.examples = [(ln, None) for ln, _f, _m in parsed.errors[:5]]
        invalid.field = field_name
        invalid.detail = message
    results.append(invalid)
    rows, duplicates, conflicts = _diff.collapse(parsed.rows)
    conflict = _checks.evaluate(
        "conflicting_rows",
        len(conflicts) / read if read else 0.0,
        limits,
        disabled,
        count=len(conflicts),
    )
    if conflicts:
        first = conflicts[0]
        conflict.examples = [(c.line, None) for c in conflicts[:5]]
        conflict.detail = (
            f"key {_show_key(first.key)} also on line {first.first_line} with other values"
        )
    results.append(conflict)
    state.rows = (read, len(parsed.rows), parsed.error_count)
    state.counts = {"rows": read, "duplicates": duplicates, "conflicts": len(conflicts)}
    if "imei_raw" in model.KEY:
        raw_at = model.KEY.index("imei_raw")
        state.counts["malformed_imei"] = sum(1 for r in parsed.rows if r.key[raw_at] is not None)
    state.checks = [r.to_json() for r in results]
    error = _checks.failure(results, path.name)
    if error is not None:
        raise error
    say("comparing with the register")
    with session_scope(engine) as session:
        current = _current(session, model)
        values = {k: v for k, (_id, v) in current.items()}
        if delta:
            change, delta_errors = _diff.delta(values, rows)
            if delta_errors:
                bad = delta_errors[0]
                more = f" ({len(delta_errors) - 1} more such rows)" if len(delta_errors) > 1 else ""
                raise InputError(
                    f"{bad.message}{more}", source=path.name, line=bad.line, field="change_type"
                )
        else:
            change = _diff.full(values, rows)
        results.extend(_size_checks(len(current), change, limits, disabled))
        state.counts = {
            **state.counts,
            **change.counts(),
            "before": len(current),
            "after": len(current) + len(change.adds) - len(change.removes),
        }
        state.checks = [r.to_json() for r in results]
        error = _checks.failure(results, path.name)
        if error is not None:
            raise error
        if hooks.after_stage:
            hooks.after_stage()
        say("committing")
        _apply(session, model, change, current, job_id, today)
        jobs.finish(
            session,
            job_id,
            "succeeded",
            rows_read=read,
            rows_valid=len(parsed.rows),
            rows_rejected=parsed.error_count,
            counts=state.counts,
            checks=state.checks,
        )
    state.committed = True
    counts = change.counts()
    return (
        f"Imported {path.name} ({source.title}{', delta' if delta else ''}) as job {job_id}: "
        f"{read} rows, {parsed.error_count} rejected, {duplicates} duplicates; "
        f"{counts['added']} added, {counts['removed']} removed, {counts['updated']} updated"
    )


def _show_key(key: _diff.Key) -> str:
    return "/".join(str(k) for k in key if k is not None)


def _size_checks(
    before: int, change: _diff.Diff, limits: Mapping[str, float], disabled: set[str]
) -> list[_checks.CheckResult]:
    """list_shrink and list_growth, run when the list had at least MIN_ROWS_FOR_SIZE_CHECKS."""
    if before < MIN_ROWS_FOR_SIZE_CHECKS:
        reason = f"not run: the list had {before} rows (< {MIN_ROWS_FOR_SIZE_CHECKS})"
        return [
            _checks.evaluate("list_shrink", None, limits, disabled, not_run=reason),
            _checks.evaluate("list_growth", None, limits, disabled, not_run=reason),
        ]
    after = before + len(change.adds) - len(change.removes)
    shrink = _checks.evaluate(
        "list_shrink",
        len(change.removes) / before,
        limits,
        disabled,
        count=len(change.removes),
        detail=f"{len(change.removes)} of {before} current rows would be removed",
    )
    growth = _checks.evaluate(
        "list_growth",
        max(after - before, 0) / before,
        limits,
        disabled,
        count=max(after - before, 0),
        detail=f"the list would grow from {before} to {after} rows",
    )
    return [shrink, growth]


__all__ = ["MAX_ERRORS", "MIN_ROWS_FOR_SIZE_CHECKS", "import_register"]
