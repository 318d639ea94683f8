"""Registry tables: type approvals by TAC, registration requests with their IMEIs, travellers.

`registry_type_approvals` holds the current approval of each TAC and
`registry_type_approval_history` every change to it (who, when, from which status). A
registration request (`registry_requests`) owns its uploaded IMEIs
(`registry_request_imeis`: one row per line, with the automatic findings as codes and the
reviewer's decision) and its trail (`registry_request_events`). Approved IMEIs are copied
into `registration_list` (openceir.store.registers), which classification already reads.
Travellers (`registry_travellers`) keep the passport number only as an HMAC.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openceir.store.base import Base
from openceir.store.models import utcnow


class TypeApproval(Base):
    """The current type approval of a TAC: approving body, certificate, date, status."""

    __tablename__ = "registry_type_approvals"

    tac: Mapped[str] = mapped_column(String(8), primary_key=True)
    body: Mapped[str] = mapped_column(String(200))
    certificate: Mapped[str] = mapped_column(String(100))
    approved_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))  # approved | suspended | withdrawn
    brand: Mapped[str | None] = mapped_column(String(200), nullable=True)
    model: Mapped[str | None] = mapped_column(String(200), nullable=True)
    sim_slots: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TypeApprovalChange(Base):
    """One change to a TAC's type approval (the history)."""

    __tablename__ = "registry_type_approval_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tac: Mapped[str] = mapped_column(String(8), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    old_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    new_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class RegistrationRequest(Base):
    """A request to register devices, by an importer, manufacturer, individual or exporter."""

    __tablename__ = "registry_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    role: Mapped[str] = mapped_column(String(20))
    applicant: Mapped[str] = mapped_column(String(200))
    make: Mapped[str] = mapped_column(String(200))
    model: Mapped[str] = mapped_column(String(200))
    sim_slots: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(String(30), index=True)
    assigned_to: Mapped[str | None] = mapped_column(String(200), nullable=True)
    upload_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    imei_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RequestImei(Base):
    """One uploaded IMEI of a request: its line, findings (codes) and the reviewer's decision."""

    __tablename__ = "registry_request_imeis"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("registry_requests.id", ondelete="CASCADE"), index=True
    )
    line: Mapped[int] = mapped_column(Integer)
    imei_raw: Mapped[str] = mapped_column(String(64))
    imei_key: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    device: Mapped[str | None] = mapped_column(String(64), nullable=True)
    mask: Mapped[int] = mapped_column(Integer, default=0)  # registry.checks.FINDINGS bits
    findings: Mapped[str] = mapped_column(Text, default="")  # the same as space-separated codes
    decision: Mapped[str] = mapped_column(String(10), default="pending")
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class RequestEvent(Base):
    """The audit trail of a request: every state change, assignment and decision."""

    __tablename__ = "registry_request_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("registry_requests.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    old_state: Mapped[str | None] = mapped_column(String(30), nullable=True)
    new_state: Mapped[str | None] = mapped_column(String(30), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class TravellerRegistration(Base):
    """A traveller's device allowed for a visit; the passport only as a keyed hash (HMAC)."""

    __tablename__ = "registry_travellers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    passport_hmac: Mapped[str] = mapped_column(String(64), index=True)
    imei_key: Mapped[int] = mapped_column(BigInteger, index=True)
    imei_raw: Mapped[str] = mapped_column(String(64))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)  # exclusive
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


__all__ = [
    "RegistrationRequest",
    "RequestEvent",
    "RequestImei",
    "TravellerRegistration",
    "TypeApproval",
    "TypeApprovalChange",
]
