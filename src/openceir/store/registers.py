"""Registers with history: TAC catalog, stolen, registration, pairing, exempt, barred, monitoring.

Every row carries `start_date` and `end_date` (NULL while current; exclusive: the row is
valid on days start_date <= D < end_date) and the import jobs that opened and closed it, so
"what did the stolen list say on date D" is one query (`as_of`). Rows are never updated in
place: a change closes the old row and opens a new one. Table and column names follow DIRBS's
lists (`stolen_list`, `registration_list`, ...) so a regulator migrating from DIRBS finds them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, Date, Integer, Select, String, Text, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from openceir.store.base import Base


class RegisterRow:
    """History columns shared by every register; KEY and VALUES name the diffed columns."""

    KEY: ClassVar[tuple[str, ...]] = ()
    VALUES: ClassVar[tuple[str, ...]] = ()

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    job_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    end_job_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ImeiKeyed:
    """An IMEI as its 14-digit key, or, when not normalisable, as the raw text (never dropped)."""

    imei_key: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    imei_raw: Mapped[str | None] = mapped_column(String(64), nullable=True)


class TacCatalog(RegisterRow, Base):
    """GSMA TAC allocations: the model a TAC names and the RATs it supports."""

    __tablename__ = "tac_catalog"
    KEY = ("tac",)
    VALUES = (
        "manufacturer",
        "model",
        "brand",
        "bands",
        "rats",
        "device_type",
        "allocation_date",
        "extra",
    )

    tac: Mapped[str] = mapped_column(String(8), index=True)
    manufacturer: Mapped[str | None] = mapped_column(String(200), nullable=True)
    model: Mapped[str | None] = mapped_column(String(200), nullable=True)
    brand: Mapped[str | None] = mapped_column(String(200), nullable=True)
    bands: Mapped[str | None] = mapped_column(Text, nullable=True)
    rats: Mapped[list[str]] = mapped_column(JSON, default=list)
    device_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    allocation_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class StolenRow(ImeiKeyed, RegisterRow, Base):
    """A device reported lost or stolen (DIRBS stolen list)."""

    __tablename__ = "stolen_list"
    KEY = ("imei_key", "imei_raw")
    VALUES = ("reporting_date", "status", "case_id")

    reporting_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str | None] = mapped_column(String(40), nullable=True)
    case_id: Mapped[str | None] = mapped_column(String(100), nullable=True)


class RegistrationRow(ImeiKeyed, RegisterRow, Base):
    """A device registered (approved) for use in the country (DIRBS registration list)."""

    __tablename__ = "registration_list"
    KEY = ("imei_key", "imei_raw")
    VALUES = (
        "make",
        "model",
        "status",
        "model_number",
        "brand_name",
        "device_type",
        "radio_interface",
        "device_id",
    )

    make: Mapped[str | None] = mapped_column(String(200), nullable=True)
    model: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[str | None] = mapped_column(String(40), nullable=True)
    model_number: Mapped[str | None] = mapped_column(String(200), nullable=True)
    brand_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    device_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    radio_interface: Mapped[str | None] = mapped_column(String(100), nullable=True)
    device_id: Mapped[str | None] = mapped_column(String(100), nullable=True)


class PairingRow(ImeiKeyed, RegisterRow, Base):
    """An (IMEI, IMSI) pair allowed even when the IMEI is blocked (DIRBS pairing list)."""

    __tablename__ = "pairing_list"
    KEY = ("imei_key", "imei_raw", "imsi")
    VALUES = ("msisdn",)

    imsi: Mapped[str] = mapped_column(String(15), index=True)
    msisdn: Mapped[str | None] = mapped_column(String(20), nullable=True)


class ExemptRow(ImeiKeyed, RegisterRow, Base):
    """An IMEI never to be blocked (DIRBS golden list)."""

    __tablename__ = "exempt_list"
    KEY = ("imei_key", "imei_raw")


class BarredImeiRow(ImeiKeyed, RegisterRow, Base):
    """An IMEI barred outright (DIRBS barred list)."""

    __tablename__ = "barred_imei_list"
    KEY = ("imei_key", "imei_raw")


class BarredTacRow(RegisterRow, Base):
    """A TAC whose every IMEI is barred (DIRBS barred TAC list)."""

    __tablename__ = "barred_tac_list"
    KEY = ("tac",)

    tac: Mapped[str] = mapped_column(String(8), index=True)


class MonitoringRow(ImeiKeyed, RegisterRow, Base):
    """An IMEI to be tracked (greylisted) rather than blocked (DIRBS monitoring list)."""

    __tablename__ = "monitoring_list"
    KEY = ("imei_key", "imei_raw")


REGISTERS: dict[str, type[RegisterRow]] = {
    "tac": TacCatalog,
    "stolen": StolenRow,
    "registration": RegistrationRow,
    "pairing": PairingRow,
    "exempt": ExemptRow,
    "barred": BarredImeiRow,
    "barred-tac": BarredTacRow,
    "monitoring": MonitoringRow,
}
"""Register model per import kind (the `openceir import KIND` names)."""


def as_of_select(model: type[RegisterRow], when: date) -> Select[Any]:
    """The rows of `model` valid on day `when` (start_date <= when < end_date)."""
    return select(model).where(
        model.start_date <= when,
        or_(model.end_date.is_(None), model.end_date > when),
    )


def current_select(model: type[RegisterRow]) -> Select[Any]:
    """The rows of `model` valid now (end_date is NULL)."""
    return select(model).where(model.end_date.is_(None))


def as_of(session: Session, model: type[RegisterRow], when: date) -> Sequence[Any]:
    """The rows of a register as they stood on day `when`."""
    return session.scalars(as_of_select(model, when)).all()


def current(session: Session, model: type[RegisterRow]) -> Sequence[Any]:
    """The rows of a register as they stand now."""
    return session.scalars(current_select(model)).all()


__all__ = [
    "REGISTERS",
    "BarredImeiRow",
    "BarredTacRow",
    "ExemptRow",
    "ImeiKeyed",
    "MonitoringRow",
    "PairingRow",
    "RegisterRow",
    "RegistrationRow",
    "StolenRow",
    "TacCatalog",
    "as_of",
    "as_of_select",
    "current",
    "current_select",
]
