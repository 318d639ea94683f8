"""Trace alerts: a reported IMEI seen with a SIM other than the reporter's.

Sightings come from the EIRs' check events (`<lake>/check_events/date=D/*.parquet`, written
by `openceir.eir.check_events`) and from operator dumps (the lake's observations, read again after
each import). `raise_alerts` matches sightings against the IMEIs of open cases: a SIM with
the owner's MSISDN teaches the owner's IMSI; any other SIM (`rules.is_new_identity`) raises
one alert per case and identity (later sightings update it), tells the case's station and
the reporter, and sends the phone's new user the configured message, all in one
transaction with the record of what was read, so an alert is neither lost nor raised twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from openceir.cases import rules
from openceir.cases.report import tell_reporter
from openceir.lake import manifest as lake_manifest
from openceir.lake import reader as lake_reader
from openceir.notify import enqueue
from openceir.settings import Settings
from openceir.store.audit import record
from openceir.store.cases import CaseAlert, CaseCursor, CaseEvent, CaseImei, CaseRow
from openceir.store.models import utcnow
from openceir.store.session import session_scope


@dataclass(frozen=True)
class Sighting:
    """One use of an IMEI with a SIM: from an EIR check or an operator's dump."""

    imei_key: int
    imsi: str | None
    msisdn: str | None
    when: datetime
    source: str  # check | dump
    operator: str | None = None
    interface: str | None = None
    place: str | None = None


def watched(session: Session) -> dict[int, tuple[int, str]]:
    """IMEI key -> (case id, IMEI) for every IMEI of an open case."""
    rows = session.execute(
        select(CaseImei.imei_key, CaseImei.case_id, CaseImei.imei)
        .join(CaseRow, CaseRow.id == CaseImei.case_id)
        .where(CaseImei.active.is_(True), CaseRow.status == rules.OPEN)
    )
    return {key: (case_id, imei) for key, case_id, imei in rows}


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _station_address(settings: Settings, station: str | None) -> tuple[str, str] | None:
    address = settings.cases.stations.get(station or "")
    if not address:
        return None
    return ("email" if "@" in address else "sms"), address


def _new_alert(
    session: Session, settings: Settings, case: CaseRow, imei: str, s: Sighting, key: str
) -> CaseAlert:
    alert = CaseAlert(
        case_id=case.id,
        dedup_key=key,
        imei=imei,
        source=s.source,
        interface=s.interface,
        operator=s.operator,
        imsi=s.imsi,
        msisdn=s.msisdn,
        place=s.place,
        seen_at=s.when,
        last_seen_at=s.when,
        raised_at=utcnow(),
        sightings=1,
    )
    session.add(alert)
    session.flush()
    seen = s.when.strftime("%Y-%m-%d %H:%M UTC")
    session.add(
        CaseEvent(
            case_id=case.id,
            actor="trace",
            action="alert",
            details={"alert": alert.id, "source": s.source, "operator": s.operator},
        )
    )
    record(session, "trace", "case.alert", case.request_id, alert=alert.id, source=s.source)
    station = _station_address(settings, case.station)
    if station is not None:
        enqueue(
            session,
            settings,
            station[0],
            station[1],
            "case_alert_station",
            {
                "request_id": case.request_id,
                "complaint": case.complaint_number or "-",
                "imei": imei,
                "seen_at": seen,
                "operator": s.operator or "-",
                "msisdn": s.msisdn or "-",
                "imsi": s.imsi or "-",
                "place": s.place,
            },
            reference=case.request_id,
            dedup_key=f"alert:{alert.id}:station",
        )
    tell_reporter(
        session, settings, case, "case_alert_owner", seen_at=seen, station=case.station or "-"
    )
    if s.msisdn:
        enqueue(
            session,
            settings,
            "sms",
            s.msisdn,
            settings.cases.new_user_template,
            {"request_id": case.request_id},
            reference=case.request_id,
            dedup_key=f"alert:{alert.id}:new-user",
        )
    return alert


def raise_alerts(session: Session, settings: Settings, sightings: Iterable[Sighting]) -> int:
    """Match sightings to open cases in the caller's transaction; returns new alerts."""
    watch = watched(session)
    new = 0
    cases: dict[int, CaseRow] = {}
    for s in sightings:
        hit = watch.get(s.imei_key)
        if hit is None:
            continue
        case_id, imei = hit
        case = cases.get(case_id) or session.get(CaseRow, case_id)
        if case is None:
            continue
        cases[case_id] = case
        if s.when.date() < (case.incident_date or _aware(case.created_at).date()):
            continue  # the owner's own use before the loss
        if s.msisdn and s.msisdn == case.msisdn:
            if s.imsi and s.imsi not in case.known_imsis:
                case.known_imsis = [*case.known_imsis, s.imsi]
            continue
        if not rules.is_new_identity(case.msisdn, case.known_imsis, s.imsi, s.msisdn):
            continue
        key = rules.alert_key(case.id, s.imsi, s.msisdn)
        alert = session.scalar(select(CaseAlert).where(CaseAlert.dedup_key == key))
        if alert is None:
            _new_alert(session, settings, case, imei, s, key)
            new += 1
        elif s.when > _aware(alert.last_seen_at):
            alert.last_seen_at = s.when
            alert.sightings += 1
            alert.place = s.place or alert.place
    return new


def _cursor(session: Session, name: str, default: Any) -> CaseCursor:
    cursor = session.get(CaseCursor, name, with_for_update=True)
    if cursor is None:
        cursor = CaseCursor(name=name, value=default)
        session.add(cursor)
    return cursor


def _check_sightings(path: Path, keys: pa.Array) -> list[Sighting]:
    table = pq.read_table(path)
    table = table.filter(pc.is_in(table["imei_key"], value_set=keys))
    out = []
    for row in table.to_pylist():
        out.append(
            Sighting(
                imei_key=row["imei_key"],
                imsi=row["imsi"],
                msisdn=row["msisdn"],
                when=_aware(row["time"]),
                source="check",
                operator=row["source"],
                interface=row["interface"],
            )
        )
    return out


def scan_check_events(engine: Engine, settings: Settings, *, today: date | None = None) -> int:
    """Read the check-event files not read yet (today and yesterday); returns new alerts."""
    today = today or utcnow().date()
    root = lake_manifest.lake_dir(settings.data_dir) / "check_events"
    new = 0
    for day in (today - timedelta(days=1), today):
        folder = root / f"date={day.isoformat()}"
        if not folder.is_dir():
            continue
        name = f"checks:{day.isoformat()}"
        with session_scope(engine) as session:
            done = set((session.get(CaseCursor, name) or CaseCursor(value=[])).value or [])
        for path in sorted(folder.glob("*.parquet")):
            if path.name in done:
                continue
            with session_scope(engine) as session:
                cursor = _cursor(session, name, [])
                if path.name in (cursor.value or []):
                    continue  # another tracer read it meanwhile
                keys = pa.array(sorted(watched(session)), pa.int64())
                sightings = _check_sightings(path, keys) if len(keys) else []
                new += raise_alerts(session, settings, sightings)
                cursor.value = [*(cursor.value or []), path.name]
                cursor.updated_at = utcnow()
    return new


def _dump_sightings(settings: Settings, keys: list[int], since: date) -> list[Sighting]:
    paths = lake_reader.observations(settings.data_dir)
    if not paths or not keys:
        return []
    import duckdb

    con = duckdb.connect()
    try:
        con.register("watch", pa.table({"imei_key": pa.array(keys, pa.int64())}))
        files = ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths)
        rows = con.execute(
            f"""SELECT o.imei_key, o.imsi, o.msisdn, o.operator, max(o.last_seen) AS seen
                FROM read_parquet([{files}], union_by_name = true) o
                JOIN watch USING (imei_key)
                WHERE o.last_seen >= ?
                GROUP BY ALL ORDER BY seen""",
            [since],
        ).fetchall()
    finally:
        con.close()
    return [
        Sighting(key, imsi, msisdn, datetime(d.year, d.month, d.day, tzinfo=UTC), "dump", op)
        for key, imsi, msisdn, op, d in rows
    ]


def scan_dumps(engine: Engine, settings: Settings) -> int:
    """After a new operator-dump import, match the lake's observations; returns new alerts."""
    lake = lake_manifest.lake_dir(settings.data_dir)
    last_job = int(lake_manifest.read(lake).get("last_job_id") or 0)
    with session_scope(engine) as session:
        cursor = _cursor(session, "dumps", 0)
        if int(cursor.value or 0) >= last_job:
            return 0
        watch = watched(session)
        since = min(
            (
                c.incident_date or c.created_at.date()
                for c in session.scalars(select(CaseRow).where(CaseRow.status == rules.OPEN))
            ),
            default=utcnow().date(),
        )
        new = raise_alerts(session, settings, _dump_sightings(settings, sorted(watch), since))
        cursor.value = last_job
        cursor.updated_at = utcnow()
        return new


def scan(engine: Engine, settings: Settings) -> int:
    """One tracing pass over both feeds; returns new alerts."""
    return scan_check_events(engine, settings) + scan_dumps(engine, settings)
