"""Reading a run's stored figures: which run reports a month, one scope's figures, trends.

Pages and reports read only `report_figures` (a few hundred rows per run and scope), never
the lake, so they cost the same at national size as on the demo.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, select

from openceir.errors import InputError, NotFound
from openceir.reports.aggregates import COUNTRY, LOOKBACK_DAYS, WINDOW, ensure
from openceir.settings import Settings
from openceir.store.classification import ClassificationRun
from openceir.store.reports import ReportFigure, ReportRun

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def parse_month(text: str, field_name: str = "--month") -> str:
    """A `YYYY-MM` month, or InputError naming the parameter."""
    if not _MONTH.match(text or ""):
        raise InputError(f"{text!r} is not a month, expected YYYY-MM", field=field_name)
    return text


def month_end(month: str) -> date:
    """The last day of `YYYY-MM`."""
    year, mon = (int(x) for x in month.split("-"))
    nxt = date(year + (mon == 12), mon % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


@dataclass
class Figures:
    """One run's figures for a month and a scope: figure -> [(key, value, detail)]."""

    run_id: int
    as_of: date
    month: str
    scope: str
    rows: dict[str, list[tuple[str, float, Any]]] = field(default_factory=dict)

    def get(self, figure: str) -> list[tuple[str, float, Any]]:
        """The rows of one figure (empty when there is none), largest first as stored."""
        return self.rows.get(figure, [])

    def value(self, figure: str, key: str, default: float = 0) -> float:
        """One number, e.g. `value("seen", "imeis")`."""
        for k, v, _ in self.get(figure):
            if k == key:
                return v
        return default

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: figure -> list of {key, value, detail?}."""
        return {
            name: [
                {"key": k, "value": _number(v), **({"detail": d} if d else {})} for k, v, d in rows
            ]
            for name, rows in self.rows.items()
        }


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def completed_runs(engine: Engine) -> list[Any]:
    """Completed, non-dry classification runs, oldest first: (id, as_of)."""
    runs = ClassificationRun.__table__
    with engine.connect() as conn:
        return conn.execute(
            select(runs.c.id, runs.c.as_of)
            .where(runs.c.status == "completed", runs.c.dry_run.is_(False))
            .order_by(runs.c.as_of, runs.c.id)
        ).all()


def latest_run(settings: Settings, engine: Engine) -> int:
    """The latest completed run, its figures computed if missing; NotFound when none."""
    runs = completed_runs(engine)
    if not runs:
        raise NotFound("no completed classification run yet: run openceir classify first")
    run_id = runs[-1].id
    ensure(settings, engine, run_id)
    return run_id


def run_for_month(settings: Settings, engine: Engine, month: str) -> int:
    """The run that reports `month`: the first one after the month ended (it saw it whole),
    else the latest one within the month. NotFound when no run saw the month."""
    parse_month(month)
    first, last = date.fromisoformat(month + "-01"), month_end(month)
    runs = [
        r
        for r in completed_runs(engine)
        if r.as_of >= first and r.as_of - timedelta(days=LOOKBACK_DAYS) <= last
    ]
    after = [r for r in runs if r.as_of > last]
    within = [r for r in runs if first <= r.as_of <= last]
    if after:
        run_id = after[0].id
    elif within:
        run_id = within[-1].id
    else:
        seen = ", ".join(sorted({str(r.as_of) for r in completed_runs(engine)})) or "none"
        raise NotFound(
            f"no classification run covers {month} (runs of: {seen}); "
            f"run: openceir classify --date {last.isoformat()}"
        )
    ensure(settings, engine, run_id)
    return run_id


def load(engine: Engine, run_id: int, month: str = WINDOW, scope: str = COUNTRY) -> Figures:
    """The figures of one run, month (or `window`) and scope (operator id, `""` = country)."""
    t = ReportFigure.__table__
    with engine.connect() as conn:
        run = conn.execute(select(ReportRun).where(ReportRun.run_id == run_id)).first()
        if run is None:
            raise NotFound(f"classification run {run_id} has no report figures")
        rows = conn.execute(
            select(t.c.figure, t.c.key, t.c.value, t.c.detail)
            .where(t.c.run_id == run_id, t.c.month == month, t.c.scope == scope)
            .order_by(t.c.figure, t.c.value.desc(), t.c.key)
        ).all()
    out = Figures(run_id=run_id, as_of=run.as_of, month=month, scope=scope)
    for figure, key, value, detail in rows:
        out.rows.setdefault(figure, []).append((key, value, detail))
    return out


def trend(
    engine: Engine, figure: str, scope: str = COUNTRY, month: str = WINDOW
) -> list[tuple[int, date, dict[str, float]]]:
    """One figure across every run with figures, oldest first: (run, as_of, {key: value})."""
    t = ReportFigure.__table__
    with engine.connect() as conn:
        rows = conn.execute(
            select(ReportRun.run_id, ReportRun.as_of, t.c.key, t.c.value)
            .join(t, t.c.run_id == ReportRun.run_id)
            .where(t.c.figure == figure, t.c.scope == scope, t.c.month == month)
            .order_by(ReportRun.as_of, ReportRun.run_id)
        ).all()
    out: dict[int, tuple[int, date, dict[str, float]]] = {}
    for run_id, as_of, key, value in rows:
        out.setdefault(run_id, (run_id, as_of, {}))[2][key] = value
    return list(out.values())


def monthly_trend(
    engine: Engine, run_id: int, figure: str, scope: str = COUNTRY
) -> list[tuple[str, dict[str, float]]]:
    """One figure for each month one run looked at, oldest first (DIRBS's historic months)."""
    t = ReportFigure.__table__
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.c.month, t.c.key, t.c.value)
            .where(
                t.c.run_id == run_id, t.c.figure == figure, t.c.scope == scope, t.c.month != WINDOW
            )
            .order_by(t.c.month)
        ).all()
    out: dict[str, dict[str, float]] = {}
    for month, key, value in rows:
        out.setdefault(month, {})[key] = value
    return list(out.items())


def scopes(engine: Engine, run_id: int) -> list[str]:
    """The operators that have figures in a run, sorted."""
    t = ReportFigure.__table__
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.c.scope).where(t.c.run_id == run_id, t.c.scope != COUNTRY).distinct()
        ).all()
    return sorted(r[0] for r in rows)


__all__ = [
    "Figures",
    "completed_runs",
    "latest_run",
    "load",
    "month_end",
    "monthly_trend",
    "parse_month",
    "run_for_month",
    "scopes",
    "trend",
]
