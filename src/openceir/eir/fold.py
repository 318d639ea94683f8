"""Fold the EIR's check events into the lake, so classification sees real-time checks too.

Every check with a SIM identity is an observation (time, IMEI, IMSI, MSISDN). Once a day is
over, its events become one dump per operator and day, in the operator-dump format
(`date,imei,imsi,msisdn,rat`, DIRBS file name `<op>_<YYYYMMDD>_<YYYYMMDD>`), imported through
the ordinary pipeline: atomic, recorded as an import job, merged into the month aggregates,
and a no-op when nothing changed. The event's operator is its source when that is a
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

from openceir.lake.manifest import lake_dir
from openceir.settings import Operator, Settings

DISABLED_CHECKS = ("null_ratio", "volume_drop", "foreign_imsi", "off_network_imsi")


@dataclass
class FoldResult:
    """What a fold did: files written and imported, events left out."""

    files: list[tuple[str, str]] = field(default_factory=list)  # (file name, operator)
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


def write_dumps(events: list[dict[str, Any]], operators: list[Operator], out: Path) -> FoldResult:
    """Write one dump CSV per (operator, day), rows sorted and deduplicated; pure but for `out`."""
    result = FoldResult(events=len(events))
    rows: dict[tuple[str, date], set[tuple[str, str, str]]] = {}
    for ev in events:
        op = operator_for(ev["source"], ev["imsi"], operators)
        if op is None:
            result.skipped_no_operator += 1
            continue
        row = (_imei_text(ev["imei_key"]), ev["imsi"] or "", ev["msisdn"] or "")
        rows.setdefault((op, ev["day"]), set()).add(row)
    out.mkdir(parents=True, exist_ok=True)
    for (op, day), triplets in sorted(rows.items()):
        stamp = day.strftime("%Y%m%d")
        path = out / f"{op}_{stamp}_{stamp}.csv"
        lines = ["date,imei,imsi,msisdn,rat"]
        lines += [f"{stamp},{imei},{imsi},{msisdn}," for imei, imsi, msisdn in sorted(triplets)]
        tmp = path.with_suffix(".tmp")
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        tmp.replace(path)
        result.files.append((path.name, op))
    return result


def fold(
    settings: Settings,
    *,
    today: date | None = None,
    engine: Any = None,
    progress: Callable[[str], None] | None = None,
) -> FoldResult:
    """Import every finished day's check events into the lake as operator dumps; re-runnable."""
    from openceir.ingest import run_import

    today = today or datetime.now(UTC).date()
    out = Path(settings.data_dir) / "check_dumps"
    events = _events(lake_dir(settings.data_dir), today)
    result = write_dumps(events, list(settings.operators), out)
    for name, operator in result.files:
        if progress:
            progress(name)
        done = run_import(
            settings,
            "operator",
            out / name,
            operator_id=operator,
            disable=DISABLED_CHECKS,
            engine=engine,
            today=today,
        )
        (result.imported if done.status == "succeeded" else result.unchanged).append(name)
    return result


__all__ = ["DISABLED_CHECKS", "FoldResult", "fold", "operator_for", "write_dumps"]
