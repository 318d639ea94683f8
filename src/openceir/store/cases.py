"""Lost and stolen cases: the report, its IMEIs, its history, trace alerts, pending changes.

`cases` holds one report (request ID, who filed it, the owner's MSISDN, the police complaint,
block or watch) and its status. `case_imeis` links IMEIs to cases; an IMEI is active in at
most one open case (a unique index on the active key, so two concurrent reports of the same
IMEI cannot both open a case). `case_events` is each case's history, `case_alerts` its trace
alerts (one row per new SIM identity, de-duplicated by `dedup_key`), `case_changes` the
block/unblock and ledger changes still to publish (an outbox, written in the transaction of
the state change), and `case_cursors` how far tracing has read the check events and dumps.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from openceir.store.base import Base
from openceir.store.models import utcnow


class CaseRow(Base):
    """One lost/stolen report and where it stands."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # lost | stolen
    mode: Mapped[str] = mapped_column(String(10))  # block | watch
    status: Mapped[str] = mapped_column(String(12), index=True)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    msisdn: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)
    known_imsis: Mapped[list[str]] = mapped_column(JSON, default=list)
    contact_msisdn: Mapped[str | None] = mapped_column(String(20), nullable=True)
    contact_email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    reporter_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    language: Mapped[str] = mapped_column(String(16), default="en")
    brand: Mapped[str | None] = mapped_column(String(200), nullable=True)
    model: Mapped[str | None] = mapped_column(String(200), nullable=True)
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    incident_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    place: Mapped[str | None] = mapped_column(String(200), nullable=True)
    complaint_number: Mapped[str | None] = mapped_column(String(100), nullable=True)
    station: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    region: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    filed_by: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(20), default="citizen")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class CaseImei(Base):
    """An IMEI of a case; `active` while the case is open (at most one active row per key)."""

    __tablename__ = "case_imeis"
    __table_args__ = (
        Index(
            "ix_case_imeis_active_key",
            "imei_key",
            unique=True,
            postgresql_where=text("active"),
            sqlite_where=text("active"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    imei: Mapped[str] = mapped_column(String(15))
    imei_key: Mapped[int] = mapped_column(BigInteger, index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CaseEvent(Base):
    """One entry of a case's history: filed, linked, alert, recovered, unblocked, reversed."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class CaseAlert(Base):
    """A reported IMEI seen with a SIM other than the owner's: one row per new identity."""

    __tablename__ = "case_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    imei: Mapped[str] = mapped_column(String(15))
    source: Mapped[str] = mapped_column(String(10))  # check | dump
    interface: Mapped[str | None] = mapped_column(String(10), nullable=True)
    operator: Mapped[str | None] = mapped_column(String(64), nullable=True)
    imsi: Mapped[str | None] = mapped_column(String(15), nullable=True)
    msisdn: Mapped[str | None] = mapped_column(String(20), nullable=True)
    place: Mapped[str | None] = mapped_column(String(200), nullable=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    sightings: Mapped[int] = mapped_column(Integer, default=1)


class CaseChange(Base):
    """A change to publish: block/unblock to the EIRs, reported/recovered to the ledger."""

    __tablename__ = "case_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    change: Mapped[str] = mapped_column(String(12))  # block | unblock
    ledger_event: Mapped[str | None] = mapped_column(String(20), nullable=True)
    imeis: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True, index=True
    )
    ledger_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ledger_index: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class CaseCursor(Base):
    """How far tracing has read a feed (check-event files of a day, the lake's last job)."""

    __tablename__ = "case_cursors"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


__all__ = ["CaseAlert", "CaseChange", "CaseCursor", "CaseEvent", "CaseImei", "CaseRow"]
