"""Case state changes after filing: recover, unblock, close, reverse (see `rules.TRANSITIONS`).

Each change is one transaction: the new status, the case's history, the stolen-register rows
closed (unblock), the change queued for the EIRs and the ledger, the audit entry and the
reporter's message. The owner unblocks with the request ID and a one-time code sent to the
case's MSISDN or contact; police and staff act under their own name (the caller checks the
role); a reversal (a false report) needs a reason.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from openceir.cases import register, rules
from openceir.cases.report import add_change, contact_of, tell_reporter
from openceir.cases.rules import CLOSED, REVERSED
from openceir.errors import InputError, NotFound
from openceir.notify import otp
from openceir.settings import Settings
from openceir.store.audit import record
from openceir.store.cases import CaseEvent, CaseImei, CaseRow
from openceir.store.models import utcnow
from openceir.store.session import session_scope

UNBLOCK_PURPOSE = "case-unblock"


def load_case(session: Session, request_id: str, *, lock: bool = False) -> CaseRow:
    """The case with this request ID, or NotFound."""
    rid = rules.normal_request_id(request_id)
    query = select(CaseRow).where(CaseRow.request_id == rid)
    case = session.scalar(query.with_for_update() if lock else query)
    if case is None:
        raise NotFound(f"no case {rid}")
    return case


def case_imeis(session: Session, case: CaseRow, *, active_only: bool = True) -> list[CaseImei]:
    """The IMEI rows of a case."""
    query = select(CaseImei).where(CaseImei.case_id == case.id).order_by(CaseImei.id)
    rows = session.scalars(query).all()
    return [r for r in rows if r.active or not active_only]


def _apply(
    session: Session,
    settings: Settings,
    case: CaseRow,
    action: str,
    actor: str,
    *,
    reason: str | None = None,
    unblock: bool = False,
    today: date | None = None,
) -> CaseRow:
    today = today or utcnow().date()
    before = case.status
    case.status = rules.next_status(action, case.status, case.request_id)
    imeis = case_imeis(session, case)
    ending = case.status in (CLOSED, REVERSED)
    lifting = case.blocked and (unblock or ending)
    if lifting:
        register.unblock(session, [r.imei_key for r in imeis], case.request_id, today)
        case.blocked = False
    ledger = (
        "recovered"
        if case.mode == "block" and (action == "recover" or (ending and before != rules.RECOVERED))
        else None
    )
    if lifting or ledger:
        add_change(session, case, "unblock" if lifting else "none", [r.imei for r in imeis], ledger)
    if ending:
        for row in imeis:
            row.active = False
        case.closed_at = utcnow()
    if reason:
        case.reason = reason
    case.updated_at = utcnow()
    details = {"from": before, "to": case.status, "unblocked": lifting, "reason": reason}
    session.add(CaseEvent(case_id=case.id, actor=actor, action=action, details=details))
    record(session, actor, f"case.{action}", case.request_id, **details)
    tell_reporter(session, settings, case, "case_status", status=case.status, unblocked=lifting)
    return case


def recover(
    engine: Engine, settings: Settings, request_id: str, actor: str, *, unblock: bool = False
) -> CaseRow:
    """Police: the phone is found; tracing stops; `unblock` lifts the block at once."""
    with session_scope(engine) as session:
        case = load_case(session, request_id, lock=True)
        return _apply(session, settings, case, "recover", actor, unblock=unblock)


def close(engine: Engine, settings: Settings, request_id: str, actor: str, reason: str) -> CaseRow:
    """Police or staff: end a case (its block is lifted)."""
    with session_scope(engine) as session:
        case = load_case(session, request_id, lock=True)
        return _apply(session, settings, case, "close", actor, reason=reason or None)


def reverse(
    engine: Engine, settings: Settings, request_id: str, actor: str, reason: str
) -> CaseRow:
    """Staff: undo a false report (for example by someone who does not own the phone)."""
    if not (reason or "").strip():
        raise InputError("a reversal needs a reason", field="reason")
    with session_scope(engine) as session:
        case = load_case(session, request_id, lock=True)
        return _apply(session, settings, case, "reverse", actor, reason=reason.strip())


def unblock(
    engine: Engine,
    settings: Settings,
    request_id: str,
    actor: str,
    *,
    code_token: str | None = None,
    code: str | None = None,
) -> CaseRow:
    """Unblock and close: the owner with a code (`code_token`, `code`), or police by name."""
    address = None
    if code_token is not None:
        address = otp.verify(engine, settings, code_token, code or "", purpose=UNBLOCK_PURPOSE)
    with session_scope(engine) as session:
        case = load_case(session, request_id, lock=True)
        if code_token is not None:
            if address not in (case.msisdn, case.contact_msisdn, case.contact_email):
                raise InputError("the code was not sent to this case's number", field="code")
            otp.consume(session, code_token, purpose=UNBLOCK_PURPOSE)
            actor = f"owner:{case.request_id}"
        return _apply(session, settings, case, "unblock", actor, reason="unblocked on request")


def request_unblock_code(engine: Engine, settings: Settings, request_id: str) -> otp.Challenge:
    """Send the owner a code to unblock, to the case's contact (never to an address given)."""
    with session_scope(engine) as session:
        case = load_case(session, request_id)
        if case.status not in rules.LIVE:
            raise InputError(f"case {case.request_id} is {case.status}", field="request_id")
        contact = contact_of(case)
        if contact is None:
            raise InputError("this case has no number to send a code to", field="request_id")
        return otp.issue(
            session, settings, UNBLOCK_PURPOSE, contact[0], contact[1], language=case.language
        )
