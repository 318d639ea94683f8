"""Type approval by TAC: the approving body, certificate, date and status, with history.

A TAC's approval is `approved`, `suspended` or `withdrawn`; every change is kept in the
history with who made it and why, and written to the audit log in the same transaction.
A TAC without a current `approved` record is "not type-approved" (a registration finding
and a Know Your Mobile answer).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from openceir.errors import InputError, NotFound
from openceir.identifiers import tac as tac_id
from openceir.store import audit
from openceir.store.models import utcnow
from openceir.store.registry import TypeApproval, TypeApprovalChange

STATUSES = ("approved", "suspended", "withdrawn")


def _tac(value: str) -> str:
    try:
        return tac_id.validate(value)
    except InputError as exc:
        raise InputError(exc.reason, field="tac") from None


def _status(value: str) -> str:
    if value not in STATUSES:
        raise InputError(f"{value!r} is not one of {', '.join(STATUSES)}", field="status")
    return value


def record_approval(
    session: Session,
    tac: str,
    *,
    body: str,
    certificate: str,
    approved_on: date,
    actor: str,
    brand: str | None = None,
    model: str | None = None,
    sim_slots: int = 1,
    status: str = "approved",
    note: str | None = None,
) -> TypeApproval:
    """Add or replace the type approval of a TAC (a history row and an audit entry)."""
    tac = _tac(tac)
    status = _status(status)
    if not body.strip() or not certificate.strip():
        raise InputError("the approving body and certificate number are required", field="body")
    if not 1 <= sim_slots <= 8:
        raise InputError(f"{sim_slots} SIM slots; expected 1 to 8", field="sim_slots")
    row = session.get(TypeApproval, tac)
    old = row.status if row else None
    if row is None:
        row = TypeApproval(tac=tac)
        session.add(row)
    row.body, row.certificate, row.approved_on = body.strip(), certificate.strip(), approved_on
    row.brand, row.model, row.sim_slots, row.status = brand, model, sim_slots, status
    row.updated_at = utcnow()
    session.add(
        TypeApprovalChange(
            tac=tac,
            actor=actor,
            old_status=old,
            new_status=status,
            note=note or f"certificate {certificate.strip()}",
        )
    )
    audit.record(session, actor, "registry.type_approval", tac, status=status, old=old)
    return row


def set_status(session: Session, tac: str, status: str, *, actor: str, note: str) -> TypeApproval:
    """Suspend, withdraw or reinstate a TAC's approval; `note` says why (kept in history)."""
    tac, status = _tac(tac), _status(status)
    row = session.get(TypeApproval, tac)
    if row is None:
        raise NotFound(f"TAC {tac} has no type approval record")
    if not note.strip():
        raise InputError("say why the status changes", field="note")
    old, row.status, row.updated_at = row.status, status, utcnow()
    session.add(
        TypeApprovalChange(
            tac=tac, actor=actor, old_status=old, new_status=status, note=note.strip()
        )
    )
    audit.record(session, actor, "registry.type_approval_status", tac, status=status, old=old)
    return row


def get(session: Session, tac: str) -> TypeApproval:
    """The type approval record of a TAC, or NotFound."""
    row = session.get(TypeApproval, _tac(tac))
    if row is None:
        raise NotFound(f"TAC {tac} has no type approval record")
    return row


def history(session: Session, tac: str) -> Sequence[TypeApprovalChange]:
    """Every change to a TAC's type approval, oldest first."""
    query = select(TypeApprovalChange).where(TypeApprovalChange.tac == _tac(tac))
    return session.scalars(query.order_by(TypeApprovalChange.id)).all()


def approved_tacs(session: Session) -> set[str]:
    """The TACs whose current type approval is `approved`."""
    query = select(TypeApproval.tac).where(TypeApproval.status == "approved")
    return set(session.scalars(query))


__all__ = ["STATUSES", "approved_tacs", "get", "history", "record_approval", "set_status"]
