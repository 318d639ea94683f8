"""Filing a lost/stolen report: one transaction for the case, its block and its messages.

`file_report` checks the fields (`rules.check_report`), the TAC catalog (warnings only) and,
for a citizen, the one-time code proving the MSISDN or contact; then, in one transaction: the
case, its IMEIs, its history, the stolen-register rows (block mode), the change to publish
to the EIRs and the ledger, the audit entry and the reporter's message. A crash anywhere
leaves all of it or none. An IMEI already in an open case links the report to that case
(and adds its other IMEI) instead of opening a second one; the unique index on active IMEIs
settles two reports racing for the same IMEI.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError as DbIntegrityError
from sqlalchemy.orm import Session

from openceir.cases import register, rules
from openceir.cases.rules import LIVE, OPEN, Report
from openceir.errors import InputError
from openceir.notify import enqueue, otp
from openceir.settings import Settings
from openceir.store.audit import record
from openceir.store.cases import CaseChange, CaseEvent, CaseImei, CaseRow
from openceir.store.models import utcnow
from openceir.store.registers import TacCatalog
from openceir.store.session import session_scope

PURPOSE = "case-report"
CHANNELS = ("citizen", "police", "staff")


@dataclass
class Filed:
    """What filing a report did: its request ID, whether it joined an existing case."""

    request_id: str
    linked: bool
    blocked: bool
    imeis: list[str]
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The JSON the API answers."""
        return {
            "request_id": self.request_id,
            "linked": self.linked,
            "blocked": self.blocked,
            "imeis": self.imeis,
            "warnings": self.warnings,
        }


def catalog_for(session: Session, tacs: list[str]) -> dict[str, dict[str, str | None]]:
    """The current TAC catalog entries of these TACs."""
    rows = session.scalars(
        select(TacCatalog).where(TacCatalog.tac.in_(tacs), TacCatalog.end_date.is_(None))
    )
    return {
        r.tac: {"brand": r.brand, "manufacturer": r.manufacturer, "model": r.model} for r in rows
    }


def contact_of(case: CaseRow) -> tuple[str, str] | None:
    """Where the reporter is told of changes: (kind, address), or None."""
    if case.contact_msisdn:
        return "sms", case.contact_msisdn
    if case.contact_email:
        return "email", case.contact_email
    if case.msisdn:
        return "sms", case.msisdn
    return None


def tell_reporter(
    session: Session, settings: Settings, case: CaseRow, template: str, **context: Any
) -> None:
    """Queue a message to the case's reporter (in the caller's transaction)."""
    contact = contact_of(case)
    if contact is None:
        return
    context.setdefault("request_id", case.request_id)
    enqueue(
        session,
        settings,
        contact[0],
        contact[1],
        template,
        context,
        language=case.language,
        reference=case.request_id,
    )


def add_change(session: Session, case: CaseRow, change: str, imeis: list[str], ledger: str | None):
    """Queue an EIR (block/unblock/none) and ledger change of a case for publication."""
    session.add(CaseChange(case_id=case.id, change=change, ledger_event=ledger, imeis=list(imeis)))


def _live_case_of(session: Session, keys: list[int]) -> CaseRow | None:
    found = session.scalar(
        select(CaseRow)
        .join(CaseImei, CaseImei.case_id == CaseRow.id)
        .where(CaseImei.imei_key.in_(keys), CaseImei.active.is_(True))
        .order_by(CaseRow.id)
        .limit(1)
    )
    return found if found is not None and found.status in LIVE else None


def _link(
    session: Session, settings: Settings, case: CaseRow, report: Report, actor: str, today: date
) -> Filed:
    have = {
        row.imei_key
        for row in session.scalars(select(CaseImei).where(CaseImei.case_id == case.id))
        if row.active
    }
    added = [i for i in report.imeis if int(i[:14]) not in have]
    for imei in added:
        session.add(CaseImei(case_id=case.id, imei=imei, imei_key=int(imei[:14]), active=True))
    if added and case.blocked:
        day = case.incident_date or today
        register.block(
            session, [int(i[:14]) for i in added], case.request_id, case.kind, day, today
        )
        add_change(session, case, "block", added, "reported_stolen")
    session.add(
        CaseEvent(
            case_id=case.id,
            actor=actor,
            action="linked",
            details={
                "imeis": report.imeis,
                "added": added,
                "complaint_number": report.complaint_number,
                "station": report.station,
            },
        )
    )
    case.updated_at = utcnow()
    record(session, actor, "case.linked", case.request_id, imeis=report.imeis, added=added)
    imeis = sorted(
        {
            r.imei
            for r in session.scalars(
                select(CaseImei).where(CaseImei.case_id == case.id, CaseImei.active.is_(True))
            )
        }
    )
    return Filed(case.request_id, True, case.blocked, imeis, report.warnings)


def _open(
    session: Session,
    settings: Settings,
    report: Report,
    actor: str,
    channel: str,
    today: date,
) -> Filed:
    blocked = report.mode == "block"
    regions = settings.cases.station_regions
    case = CaseRow(
        request_id=rules.new_request_id(),
        kind=report.kind,
        mode=report.mode,
        status=OPEN,
        blocked=blocked,
        msisdn=report.msisdn,
        known_imsis=[report.imsi] if report.imsi else [],
        contact_msisdn=report.contact_msisdn,
        contact_email=report.contact_email,
        reporter_name=report.reporter_name,
        language=report.language,
        brand=report.brand,
        model=report.model,
        warnings=report.warnings,
        incident_date=report.incident_date,
        place=report.place,
        complaint_number=report.complaint_number,
        station=report.station,
        region=regions.get(report.station or ""),
        filed_by=actor,
        channel=channel,
    )
    session.add(case)
    session.flush()
    for imei in report.imeis:
        session.add(CaseImei(case_id=case.id, imei=imei, imei_key=int(imei[:14]), active=True))
    session.flush()  # the unique index on active IMEIs decides a race here
    details: dict[str, Any] = {"imeis": report.imeis, "mode": report.mode, "kind": report.kind}
    if blocked:
        replaced = register.block(
            session,
            report.keys,
            case.request_id,
            report.kind,
            report.incident_date or today,
            today,
        )
        if replaced:
            details["replaced"] = replaced
        add_change(session, case, "block", report.imeis, "reported_stolen")
    session.add(CaseEvent(case_id=case.id, actor=actor, action="filed", details=details))
    record(session, actor, "case.filed", case.request_id, **details)
    tell_reporter(
        session, settings, case, "case_reported", blocked=blocked, imeis=", ".join(report.imeis)
    )
    return Filed(case.request_id, False, blocked, list(report.imeis), report.warnings)


def file_report(
    engine: Engine,
    settings: Settings,
    raw: Mapping[str, Any] | Report,
    *,
    actor: str,
    channel: str = "citizen",
    code_token: str | None = None,
    code: str | None = None,
    today: date | None = None,
) -> Filed:
    """File one report (see the module docstring); citizens must give a verified code.

    The code must have been sent to the report's MSISDN, contact number or contact e-mail.
    """
    if channel not in CHANNELS:
        raise InputError(f"channel {channel!r}: use one of {', '.join(CHANNELS)}")
    today = today or utcnow().date()
    report = (
        raw
        if isinstance(raw, Report)
        else rules.check_report(raw, settings.region.country_code, today)
    )
    if channel == "citizen":
        if not code_token or not code:
            raise InputError("a one-time code sent to your number is needed", field="code")
        address = otp.verify(engine, settings, code_token, code, purpose=PURPOSE)
        if address not in (report.msisdn, report.contact_msisdn, report.contact_email):
            raise InputError(
                "the code was sent to another number than the report gives", field="code"
            )
    for attempt in (1, 2):
        try:
            with session_scope(engine) as session:
                if channel == "citizen":
                    otp.consume(session, code_token or "", purpose=PURPOSE)
                report.warnings = rules.model_warnings(
                    report, catalog_for(session, [i[:8] for i in report.imeis])
                )
                existing = _live_case_of(session, report.keys)
                if existing is not None:
                    return _link(session, settings, existing, report, actor, today)
                return _open(session, settings, report, actor, channel, today)
        except DbIntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def request_code(
    engine: Engine, settings: Settings, kind: str, address: str, *, language: str | None = None
) -> otp.Challenge:
    """Send a one-time code for filing a report to an MSISDN (kind sms) or e-mail address."""
    if kind == "sms":
        from openceir.identifiers import msisdn as msisdn_id

        try:
            address = msisdn_id.validate(address, settings.region.country_code)
        except InputError as exc:
            raise InputError(exc.reason, field="msisdn") from None
    elif kind != "email" or "@" not in address:
        raise InputError("give an MSISDN or an e-mail address", field="address")
    with session_scope(engine) as session:
        return otp.issue(session, settings, PURPOSE, kind, address, language=language)
