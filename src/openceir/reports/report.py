"""The country and operator reports: DIRBS's monthly report set as data (issue 12 item 7).

Sections, after DIRBS-Core's operator and country reports: counts and trends (IMEIs,
IMSIs, MSISDNs, triplets; per day, per month, per run), the compliance breakdown, the
condition breakdown, top models, duplicate histograms (SIMs per IMEI, IMEIs per SIM), the
largest clone groups, counterfeit share by brand and TAC, stolen and blacklist violations
(with the IMEIs), imports and their data-quality checks, and the time from report to block.
An operator report holds that operator's figures only; the country report adds a table
per operator.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from openceir import __version__
from openceir.errors import InputError
from openceir.reports import drill, figures
from openceir.reports.aggregates import COUNTRY, FIGURES, WINDOW
from openceir.reports.charts import Chart, bar, lines
from openceir.settings import Settings
from openceir.store.classification import ClassificationRun

KINDS = ("country", "operator")
VIOLATION_LIST = 200
"""At most this many IMEIs are listed per violation kind (the CSV/JSON say the total)."""


def _conditions(engine: Engine, run_id: int) -> dict[str, dict[str, Any]]:
    from sqlalchemy import select

    with engine.connect() as conn:
        rules = conn.execute(
            select(ClassificationRun.rules).where(ClassificationRun.id == run_id)
        ).scalar_one()
    return {c["label"]: c for c in (rules or {}).get("conditions", [])}


def _operator_name(settings: Settings, operator: str) -> str:
    for op in settings.operators:
        if op.id == operator:
            return op.name
    known = ", ".join(op.id for op in settings.operators) or "none configured"
    raise InputError(f"unknown operator {operator!r} (known: {known})", field="operator")


def build(
    settings: Settings, engine: Engine, kind: str, month: str, operator: str | None = None
) -> dict[str, Any]:
    """The report of `month` for the country or one operator, as JSON-ready data."""
    if kind not in KINDS:
        raise InputError(f"unknown report {kind!r} (known: {', '.join(KINDS)})", field="kind")
    figures.parse_month(month)
    if kind == "operator":
        if not operator:
            raise InputError("an operator report needs the operator id", field="operator")
        name = _operator_name(settings, operator)
        scope = operator
    else:
        name, scope = settings.region.name or "Country", COUNTRY
    run_id = figures.run_for_month(settings, engine, month)
    fig = figures.load(engine, run_id, month, scope)
    conds = _conditions(engine, run_id)
    monthly = figures.monthly_trend(engine, run_id, "seen", scope)
    runs = figures.trend(engine, "seen", scope, WINDOW)
    data: dict[str, Any] = {
        "kind": kind,
        "title": f"{'Operator' if kind == 'operator' else 'Country'} report: {name}, {month}",
        "scope": scope,
        "scope_name": name,
        "month": month,
        "run_id": run_id,
        "as_of": fig.as_of.isoformat(),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "software_version": __version__,
        "has_data": fig.value("seen", "imeis") > 0,
        "figures": fig.as_dict(),
        "figure_descriptions": {k: FIGURES[k] for k in fig.rows if k in FIGURES},
        "conditions": [
            {
                "label": label,
                "reason": c.get("reason", ""),
                "blocking": bool(c.get("blocking", True)),
                "imeis": int(fig.value("condition", label)),
                "blocked": int(fig.value("condition_blocked", label)),
            }
            for label, c in conds.items()
        ],
        "monthly_seen": [{"month": m, **v} for m, v in monthly],
        "runs_seen": [{"run_id": r, "as_of": a.isoformat(), **v} for r, a, v in runs],
        "violations": {
            key: drill.imeis(
                settings, run_id, month, scope, "violations", key, limit=VIOLATION_LIST
            )
            for key in ("stolen_seen", "blocked_seen")
        },
    }
    if kind == "country":
        window = figures.load(engine, run_id, WINDOW, COUNTRY)
        data["report_to_block"] = {k: v for k, v, _ in window.get("report_to_block")}
        data["operators"] = [
            _operator_row(engine, run_id, month, op.id, op.name) for op in settings.operators
        ]
    return data


def _operator_row(engine: Engine, run_id: int, month: str, op: str, name: str) -> dict[str, Any]:
    f = figures.load(engine, run_id, month, op)
    return {
        "id": op,
        "name": name,
        "imeis": int(f.value("seen", "imeis")),
        "blocked": int(f.value("compliance", "blocked")),
        "in_grace": int(f.value("compliance", "in_grace")),
        "stolen_seen": int(f.value("violations", "stolen_seen")),
        "files": int(f.value("imports", "files")),
        "refused": int(f.value("imports", "refused")),
    }


def _rows(data: dict[str, Any], figure: str) -> list[tuple[str, float]]:
    return [(r["key"], r["value"]) for r in data["figures"].get(figure, [])]


def _histogram(data: dict[str, Any], figure: str) -> list[tuple[str, float]]:
    rows = _rows(data, figure)
    return sorted(rows, key=lambda r: int(r[0].rstrip("+")))


def charts(data: dict[str, Any]) -> list[Chart]:
    """The report's charts, each with its data table (pure: from `build`'s data)."""
    where = data["scope_name"]
    out: list[Chart] = []
    if data["monthly_seen"]:
        months = [m["month"] for m in data["monthly_seen"]]
        out.append(
            lines(
                "seen-by-month",
                "Devices seen per month",
                f"Distinct IMEIs, IMSIs and MSISDNs seen on {where}'s networks each month.",
                months,
                {
                    label: [m.get(key, 0) for m in data["monthly_seen"]]
                    for key, label in (
                        ("imeis", "IMEIs"),
                        ("imsis", "IMSIs"),
                        ("msisdns", "MSISDNs"),
                    )
                },
                x_header="month",
            )
        )
    daily = sorted(_rows(data, "daily_imeis"))
    if daily:
        out.append(
            lines(
                "seen-by-day",
                f"IMEIs seen per day, {data['month']}",
                "Distinct IMEIs seen each day of the month.",
                [d[5:] for d, _ in daily],
                {"IMEIs": [v for _, v in daily]},
                x_header="day",
            )
        )
    compliance = _rows(data, "compliance")
    if compliance:
        words = {
            "compliant": "compliant",
            "blocked": "blocked",
            "in_grace": "in grace",
            "info_only": "informational only",
        }
        out.append(
            bar(
                "compliance",
                "Compliance breakdown",
                "IMEIs seen in the month by status: blocked (block date passed), in grace "
                "(blocking condition, block date to come), informational conditions only, "
                "compliant.",
                [(words.get(k, k), v) for k, v in compliance],
                label_header="status",
            )
        )
    conditions = [(c["label"], c["imeis"]) for c in data["conditions"] if c["imeis"]]
    if conditions:
        out.append(
            bar(
                "conditions",
                "Condition breakdown",
                "IMEIs seen in the month meeting each classification condition.",
                sorted(conditions, key=lambda r: -r[1]),
                label_header="condition",
            )
        )
    for figure, name, title, desc, header in (
        ("top_models", "top-models", "Top models", "The models with the most IMEIs seen.", "model"),
        (
            "counterfeit_brand",
            "counterfeit-brand",
            "Counterfeit IMEIs by brand",
            "IMEIs meeting a counterfeit condition (TAC not allocated, malformed, test range, "
            "radio technology the model lacks) per brand.",
            "brand",
        ),
    ):
        rows = _rows(data, figure)
        if rows:
            out.append(bar(name, title, desc, rows, label_header=header))
    for figure, name, title, desc, header in (
        (
            "imsis_per_imei",
            "imsis-per-imei",
            "Duplicate histogram: SIMs per IMEI",
            "How many IMEIs were seen with 1, 2, 3 ... SIM cards (IMSIs).",
            "SIMs",
        ),
        (
            "imeis_per_imsi",
            "imeis-per-imsi",
            "IMEIs per SIM",
            "How many SIM cards were seen with 1, 2, 3 ... IMEIs.",
            "IMEIs",
        ),
    ):
        rows = _histogram(data, figure)
        if rows:
            out.append(
                bar(
                    name,
                    title,
                    desc,
                    rows,
                    label_header=header,
                    horizontal=False,
                    value_header="IMEIs" if figure == "imsis_per_imei" else "SIMs",
                )
            )
    return out


def csv_rows(data: dict[str, Any]) -> list[list[str]]:
    """The report as long CSV rows: section, key, value, detail (pure)."""
    out = [["section", "key", "value", "detail"]]
    for key in ("title", "month", "scope", "run_id", "as_of", "generated_at"):
        out.append(["report", key, str(data[key]), ""])
    for figure, rows in data["figures"].items():
        for r in rows:
            detail = r.get("detail")
            out.append([figure, r["key"], str(r["value"]), "" if not detail else _flat(detail)])
    for op in data.get("operators", []):
        for k, v in op.items():
            if k not in ("id", "name"):
                out.append([f"operator:{op['id']}", k, str(v), op["name"]])
    for kind, page in data["violations"].items():
        for r in page["rows"]:
            out.append([f"violation:{kind}", r["imei"], str(r["sims"]), r["model"] or ""])
    return out


def _flat(detail: dict[str, Any]) -> str:
    return "; ".join(
        f"{k}={'|'.join(map(str, v)) if isinstance(v, list) else v}" for k, v in detail.items()
    )


__all__ = ["KINDS", "build", "charts", "csv_rows"]
