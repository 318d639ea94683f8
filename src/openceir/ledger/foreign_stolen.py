"""Foreign theft reports into the national stolen list: the cross-border half of ITU-T Q.5051.

`federation.follow` mirrors peers' logs and keeps their `reported_stolen` / `recovered` events
in `peers/<name>/imported.jsonl`. This module turns the latest foreign state of each IMEI into
a stolen-list delta (status `foreign`, case `<peer>:<case>`) and imports it through the
ordinary pipeline, so foreign rows get history, an import job and an audit trail like any
other. A local report always wins: an IMEI already on the list for a local reason is left
alone, and only rows this module added are ever removed (when the peer reports recovery).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from openceir.ingest import ImportResult, run_import
from openceir.settings import Settings
from openceir.store.registers import StolenRow
from openceir.store.session import connect, session_scope

FOREIGN = "foreign"
__all__ = ["FOREIGN", "foreign_state", "stolen_delta", "sync_foreign_stolen"]

COLUMNS = ("imei", "reporting_date", "status", "case_id", "change_type")


def foreign_state(records: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """IMEIs whose latest foreign event is a theft report: imei -> {date, case}.

    `records` are imported.jsonl lines ({peer, index, event}); the latest event per IMEI is
    the one with the greatest (time, peer, index), so a recovery after a theft clears it.
    """
    latest: dict[str, tuple[tuple[str, str, int], Mapping[str, Any], str]] = {}
    for record in records:
        event, peer = record["event"], record["peer"]
        order = (event["time"], peer, int(record["index"]))
        for imei in event.get("imeis", []):
            if imei not in latest or order > latest[imei][0]:
                latest[imei] = (order, event, peer)
    return {
        imei: {"date": event["time"][:10], "case": f"{peer}:{event.get('case', '')}"[:100]}
        for imei, (_order, event, peer) in latest.items()
        if event["type"] == "reported_stolen"
    }


def stolen_delta(
    wanted: Mapping[str, Mapping[str, str]], current: Mapping[int, str | None]
) -> list[dict[str, str]]:
    """Delta rows that make the list's foreign rows match `wanted`; `current` is key -> status."""
    rows = []
    for imei, info in sorted(wanted.items()):
        if int(imei[:14]) not in current:
            rows.append(
                {
                    "imei": imei,
                    "reporting_date": info["date"],
                    "status": FOREIGN,
                    "case_id": info["case"],
                    "change_type": "add",
                }
            )
    wanted_keys = {int(imei[:14]): imei for imei in wanted}
    for key, status in sorted(current.items()):
        if status == FOREIGN and key not in wanted_keys:
            rows.append(
                {
                    "imei": f"{key:014d}",
                    "reporting_date": "",
                    "status": FOREIGN,
                    "case_id": "",
                    "change_type": "remove",
                }
            )
    return rows


def _imported_records(ledger_dir: Path) -> list[dict[str, Any]]:
    out = []
    for path in sorted((ledger_dir / "peers").glob("*/imported.jsonl")):
        with path.open(encoding="utf-8") as fh:
            out.extend(json.loads(line) for line in fh if line.strip())
    return out


def sync_foreign_stolen(
    settings: Settings, *, engine: Engine | None = None, today: date | None = None
) -> ImportResult | None:
    """Import the peers' theft state into the stolen list; None when nothing changes."""
    engine = engine or connect(settings.sqlalchemy_url)
    ledger_dir = settings.paths.ledger
    wanted = foreign_state(_imported_records(ledger_dir))
    with session_scope(engine) as session:
        rows = session.execute(
            select(StolenRow.imei_key, StolenRow.status).where(
                StolenRow.end_date.is_(None), StolenRow.imei_key.is_not(None)
            )
        ).all()
    delta = stolen_delta(wanted, {key: status for key, status in rows})
    if not delta:
        return None
    return _import_delta_rows(settings, delta, engine=engine, today=today)


def _import_delta_rows(
    settings: Settings, rows: list[dict[str, str]], *, engine: Engine, today: date | None
) -> ImportResult:
    """Import stolen-list delta rows through the ordinary pipeline (job, history, audit).

    The one place this module goes through a file: until the ingest pipeline takes rows,
    the rows are written as a CSV under `ledger/foreign/` (named by its SHA-256, so a re-run
    writes the same file) for the stolen importer to parse back. Switching to a rows-level
    pipeline entry replaces this body with one call.
    """
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    data = buffer.getvalue().encode()
    folder = settings.paths.ledger / "foreign"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"stolen-delta-{hashlib.sha256(data).hexdigest()[:16]}.csv"
    path.write_bytes(data)
    return run_import(settings, "stolen", path, delta=True, engine=engine, today=today)
