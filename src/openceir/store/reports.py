"""Report aggregates: the figures of each classification run, so pages stay fast at any size.

`report_runs` has one row per classification run whose figures were computed (when, how
long, which months). `report_figures` is long and narrow: one row per (run, month, scope,
figure, key) with a number and optional JSON detail. `month` is `YYYY-MM` or `window` (every
month the run looked at); `scope` is an operator id, or `""` for the whole country. The
figure names are listed in `openceir.reports.aggregates.FIGURES`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, DateTime, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from openceir.store.base import Base
from openceir.store.models import utcnow


class ReportRun(Base):
    """The figures of one classification run were computed: when, in how long, for which months."""

    __tablename__ = "report_runs"

    run_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    as_of: Mapped[date] = mapped_column(Date, index=True)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    months: Mapped[list[str]] = mapped_column(JSON, default=list)
    facts_file: Mapped[str | None] = mapped_column(String(300), nullable=True)


class ReportFigure(Base):
    """One number of a run's figures: (month, scope, figure, key) -> value, with detail."""

    __tablename__ = "report_figures"
    __table_args__ = (Index("ix_report_figures_lookup", "run_id", "scope", "month", "figure"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    run_id: Mapped[int] = mapped_column(Integer)
    month: Mapped[str] = mapped_column(String(7))
    scope: Mapped[str] = mapped_column(String(32))
    figure: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(200))
    value: Mapped[float] = mapped_column(Float)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


__all__ = ["ReportFigure", "ReportRun"]
