"""Everything openceir knows of one IMEI, for the staff IMEI page (issue 12 item 4).

`profile(settings, engine, imei, subscriber_data=...)` gathers, in one dict: the
identifier's findings and its TAC's model; the classification history with its evidence
and `openceir explain`'s words (classify.explain, reused); the registers it is on and the
output list it is on, each with the date since; its activity on the networks (per operator
and month: SIM counts from the latest run's facts, and the SIMs themselves from the lake for a
caller allowed to see them); recent EIR check events; registrations; pairings; cases (once
the cases table exists); its ledger events and the inclusion proof of the latest one.

Subscriber identifiers (IMSI, MSISDN) appear only when `subscriber_data` is true, which the
caller decides from the role; otherwise they are masked everywhere, explanations included.
A read with subscriber data names its `actor` in the audit log.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, inspect, or_, select

from openceir.classify.explain import explain, imei_identity
from openceir.errors import NotFound, OpenceirError
from openceir.identifiers import imei as imei_id
from openceir.settings import Settings
from openceir.store import registers
from openceir.store.classification import ClassificationState
from openceir.store.models import AuditEntry

EVENTS = 20
"""Recent EIR check events shown."""

_REGISTERS = {
    "stolen": registers.StolenRow,
    "registration": registers.RegistrationRow,
    "pairing": registers.PairingRow,
    "exempt": registers.ExemptRow,
    "barred_imei": registers.BarredImeiRow,
    "monitoring": registers.MonitoringRow,
}
_SUBSCRIBER_KEYS = frozenset(
    {
        "imsi",
        "msisdn",
        "imsis",
        "msisdns",
        "clone_imsis",
        "genuine_imsis",
        "other_imsi",
        "first_msisdn",
    }
)
_DIGITS = re.compile(r"\d{8,15}")


def mask(value: str) -> str:
    """An IMSI or MSISDN with all but its first 5 digits hidden (the network stays visible).

    >>> mask("639010790693416")
    '63901··········'
    """
    return value[:5] + "·" * max(0, len(value) - 5)


def _collect(value: Any, found: set[str], key: str = "") -> None:
    """Every subscriber identifier in nested evidence (by key name), into `found`."""
    if isinstance(value, dict):
        for k, v in value.items():
            _collect(v, found, k)
    elif isinstance(value, list):
        for v in value:
            _collect(v, found, key)
    elif isinstance(value, str) and key in _SUBSCRIBER_KEYS and value.isdigit():
        found.add(value)


def _redact(value: Any, secrets: set[str]) -> Any:
    """`value` with every identifier in `secrets` masked, in strings, lists and dicts."""
    if isinstance(value, dict):
        return {_redact(k, secrets): _redact(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_redact(v, secrets) for v in value]
    if value is not None and not isinstance(value, str | int | float | date):
        value = str(value)  # an object's text may carry identifiers: redact it as text
    if isinstance(value, str):
        return _DIGITS.sub(
            lambda m: mask(m.group(0)) if m.group(0) in secrets else m.group(0), value
        )
    return value


def _where(table: Any, key: int | None, raw: str | None) -> Any:
    return table.c.imei_key == key if key is not None else table.c.imei_raw == raw


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def _row(r: Any, drop: tuple[str, ...] = ("id", "imei_key", "imei_raw")) -> dict[str, Any]:
    return {k: _iso(v) for k, v in r._mapping.items() if k not in drop}


def _tac(conn: Connection, tac: str | None, today: date) -> dict[str, Any] | None:
    if tac is None:
        return None
    t = registers.TacCatalog.__table__
    r = conn.execute(
        select(t).where(
            t.c.tac == tac,
            t.c.start_date <= today,
            or_(t.c.end_date.is_(None), t.c.end_date > today),
        )
    ).first()
    return None if r is None else _row(r, ("id", "job_id", "end_job_id"))


def _registers(conn: Connection, key: int | None, raw: str | None) -> dict[str, list[dict]]:
    out = {}
    for name, model in _REGISTERS.items():
        t = model.__table__
        rows = conn.execute(select(t).where(_where(t, key, raw)).order_by(t.c.start_date)).all()
        out[name] = [_row(r, ("id", "imei_key", "imei_raw", "job_id", "end_job_id")) for r in rows]
    if key is not None:
        t = registers.BarredTacRow.__table__
        tac = f"{key // 10**6:08d}"
        rows = conn.execute(select(t).where(t.c.tac == tac).order_by(t.c.start_date)).all()
        out["barred_tac"] = [_row(r, ("id", "job_id", "end_job_id")) for r in rows]
    return out


def _lists_on(history: list[dict[str, Any]], regs: dict[str, list[dict]], today: date) -> list:
    """The lists the IMEI is on today, with the date since (the lists' own rule: a blocking
    condition whose block date has come puts it on the blacklist, one still in grace on the
    operators' notification lists; registers count as lists from their start date)."""
    out = []
    for h in history:
        if h["end_date"] is not None or not h["blocking"]:
            continue
        block = date.fromisoformat(h["block_date"]) if h["block_date"] else None
        if block is not None and block <= today:
            out.append({"list": "blacklist", "since": h["block_date"], "why": h["condition"]})
        else:
            out.append(
                {
                    "list": "notifications",
                    "since": h["start_date"],
                    "why": h["condition"],
                    "block_date": h["block_date"],
                }
            )
    for name, rows in regs.items():
        for r in rows:
            if r.get("end_date") is None:
                out.append({"list": name, "since": r["start_date"], "why": "register"})
    return out


def _activity(settings: Settings, engine: Engine, imei: str) -> tuple[int | None, list]:
    """(run, activity per operator and month) from the latest run's facts: SIMs seen, first
    and last day, status. The facts are sorted by IMEI, so this reads a row group or two."""
    from openceir.reports.aggregates import facts_path
    from openceir.store.reports import ReportRun

    with engine.connect() as conn:
        run_id = conn.execute(
            select(ReportRun.run_id).order_by(ReportRun.as_of.desc(), ReportRun.run_id.desc())
        ).scalar()
    if run_id is None or not facts_path(settings.data_dir, run_id).exists():
        return None, []
    import duckdb

    con = duckdb.connect()
    try:
        cur = con.execute(
            "SELECT scope AS operator, month, sims, first_seen, last_seen, status "
            "FROM read_parquet($path) WHERE imei = $imei AND month <> 'window' AND scope <> '' "
            "ORDER BY month, scope",
            {"path": str(facts_path(settings.data_dir, run_id)), "imei": imei},
        )
        names = [d[0] for d in cur.description]
        rows = [{k: _iso(v) for k, v in zip(names, r, strict=True)} for r in cur.fetchall()]
    finally:
        con.close()
    return run_id, rows


def _subscribers(settings: Settings, key: int | None, raw: str | None) -> list[dict[str, Any]]:
    """The IMSIs and MSISDNs seen with the IMEI, per operator and month, from the lake.

    Read only for a caller allowed to see them: it scans the lake's observations.
    """
    from openceir.lake.reader import open_duckdb

    con = open_duckdb(settings.data_dir)
    try:
        cond = "imei_key = $id" if key is not None else "imei_raw = $id"
        cur = con.execute(
            "SELECT operator, month, list(DISTINCT imsi ORDER BY imsi) AS imsis, "
            "list(DISTINCT msisdn ORDER BY msisdn) AS msisdns FROM observations "
            f"WHERE {cond} GROUP BY ALL ORDER BY month, operator",
            {"id": key if key is not None else raw},
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def _events(settings: Settings, key: int | None) -> list[dict[str, Any]]:
    """The latest EIR check events of the IMEI (the last 31 days of event files)."""
    from openceir.lake.manifest import lake_dir

    root = lake_dir(settings.data_dir) / "check_events"
    days = sorted(root.glob("date=*"))[-31:] if key is not None and root.exists() else []
    files = [str(f) for d in days for f in d.glob("*.parquet")]
    if not files:
        return []
    import duckdb

    con = duckdb.connect()
    try:
        cur = con.execute(
            "SELECT time, source, interface, pei, imsi, msisdn, status "
            "FROM read_parquet($files, union_by_name=true) WHERE imei_key = $id "
            f"ORDER BY time DESC LIMIT {EVENTS}",
            {"files": files, "id": key},
        )
        names = [d[0] for d in cur.description]
        return [{k: _iso(v) for k, v in zip(names, r, strict=True)} for r in cur.fetchall()]
    finally:
        con.close()


def _cases(conn: Connection, key: int | None) -> list[dict[str, Any]] | None:
    """Cases naming the IMEI, once the cases lane's `cases` table exists (None before)."""
    insp = inspect(conn)
    if not insp.has_table("cases"):
        return None
    from sqlalchemy import MetaData, Table

    table = Table("cases", MetaData(), autoload_with=conn)
    if "imei_key" not in table.c or key is None:
        return []
    return [
        _row(r, ("imei_key",)) for r in conn.execute(select(table).where(table.c.imei_key == key))
    ]


def _ledger(settings: Settings, imei15: str | None) -> dict[str, Any] | None:
    """The IMEI's ledger events and the inclusion proof of the latest, or None."""
    path = settings.paths.ledger
    if imei15 is None or not (path / "checkpoint").exists():
        return None
    from openceir.ledger.events import ImeiLedger

    try:
        ledger = ImeiLedger.open(path)
        found = ledger.events_for(imei15)
    except (OpenceirError, OSError, ValueError) as exc:
        return {"error": str(exc), "events": []}
    if not found:
        return {"events": [], "proof": None}
    return {
        "events": [{"index": i, **e} for i, e in found],
        "proof": ledger.inclusion_bundle(found[-1][0]),
    }


def profile(
    settings: Settings,
    engine: Engine,
    imei: str,
    *,
    subscriber_data: bool = False,
    actor: str | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """Everything openceir knows of `imei` (14-16 digits, or the raw text reported).

    InvalidIdentifier for empty or over-long input; an IMEI never seen anywhere still gets
    its findings (the page says openceir knows nothing else of it).
    """
    today = today or datetime.now(UTC).date()
    key, raw = imei_identity(imei)
    shown = f"{key:014d}" if key is not None else raw
    imei15 = imei_id.validate(shown) if key is not None else None
    with engine.connect() as conn:
        t = ClassificationState.__table__
        history = [
            _row(r, ("id", "imei_key", "imei_raw"))
            for r in conn.execute(
                select(t).where(_where(t, key, raw)).order_by(t.c.start_date, t.c.condition)
            )
        ]
        try:
            words = explain(conn, imei, today=today)
        except NotFound:
            words = []
        tac = _tac(conn, f"{key // 10**6:08d}" if key is not None else None, today)
        regs = _registers(conn, key, raw)
        cases = _cases(conn, key)
    facts_run, activity = _activity(settings, engine, shown if key is not None else f"raw:{raw}")
    events = _events(settings, key)
    out: dict[str, Any] = {
        "imei": imei15 or shown,
        "imei_key": key,
        "imei_raw": raw,
        "subscriber_data": subscriber_data,
        "findings": [f.as_dict() for f in imei_id.findings(imei.strip())],
        "tac": f"{key // 10**6:08d}" if key is not None else None,
        "model": tac,
        "classification": history,
        "explanation": words,
        "lists": _lists_on(history, regs, today),
        "registers": regs,
        "registrations": regs["registration"],
        "pairings": regs["pairing"],
        "activity": activity,
        "activity_run": facts_run,
        "subscribers": _subscribers(settings, key, raw) if subscriber_data else None,
        "eir_events": events,
        "cases": cases,
        "ledger": _ledger(settings, imei15),
        "known": bool(history or activity or events or any(regs.values())),
    }
    if subscriber_data:
        if actor:
            with engine.begin() as conn:
                conn.execute(
                    insert(AuditEntry).values(
                        actor=actor,
                        action="read_subscriber_data",
                        target=f"imei:{out['imei']}",
                        details={"page": "imei"},
                    )
                )
        return out
    secrets: set[str] = set()
    _collect(out, secrets)
    return _redact(out, secrets)


__all__ = ["EVENTS", "mask", "profile"]
