"""Everything openceir knows of one IMEI, for the staff IMEI page (issue 12 item 4).

`profile(settings, engine, imei, subscriber_data=...)` gathers, in one dict: the
identifier's findings and its TAC's model; the classification history with its evidence
and `openceir explain`'s words (classify.explain, reused); the registers it is on and the
output list it is on, each with the date since; its activity on the networks (per operator
and month, from the lake); recent EIR check events; registrations; pairings; cases (once
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
        return {k: _redact(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v, secrets) for v in value]
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


def _lake(settings: Settings, key: int | None, raw: str | None) -> tuple[list, list]:
    """(activity per operator and month, recent EIR check events) from the lake's files."""
    import duckdb

    from openceir.lake.manifest import lake_dir
    from openceir.lake.reader import observations

    paths = [str(p) for p in observations(settings.data_dir)]
    con = duckdb.connect()
    try:
        activity: list[dict[str, Any]] = []
        cond = "imei_key = $id" if key is not None else "imei_raw = $id"
        ident = key if key is not None else raw
        if paths:
            cur = con.execute(
                "SELECT operator, month, min(first_seen) AS first_seen, "
                "max(last_seen) AS last_seen, list(DISTINCT imsi ORDER BY imsi) AS imsis, "
                "list(DISTINCT msisdn ORDER BY msisdn) AS msisdns, "
                "bit_or(rat_mask) AS rat_mask "
                f"FROM read_parquet($paths, union_by_name=true) WHERE {cond} "
                "GROUP BY ALL ORDER BY month, operator",
                {"paths": paths, "id": ident},
            )
            names = [d[0] for d in cur.description]
            activity = [{k: _iso(v) for k, v in zip(names, r, strict=True)} for r in cur.fetchall()]
        events: list[dict[str, Any]] = []
        root = lake_dir(settings.data_dir) / "check_events"
        if key is not None and root.exists() and any(root.glob("date=*/*.parquet")):
            cur = con.execute(
                "SELECT time, source, interface, pei, imsi, msisdn, status "
                "FROM read_parquet($glob, union_by_name=true) WHERE imei_key = $id "
                f"ORDER BY time DESC LIMIT {EVENTS}",
                {"glob": str(root / "date=*" / "*.parquet"), "id": key},
            )
            names = [d[0] for d in cur.description]
            events = [{k: _iso(v) for k, v in zip(names, r, strict=True)} for r in cur.fetchall()]
    finally:
        con.close()
    return activity, events


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
    activity, events = _lake(settings, key, raw)
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
    for row in out["activity"]:
        row["imsis"] = [mask(v) for v in row["imsis"] if v]
        row["msisdns"] = [mask(v) for v in row["msisdns"] if v]
    return _redact(out, secrets)


__all__ = ["EVENTS", "mask", "profile"]
