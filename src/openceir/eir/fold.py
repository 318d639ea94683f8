"""Fold the EIR's check events into the lake, so classification sees real-time checks too.

Every check with a SIM identity is an observation (time, IMEI, IMSI, MSISDN). Once a day is
over, its events become one dump per operator and day, in the operator-dump columns
(`date,imei,imsi,msisdn,rat`, named like a DIRBS file `<op>_<YYYYMMDD>_<YYYYMMDD>`), handed
as rows in memory to the ordinary pipeline (`ingest.import_rows`, no CSV in between):
atomic, recorded as an import job, merged into the month aggregates, and a no-op when
nothing changed. The event's operator is its source when that is a
configured operator id (an OAuth2 client's operator), else the operator whose MCC-MNC the
IMSI belongs to; events matching neither (a roamer checked through an unknown Diameter peer)
are counted and left out.

Checks that judge a whole day's dump do not fit a sample of checks, so they are disabled:
null ratio (checks carry no RAT), volume drop, foreign and off-network IMSIs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from openceir.lake.manifest import lake_dir
from openceir.settings import Operator, Settings

DISABLED_CHECKS = ("null_ratio", "volume_drop", "foreign_imsi", "off_network_imsi")


@dataclass
class FoldResult:
    """What a fold did: files written and imported, events left out."""

    files: list[tuple[str, str]] = field(default_factory=list)  # (dump name, operator)
    imported: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    events: int = 0
    skipped_no_operator: int = 0


def operator_for(source: str | None, imsi: str | None, operators: list[Operator]) -> str | None:
    """The operator an event belongs to: its source when configured, else the IMSI's network."""
    ids = {op.id for op in operators}
    if source in ids:
        return source
    if imsi:
        for op in operators:
            if any(imsi.startswith(prefix) for prefix in op.mcc_mnc):
                return op.id
    return None


def _imei_text(key: int) -> str:
    """The 14-digit body (the key); the importer takes 14-16 digit IMEIs."""
    return f"{key:014d}"


def _events(lake: Path, before: date) -> list[dict[str, Any]]:
    """Check events with an IMEI key and an IMSI or MSISDN, of days before `before`."""
    days = sorted(
        p
        for p in (lake / "check_events").glob("date=*")
        if p.is_dir() and p.name[5:] < before.isoformat() and any(p.glob("*.parquet"))
    )
    if not days:
        return []
    files = [str(f) for d in days for f in sorted(d.glob("*.parquet"))]
    con = duckdb.connect()
    try:
        rel = con.execute(
            "SELECT CAST(time AT TIME ZONE 'UTC' AS DATE) AS day, source, imei_key, imsi, msisdn "
            "FROM read_parquet(?) WHERE imei_key IS NOT NULL "
            "AND (imsi IS NOT NULL OR msisdn IS NOT NULL) "
            "ORDER BY day, imei_key, imsi, msisdn",
            [files],
        )
        names = [c[0] for c in rel.description]
        return [dict(zip(names, row, strict=True)) for row in rel.fetchall()]
    finally:
        con.close()


def dump_tables(
    events: list[dict[str, Any]], operators: list[Operator]
) -> tuple[list[tuple[str, str, pa.Table]], int]:
    """(one operator dump per (operator, day): name, operator, rows sorted and deduplicated;
    events left out for want of an operator); pure."""
    skipped = 0
    rows: dict[tuple[str, date], set[tuple[str, str, str]]] = {}
    for ev in events:
        op = operator_for(ev["source"], ev["imsi"], operators)
        if op is None:
            skipped += 1
            continue
        row = (_imei_text(ev["imei_key"]), ev["imsi"] or "", ev["msisdn"] or "")
        rows.setdefault((op, ev["day"]), set()).add(row)
    out = []
    for (op, day), triplets in sorted(rows.items()):
        stamp = day.strftime("%Y%m%d")
        ordered = sorted(triplets)
        table = pa.table(
            {
                "date": pa.array([stamp] * len(ordered), pa.string()),
                "imei": pa.array([t[0] for t in ordered], pa.string()),
                "imsi": pa.array([t[1] or None for t in ordered], pa.string()),
                "msisdn": pa.array([t[2] or None for t in ordered], pa.string()),
                "rat": pa.array([None] * len(ordered), pa.string()),
            }
        )
        out.append((f"{op}_{stamp}_{stamp}", op, table))
    return out, skipped


def fold(
    settings: Settings,
    *,
    today: date | None = None,
    engine: Any = None,
    progress: Callable[[str], None] | None = None,
) -> FoldResult:
    """Import every finished day's check events into the lake as operator dumps; re-runnable."""
    from openceir.ingest import import_rows

    today = today or datetime.now(UTC).date()
    events = _events(lake_dir(settings.data_dir), today)
    tables, skipped = dump_tables(events, list(settings.operators))
    result = FoldResult(events=len(events), skipped_no_operator=skipped)
    for name, operator, rows in tables:
        result.files.append((name, operator))
        if progress:
            progress(name)
        done = import_rows(
            settings,
            "operator",
            rows,
            name=name,
            operator_id=operator,
            disable=DISABLED_CHECKS,
            engine=engine,
            today=today,
        )
        (result.imported if done.status == "succeeded" else result.unchanged).append(name)
    return result


__all__ = ["DISABLED_CHECKS", "FoldResult", "dump_tables", "fold", "operator_for"]
