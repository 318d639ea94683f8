"""Classification state with history, and the record of each classification run.

`classification_state` holds one row per (IMEI, condition) spell: open while `end_date` is
NULL; `end_date` is the first run date on which the IMEI no longer met the condition
(exclusive, like the registers). `block_date` is fixed when the row opens (first match +
grace period, or the amnesty end date) and only amnesty moves it. `evidence` is JSON: the
numbers behind the decision, per dimension, plus the clone decision when one was made.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openceir.store.base import Base
from openceir.store.models import utcnow


class ClassificationRun(Base):
    """One `openceir classify` run: its date, rules, operators, per-condition counts, outcome."""

    __tablename__ = "classification_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    as_of: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), default="running")
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    engine: Mapped[str] = mapped_column(String(20), default="duckdb")
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    rules_sha256: Mapped[str] = mapped_column(String(64))
    rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    operators: Mapped[list[str]] = mapped_column(JSON, default=list)
    conditions: Mapped[list[str]] = mapped_column(JSON, default=list)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class ClassificationState(Base):
    """One spell of an IMEI meeting a condition, with its block date and evidence."""

    __tablename__ = "classification_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    imei_key: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    imei_raw: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    condition: Mapped[str] = mapped_column(String(64), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    block_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    blocking: Mapped[bool] = mapped_column(Boolean, default=True)
    amnesty_granted: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    clone_imsis: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    genuine_imsis: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    run_id: Mapped[int] = mapped_column(Integer)
    end_run_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


__all__ = ["ClassificationRun", "ClassificationState"]
