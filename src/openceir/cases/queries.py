"""Reading cases: lists for police (station or region) and staff, one case, alerts, IMEI status.

Reads of subscriber data (a case's MSISDNs, the alerts' IMSIs and MSISDNs) are audited under
the reader's name. The public answers (`follow`, `why_blocked`) carry no personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from openceir.cases import rules
from openceir.cases.lifecycle import case_imeis, load_case
from openceir.errors import InputError, InvalidIdentifier
from openceir.identifiers import imei as imei_id
from openceir.store.audit import record
from openceir.store.cases import CaseAlert, CaseEvent, CaseImei, CaseRow
from openceir.store.registers import StolenRow
from openceir.store.session import session_scope


@dataclass(frozen=True)
class Scope:
    """What a reader may see: every case (staff), a station's, or a region's (nodal officer)."""

    station: str | None = None
    region: str | None = None

    def allows(self, case: CaseRow) -> bool:
        """Whether this scope covers the case."""
        if self.station is not None:
            return case.station == self.station
        if self.region is not None:
            return case.region == self.region
        return True


ALL = Scope()


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def summary(case: CaseRow, imeis: list[str]) -> dict[str, Any]:
    """A case as a list row (no personal data)."""
    return {
        "request_id": case.request_id,
        "status": case.status,
        "kind": case.kind,
        "mode": case.mode,
        "blocked": case.blocked,
        "imeis": imeis,
        "station": case.station,
        "complaint_number": case.complaint_number,
        "created_at": _iso(case.created_at),
        "updated_at": _iso(case.updated_at),
    }


def _imei_query(text: str) -> int | None:
    try:
        return int(imei_id.validate(text)[:14])
    except InvalidIdentifier:
        return None


def list_cases(
    engine: Engine,
    scope: Scope = ALL,
    *,
    status: str | None = None,
    search: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Cases in scope, newest first; `search` is an IMEI or a request ID."""
    query = select(CaseRow).order_by(CaseRow.id.desc()).limit(limit)
    if scope.station is not None:
        query = query.where(CaseRow.station == scope.station)
    elif scope.region is not None:
        query = query.where(CaseRow.region == scope.region)
    if status:
        query = query.where(CaseRow.status == status)
    if search:
        key = _imei_query(search)
        if key is not None:
            ids = select(CaseImei.case_id).where(CaseImei.imei_key == key)
            query = query.where(CaseRow.id.in_(ids))
        else:
            query = query.where(CaseRow.request_id == rules.normal_request_id(search))
    with session_scope(engine) as session:
        cases = session.scalars(query).all()
        imeis: dict[int, list[str]] = {}
        if cases:
            for row in session.scalars(
                select(CaseImei).where(CaseImei.case_id.in_([c.id for c in cases]))
            ):
                imeis.setdefault(row.case_id, []).append(row.imei)
        return [summary(c, sorted(set(imeis.get(c.id, [])))) for c in cases]


def _alert(a: CaseAlert, request_id: str) -> dict[str, Any]:
    return {
        "id": a.id,
        "request_id": request_id,
        "imei": a.imei,
        "source": a.source,
        "interface": a.interface,
        "operator": a.operator,
        "imsi": a.imsi,
        "msisdn": a.msisdn,
        "place": a.place,
        "seen_at": _iso(a.seen_at),
        "last_seen_at": _iso(a.last_seen_at),
        "raised_at": _iso(a.raised_at),
        "sightings": a.sightings,
    }


def show_case(engine: Engine, request_id: str, actor: str, scope: Scope = ALL) -> dict[str, Any]:
    """Everything about one case, with its history and alerts; the read is audited."""
    with session_scope(engine) as session:
        case = load_case(session, request_id)
        if not scope.allows(case):
            raise InputError(f"case {case.request_id} belongs to another station")
        imeis = [r.imei for r in case_imeis(session, case, active_only=False)]
        out = summary(case, sorted(set(imeis)))
        out |= {
            "msisdn": case.msisdn,
            "contact_msisdn": case.contact_msisdn,
            "contact_email": case.contact_email,
            "reporter_name": case.reporter_name,
            "brand": case.brand,
            "model": case.model,
            "warnings": case.warnings,
            "incident_date": _iso(case.incident_date),
            "place": case.place,
            "region": case.region,
            "filed_by": case.filed_by,
            "channel": case.channel,
            "closed_at": _iso(case.closed_at),
            "reason": case.reason,
        }
        out["history"] = [
            {"at": _iso(e.at), "actor": e.actor, "action": e.action, "details": e.details}
            for e in session.scalars(
                select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
            )
        ]
        out["alerts"] = [
            _alert(a, case.request_id)
            for a in session.scalars(
                select(CaseAlert)
                .where(CaseAlert.case_id == case.id)
                .order_by(CaseAlert.raised_at.desc(), CaseAlert.id.desc())
            )
        ]
        record(session, actor, "case.read", case.request_id)
        return out


def list_alerts(
    engine: Engine, actor: str, scope: Scope = ALL, *, limit: int = 100
) -> list[dict[str, Any]]:
    """Trace alerts in scope, newest first; the read is audited."""
    query = (
        select(CaseAlert, CaseRow.request_id)
        .join(CaseRow, CaseRow.id == CaseAlert.case_id)
        .order_by(CaseAlert.raised_at.desc(), CaseAlert.id.desc())
        .limit(limit)
    )
    if scope.station is not None:
        query = query.where(CaseRow.station == scope.station)
    elif scope.region is not None:
        query = query.where(CaseRow.region == scope.region)
    with session_scope(engine) as session:
        rows = [_alert(a, rid) for a, rid in session.execute(query)]
        record(session, actor, "case.alerts.read", None, count=len(rows), station=scope.station)
        return rows


def follow(engine: Engine, request_id: str) -> dict[str, Any]:
    """The public view of a request: status and dates, no personal data."""
    with session_scope(engine) as session:
        case = load_case(session, request_id)
        return {
            "request_id": case.request_id,
            "status": case.status,
            "blocked": case.blocked,
            "mode": case.mode,
            "created_at": _iso(case.created_at),
            "updated_at": _iso(case.updated_at),
            "imeis": [f"{r.imei[:8]}******{r.imei[-1]}" for r in case_imeis(session, case)],
        }


def why_blocked(engine: Engine, imei: str) -> dict[str, Any]:
    """Whether an IMEI is on the stolen register, and whose report put it there (public)."""
    try:
        canonical = imei_id.validate(imei)
    except InvalidIdentifier as exc:
        raise InputError(str(exc), field="imei") from None
    key = int(canonical[:14])
    with session_scope(engine) as session:
        row = session.scalars(
            select(StolenRow)
            .where(StolenRow.imei_key == key, StolenRow.end_date.is_(None))
            .order_by(StolenRow.id.desc())
        ).first()
        if row is None:
            return {"imei": canonical, "stolen": False}
        if row.status == "foreign":
            origin, reference = (row.case_id or ":").split(":", 1)[0], row.case_id
        else:
            case = session.scalar(select(CaseRow).where(CaseRow.request_id == row.case_id))
            origin, reference = ("report" if case is not None else "register import"), None
        return {
            "imei": canonical,
            "stolen": True,
            "status": row.status,
            "since": _iso(row.start_date),
            "origin": origin,
            "reference": reference,
        }


def open_case_for_imei(engine: Engine, imei: str) -> str | None:
    """The request ID of the live case holding an IMEI, if any."""
    key = int(imei_id.validate(imei)[:14])
    with session_scope(engine) as session:
        return session.scalar(
            select(CaseRow.request_id)
            .join(CaseImei, CaseImei.case_id == CaseRow.id)
            .where(CaseImei.imei_key == key, CaseImei.active.is_(True))
        )


__all__ = [
    "ALL",
    "Scope",
    "follow",
    "list_alerts",
    "list_cases",
    "open_case_for_imei",
    "show_case",
    "why_blocked",
]
