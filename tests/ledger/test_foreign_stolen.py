"""Foreign theft reports become stolen-list rows, and recoveries remove only those rows."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import select

from openceir.ledger.foreign_stolen import FOREIGN, foreign_state, stolen_delta, sync_foreign_stolen
from openceir.settings import Settings
from openceir.store.migrate import upgrade
from openceir.store.registers import StolenRow
from openceir.store.session import connect, session_scope

THEFT = "352099001761481"
LOCAL = "490154203237518"


def _event(kind: str, imei: str, time: str, case: str = "c1") -> dict:
    return {
        "type": kind,
        "imeis": [imei],
        "case": case,
        "time": time,
        "v": 1,
        "participant": "police.b",
    }


def _record(peer: str, index: int, event: dict) -> dict:
    return {"peer": peer, "index": index, "event": event}


def test_latest_event_per_imei_decides() -> None:
    records = [
        _record("betaland", 0, _event("reported_stolen", THEFT, "2026-11-01T10:00:00Z")),
        _record("betaland", 1, _event("recovered", THEFT, "2026-11-05T10:00:00Z")),
        _record("gammaland", 0, _event("reported_stolen", LOCAL, "2026-11-02T09:00:00Z", "x9")),
    ]
    state = foreign_state(records)
    assert state == {LOCAL: {"date": "2026-11-02", "case": "gammaland:x9"}}
    assert foreign_state(records[:1])[THEFT]["case"] == "betaland:c1"


def test_delta_adds_new_removes_recovered_and_leaves_local_reports() -> None:
    wanted = {THEFT: {"date": "2026-11-01", "case": "b:c1"}, LOCAL: {"date": "d", "case": "x"}}
    current = {int(LOCAL[:14]): "stolen", 12345678901234: FOREIGN, 22222222222222: None}
    rows = stolen_delta(wanted, current)
    assert [(r["imei"], r["change_type"]) for r in rows] == [
        (THEFT, "add"),
        ("12345678901234", "remove"),
    ]


def _write_imported(settings: Settings, records: list[dict]) -> None:
    folder = settings.data_dir / "ledger" / "peers" / "betaland"
    folder.mkdir(parents=True, exist_ok=True)
    Path(folder / "imported.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))


def _current(settings: Settings) -> dict[int, str | None]:
    engine = connect(settings.sqlalchemy_url)
    with session_scope(engine) as session:
        rows = session.execute(
            select(StolenRow.imei_key, StolenRow.status, StolenRow.case_id).where(
                StolenRow.end_date.is_(None)
            )
        ).all()
    return {key: (status, case) for key, status, case in rows}


def test_sync_imports_foreign_theft_then_its_recovery(settings: Settings) -> None:
    engine = connect(settings.sqlalchemy_url)
    upgrade(engine)
    with session_scope(engine) as session:
        session.add(
            StolenRow(
                imei_key=int(LOCAL[:14]),
                status="stolen",
                reporting_date=date(2026, 10, 1),
                start_date=date(2026, 10, 1),
            )
        )
    theft = _record("betaland", 0, _event("reported_stolen", THEFT, "2026-11-01T10:00:00Z"))
    local_too = _record("betaland", 1, _event("reported_stolen", LOCAL, "2026-11-02T10:00:00Z"))
    _write_imported(settings, [theft, local_too])

    first = sync_foreign_stolen(settings, today=date(2026, 11, 3))
    assert first is not None and first.status == "succeeded"
    assert _current(settings) == {
        int(THEFT[:14]): (FOREIGN, "betaland:c1"),
        int(LOCAL[:14]): ("stolen", None),
    }
    assert sync_foreign_stolen(settings, today=date(2026, 11, 3)) is None

    recovered = _record("betaland", 2, _event("recovered", THEFT, "2026-11-06T10:00:00Z"))
    _write_imported(settings, [theft, local_too, recovered])
    assert sync_foreign_stolen(settings, today=date(2026, 11, 7)) is not None
    assert _current(settings) == {int(LOCAL[:14]): ("stolen", None)}
