"""Classification state with history (architecture §6): apply a run's matches, read what holds.

Per condition, a run opens a row for each newly matched IMEI (block date = run date + grace
period, or the amnesty end date), refreshes the evidence of rows still matched, and closes
rows no longer matched (`end_date` = run date), except for sticky conditions. Writes are
bulk `executemany` batches, never row by row through the ORM.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pyarrow as pa
from sqlalchemy import Connection, bindparam, or_, select, update
from sqlalchemy.orm import Session

from openceir.classify.engine import Match, imei_ids
from openceir.classify.rules import Amnesty, Condition
from openceir.store.classification import ClassificationState

BATCH = 20_000
STATE = ClassificationState.__table__


@dataclass
class Changes:
    """What applying one condition changed (or would change, in a dry run)."""

    opened: int = 0
    continued: int = 0
    closed: int = 0
    evidence_updated: int = 0
    amnesty_moved: int = 0

    def as_dict(self) -> dict[str, int]:
        """The counts as a JSON-ready dict."""
        return dict(self.__dict__)


def block_date(condition: Condition, amnesty: Amnesty, first_match: date) -> date | None:
    """The block date of a new match: first match + grace, or the amnesty end date.

    Amnesty applies to eligible conditions first matched on or before the evaluation
    period's end, as in DIRBS.
    """
    if not condition.blocking:
        return None
    if _amnesty_applies(condition, amnesty, first_match):
        return amnesty.amnesty_end_date
    return first_match + timedelta(days=condition.grace_period_days)


def _amnesty_applies(condition: Condition, amnesty: Amnesty, first_match: date) -> bool:
    return bool(
        condition.blocking
        and amnesty.enabled
        and condition.amnesty_eligible
        and amnesty.evaluation_period_end_date
        and first_match <= amnesty.evaluation_period_end_date
    )


def _waits(clone: dict[str, Any] | None) -> bool:
    """An undecided clone group under the `wait` policy: no block date until it is decided."""
    return bool(clone) and not clone.get("decided") and clone.get("policy") == "wait"


def _chunks(rows: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _open_rows(conn: Connection, label: str) -> dict[str, tuple[Any, ...]]:
    """Open rows of a condition by IMEI id: (row id, evidence, block_date, start_date)."""
    query = select(
        STATE.c.id,
        STATE.c.imei_key,
        STATE.c.imei_raw,
        STATE.c.evidence,
        STATE.c.block_date,
        STATE.c.start_date,
    ).where(STATE.c.condition == label, STATE.c.end_date.is_(None))
    rows = conn.execute(query).fetchall()
    if not rows:
        return {}
    ids = imei_ids(
        pa.array([r[1] for r in rows], pa.int64()), pa.array([r[2] for r in rows], pa.string())
    ).to_pylist()
    return {i: (r[0], r[3], r[4], r[5]) for i, r in zip(ids, rows, strict=True)}


def apply(
    conn: Connection,
    match: Match,
    *,
    as_of: date,
    run_id: int,
    amnesty: Amnesty,
    dry_run: bool = False,
) -> Changes:
    """Bring the state of `match.condition` in line with this run's matches."""
    cond = match.condition
    current = _open_rows(conn, cond.label)
    ids = match.ids.to_pylist()
    keys = match.imei_key.to_pylist()
    raws = match.imei_raw.to_pylist()
    changes = Changes()
    new_rows: list[dict[str, Any]] = []
    evidence_rows: list[dict[str, Any]] = []
    amnesty_rows: list[dict[str, Any]] = []
    for i, imei_id in enumerate(ids):
        evidence = match.evidence[i]
        clone = match.clones.get(imei_id)
        if clone:
            evidence = {**evidence, "clones": clone}
        row = current.pop(imei_id, None)
        if row is None:
            changes.opened += 1
            new_rows.append(
                {
                    "imei_key": keys[i],
                    "imei_raw": raws[i],
                    "condition": cond.label,
                    "start_date": as_of,
                    "end_date": None,
                    "block_date": None if _waits(clone) else block_date(cond, amnesty, as_of),
                    "blocking": cond.blocking,
                    "amnesty_granted": _amnesty_applies(cond, amnesty, as_of),
                    "reason": cond.reason,
                    "evidence": evidence,
                    "clone_imsis": clone.get("clone_imsis") if clone else None,
                    "genuine_imsis": clone.get("genuine_imsis") if clone else None,
                    "run_id": run_id,
                    "end_run_id": None,
                }
            )
            continue
        changes.continued += 1
        row_id, old_evidence, old_block, start = row
        if old_evidence != evidence:
            evidence_rows.append(
                {
                    "row_id": row_id,
                    "evidence": evidence,
                    "clone_imsis": clone.get("clone_imsis") if clone else None,
                    "genuine_imsis": clone.get("genuine_imsis") if clone else None,
                }
            )
        if (
            _amnesty_applies(cond, amnesty, start)
            and old_block != amnesty.amnesty_end_date
            and (old_block is None or old_block > as_of)
        ):
            amnesty_rows.append({"row_id": row_id, "block_date": amnesty.amnesty_end_date})
    closing = [] if cond.sticky else [row[0] for row in current.values()]
    changes.closed = len(closing)
    changes.evidence_updated = len(evidence_rows)
    changes.amnesty_moved = len(amnesty_rows)
    if dry_run:
        return changes
    _insert(conn, new_rows)
    rid = bindparam("row_id")
    for batch in _chunks(evidence_rows):
        conn.execute(
            update(STATE)
            .where(STATE.c.id == rid)
            .values(
                evidence=bindparam("evidence"),
                clone_imsis=bindparam("clone_imsis"),
                genuine_imsis=bindparam("genuine_imsis"),
            ),
            batch,
        )
    for batch in _chunks(amnesty_rows):
        conn.execute(
            update(STATE)
            .where(STATE.c.id == rid)
            .values(block_date=bindparam("block_date"), amnesty_granted=True),
            batch,
        )
    for batch in _chunks(closing):
        conn.execute(
            update(STATE).where(STATE.c.id.in_(batch)).values(end_date=as_of, end_run_id=run_id)
        )
    return changes


_COLUMNS = [
    "imei_key",
    "imei_raw",
    "condition",
    "start_date",
    "end_date",
    "block_date",
    "blocking",
    "amnesty_granted",
    "reason",
    "evidence",
    "clone_imsis",
    "genuine_imsis",
    "run_id",
    "end_run_id",
]
assert set(_COLUMNS) == {c.name for c in STATE.columns} - {"id"}, "state columns changed"


def _insert(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert state rows in batches; on SQLite straight through the driver's executemany.

    SQLAlchemy's per-parameter type processing costs more than SQLite's insert itself for
    hundreds of thousands of rows; the values here are converted exactly as SQLAlchemy's
    SQLite types would store them (ISO dates, JSON text, 0/1).
    """
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        for batch in _chunks(rows):
            conn.execute(STATE.insert(), batch)
        return
    sql = (
        f"INSERT INTO {STATE.name} ({', '.join(_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in _COLUMNS)})"
    )

    def iso(d: date | None) -> str | None:
        return None if d is None else d.isoformat()

    def dumps(v: Any) -> str | None:
        return None if v is None else json.dumps(v, separators=(",", ":"))

    def row(r: dict[str, Any]) -> tuple[Any, ...]:
        return (
            r["imei_key"],
            r["imei_raw"],
            r["condition"],
            iso(r["start_date"]),
            iso(r["end_date"]),
            iso(r["block_date"]),
            int(r["blocking"]),
            int(r["amnesty_granted"]),
            r["reason"],
            dumps(r["evidence"]),
            dumps(r["clone_imsis"]),
            dumps(r["genuine_imsis"]),
            r["run_id"],
            r["end_run_id"],
        )

    cursor = conn.connection.cursor()
    try:
        for batch in _chunks(rows):
            cursor.executemany(sql, [row(r) for r in batch])
    finally:
        cursor.close()


CURRENT_SCHEMA = pa.schema(
    [
        ("imei_key", pa.int64()),
        ("imei_raw", pa.string()),
        ("condition", pa.string()),
        ("start_date", pa.date32()),
        ("block_date", pa.date32()),
        ("blocking", pa.bool_()),
        ("reasons", pa.list_(pa.string())),
        ("evidence", pa.string()),
        ("clone_imsis", pa.list_(pa.string())),
        ("genuine_imsis", pa.list_(pa.string())),
    ]
)
"""The columns of `current`: one row per (IMEI, condition) holding on the date."""


def current(session: Session | Connection, as_of: date | None = None) -> pa.Table:
    """The state holding on `as_of` (default: the open rows), for lists and the web.

    `reasons` is a one-element list (the condition's reason) so callers can concatenate
    per IMEI; `evidence` is JSON text; `clone_imsis` / `genuine_imsis` are set for
    duplicated IMEIs whose clones were told apart (lists block only the clone pairs).
    """
    cols = [
        STATE.c.imei_key,
        STATE.c.imei_raw,
        STATE.c.condition,
        STATE.c.start_date,
        STATE.c.block_date,
        STATE.c.blocking,
        STATE.c.reason,
        STATE.c.evidence,
        STATE.c.clone_imsis,
        STATE.c.genuine_imsis,
    ]
    query = select(*cols)
    if as_of is None:
        query = query.where(STATE.c.end_date.is_(None))
    else:
        query = query.where(
            STATE.c.start_date <= as_of, or_(STATE.c.end_date.is_(None), STATE.c.end_date > as_of)
        )
    rows = session.execute(query.order_by(STATE.c.imei_key, STATE.c.condition)).fetchall()
    data = {
        "imei_key": [r[0] for r in rows],
        "imei_raw": [r[1] for r in rows],
        "condition": [r[2] for r in rows],
        "start_date": [r[3] for r in rows],
        "block_date": [r[4] for r in rows],
        "blocking": [bool(r[5]) for r in rows],
        "reasons": [[r[6]] for r in rows],
        "evidence": [json.dumps(r[7], sort_keys=True) for r in rows],
        "clone_imsis": [r[8] for r in rows],
        "genuine_imsis": [r[9] for r in rows],
    }
    return pa.table(data, schema=CURRENT_SCHEMA)


def genuine_before(engine: Any, label: str) -> dict[str, list[str]]:
    """The genuine SIMs the open rows of condition `label` name, by IMEI id (earlier runs'
    clone decisions, weighed by the next run)."""
    query = select(STATE.c.imei_key, STATE.c.imei_raw, STATE.c.genuine_imsis).where(
        STATE.c.condition == label, STATE.c.end_date.is_(None), STATE.c.genuine_imsis.is_not(None)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).fetchall()
    if not rows:
        return {}
    ids = imei_ids(
        pa.array([r[0] for r in rows], pa.int64()), pa.array([r[1] for r in rows], pa.string())
    ).to_pylist()
    return {i: list(r[2]) for i, r in zip(ids, rows, strict=True) if r[2]}


def history(
    session: Session | Connection, imei_key: int | None, imei_raw: str | None = None
) -> list[dict[str, Any]]:
    """Every state row of one IMEI (open and closed), oldest first, as dicts."""
    where = STATE.c.imei_key == imei_key if imei_key is not None else STATE.c.imei_raw == imei_raw
    query = select(STATE).where(where).order_by(STATE.c.start_date, STATE.c.condition)
    return [dict(r._mapping) for r in session.execute(query)]


__all__ = [
    "CURRENT_SCHEMA",
    "Changes",
    "apply",
    "block_date",
    "current",
    "genuine_before",
    "history",
]
