"""The inputs of a run's figures as Arrow tables: state, catalog, stolen list, import jobs.

Read from the store once per computation with SQLAlchemy Core, then handed to DuckDB, which
does every join and count (`openceir.reports.aggregates`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pyarrow as pa
from sqlalchemy import Connection, or_, select

from openceir.store.classification import ClassificationRun, ClassificationState
from openceir.store.models import ImportJob
from openceir.store.registers import StolenRow, TacCatalog

COUNTERFEIT_DIMENSIONS = frozenset(
    {"tac_not_allocated", "inconsistent_rat", "malformed_imei", "test_tac"}
)
"""A condition counts as counterfeit when its rule names one of these dimensions (outside a
`not`): an identity never allocated, malformed, a test range, or radio technologies the
model cannot have. Clone conditions are those with `clone_differentiation`; stolen ones
name the `stolen` dimension."""

CONDITIONS = pa.schema(
    [
        ("label", pa.string()),
        ("blocking", pa.bool_()),
        ("counterfeit", pa.bool_()),
        ("clone", pa.bool_()),
        ("stolen", pa.bool_()),
    ]
)
STATE = pa.schema(
    [
        ("imei_key", pa.int64()),
        ("imei_raw", pa.string()),
        ("condition", pa.string()),
        ("block_date", pa.date32()),
        ("blocking", pa.bool_()),
        ("clone_sims", pa.int32()),
    ]
)
CATALOG = pa.schema(
    [
        ("tac", pa.string()),
        ("manufacturer", pa.string()),
        ("brand", pa.string()),
        ("model", pa.string()),
    ]
)
STOLEN = pa.schema(
    [("imei_key", pa.int64()), ("imei_raw", pa.string()), ("reporting_date", pa.date32())]
)
JOBS = pa.schema(
    [
        ("operator", pa.string()),
        ("month", pa.string()),
        ("status", pa.string()),
        ("rows_read", pa.int64()),
        ("rows_valid", pa.int64()),
        ("rows_rejected", pa.int64()),
        ("failed_checks", pa.list_(pa.string())),
    ]
)


def _leaves(tree: Any, negated: bool = False) -> list[tuple[str, bool]]:
    """(dimension name, under a `not`) for every leaf of a stored dimension tree."""
    if isinstance(tree, list):
        return [leaf for item in tree for leaf in _leaves(item, negated)]
    if not isinstance(tree, dict):
        return [(str(tree), negated)]
    out: list[tuple[str, bool]] = []
    for name, value in tree.items():
        if name in ("all", "any"):
            out.extend(_leaves(value, negated))
        elif name == "not":
            out.extend(_leaves(value, not negated))
        else:
            out.append((name, negated))
    return out


def conditions(rules: dict[str, Any]) -> pa.Table:
    """The run's conditions with what kind of problem each one names (pure)."""
    rows = []
    for c in rules.get("conditions", []):
        positive = {name for name, negated in _leaves(c.get("dimensions", {})) if not negated}
        rows.append(
            {
                "label": c["label"],
                "blocking": bool(c.get("blocking", True)),
                "counterfeit": bool(positive & COUNTERFEIT_DIMENSIONS),
                "clone": bool(c.get("clone_differentiation")),
                "stolen": "stolen" in positive,
            }
        )
    return pa.Table.from_pylist(rows, schema=CONDITIONS)


def run_record(conn: Connection, run_id: int) -> Any:
    """The classification run row (as_of, status, dry_run, rules), or None."""
    runs = ClassificationRun.__table__
    return conn.execute(select(runs).where(runs.c.id == run_id)).first()


def _holding(table: Any, as_of: date) -> Any:
    return (table.c.start_date <= as_of) & or_(table.c.end_date.is_(None), table.c.end_date > as_of)


def state(conn: Connection, as_of: date) -> pa.Table:
    """Classification state rows holding on `as_of` (one per IMEI and condition)."""
    t = ClassificationState.__table__
    rows = conn.execute(
        select(
            t.c.imei_key, t.c.imei_raw, t.c.condition, t.c.block_date, t.c.blocking, t.c.clone_imsis
        ).where(_holding(t, as_of))
    ).all()
    cols = list(zip(*rows, strict=True)) if rows else [()] * 6
    data = [*cols[:4], [bool(b) for b in cols[4]], [len(c) if c else 0 for c in cols[5]]]
    return pa.Table.from_arrays(
        [pa.array(list(v), f.type) for v, f in zip(data, STATE, strict=True)], schema=STATE
    )


def catalog(conn: Connection, as_of: date) -> pa.Table:
    """The TAC catalog on `as_of`: TAC, manufacturer, brand, model."""
    t = TacCatalog.__table__
    rows = conn.execute(
        select(t.c.tac, t.c.manufacturer, t.c.brand, t.c.model).where(_holding(t, as_of))
    ).all()
    return pa.Table.from_pylist([dict(r._mapping) for r in rows], schema=CATALOG)


def stolen(conn: Connection, as_of: date) -> pa.Table:
    """The stolen list on `as_of`: IMEI and reporting date."""
    t = StolenRow.__table__
    rows = conn.execute(
        select(t.c.imei_key, t.c.imei_raw, t.c.reporting_date).where(_holding(t, as_of))
    ).all()
    return pa.Table.from_pylist([dict(r._mapping) for r in rows], schema=STOLEN)


def jobs(conn: Connection) -> pa.Table:
    """Operator dump imports: operator, data month, outcome, rows and the checks that failed.

    The month is the first data date the importer recorded (the file's own dates), else the
    month the import started.
    """
    t = ImportJob.__table__
    rows = conn.execute(
        select(
            t.c.operator_id,
            t.c.status,
            t.c.started_at,
            t.c.rows_read,
            t.c.rows_valid,
            t.c.rows_rejected,
            t.c.counts,
            t.c.checks,
        ).where(t.c.kind == "operator")
    ).all()
    out = []
    for r in rows:  # one row per imported file, not per data row
        counts = r.counts or {}
        first = counts.get("first_date") or (r.started_at.isoformat() if r.started_at else "")
        failed = [
            c["name"]
            for c in (r.checks or [])
            if c.get("passed") is False and not c.get("disabled")
        ]
        out.append(
            {
                "operator": r.operator_id or "",
                "month": str(first)[:7],
                "status": r.status,
                "rows_read": r.rows_read or 0,
                "rows_valid": r.rows_valid or 0,
                "rows_rejected": r.rows_rejected or 0,
                "failed_checks": failed,
            }
        )
    return pa.Table.from_pylist(out, schema=JOBS)


def table_exists(conn: Connection, name: str) -> bool:
    """Whether the store has a table `name` (the cases lane's tables arrive later)."""
    from sqlalchemy import inspect

    return inspect(conn).has_table(name)
