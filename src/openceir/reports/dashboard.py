"""The regulator's dashboard and an operator's compliance figures, as data and charts.

`overview(settings, engine, scope)` reads the latest run's stored figures (never the lake)
and the trend over runs: devices seen, blocked, in grace, by condition, by operator; the
largest clone groups; counterfeit share by brand and TAC; imports and their checks per
operator; violations; time from report to block. Every number that counts IMEIs carries
its drill-down (`drill`: figure and key), which the page turns into a link to the IMEIs
behind it. An operator's scope holds only that operator's figures.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from openceir.errors import InputError
from openceir.reports import drill, figures
from openceir.reports.aggregates import COUNTRY, WINDOW
from openceir.reports.charts import Chart, bar, lines
from openceir.settings import Settings

STATUS_WORDS = {
    "blocked": "blocked",
    "in_grace": "in grace",
    "info_only": "informational only",
    "compliant": "compliant",
}


def _item(figure: str, key: str, value: float, detail: Any = None, label: str = "") -> dict:
    return {
        "figure": figure,
        "key": key,
        "label": label or key,
        "value": int(value) if float(value).is_integer() else value,
        "detail": detail,
        "drill": drill.drillable(figure, key),
    }


def overview(
    settings: Settings, engine: Engine, scope: str = COUNTRY, run_id: int | None = None
) -> dict[str, Any]:
    """Everything the dashboard shows for `scope` ("" = country, else an operator id)."""
    if scope and scope not in {op.id for op in settings.operators}:
        raise InputError(f"unknown operator {scope!r}", field="operator")
    run_id = run_id if run_id is not None else figures.latest_run(settings, engine)
    f = figures.load(engine, run_id, WINDOW, scope)
    trend = figures.trend(engine, "compliance", scope)
    seen_trend = {r: v for r, _, v in figures.trend(engine, "seen", scope)}
    data: dict[str, Any] = {
        "run_id": run_id,
        "as_of": f.as_of.isoformat(),
        "scope": scope,
        "headline": [
            _item("seen", "imeis", f.value("seen", "imeis"), label="devices seen"),
            _item("compliance", "blocked", f.value("compliance", "blocked"), label="blocked"),
            _item("compliance", "in_grace", f.value("compliance", "in_grace"), label="in grace"),
            _item(
                "violations",
                "stolen_seen",
                f.value("violations", "stolen_seen"),
                label="stolen, seen after the report",
            ),
        ],
        "compliance": [
            _item("compliance", k, v, label=STATUS_WORDS.get(k, k))
            for k, v, _ in f.get("compliance")
        ],
        "conditions": [_item("condition", k, v) for k, v, _ in f.get("condition")],
        "conditions_blocked": {k: int(v) for k, v, _ in f.get("condition_blocked")},
        "clone_groups": [_item("clone_groups", k, v, d) for k, v, d in f.get("clone_groups")],
        "counterfeit_brand": [
            _item("counterfeit_brand", k, v, d) for k, v, d in f.get("counterfeit_brand")
        ],
        "counterfeit_tac": [
            _item("counterfeit_tac", k, v, d) for k, v, d in f.get("counterfeit_tac")
        ],
        "violations": [_item("violations", k, v) for k, v, _ in f.get("violations")],
        "imports": {k: int(v) for k, v, _ in f.get("imports")},
        "checks_failed": [_item("check_failed", k, v) for k, v, _ in f.get("check_failed")],
        "trend": [
            {
                "run_id": r,
                "as_of": a.isoformat(),
                "seen": int(seen_trend.get(r, {}).get("imeis", 0)),
                **{k: int(v.get(k, 0)) for k in ("blocked", "in_grace")},
            }
            for r, a, v in trend
        ],
        "report_to_block": None,
        "operators": [],
    }
    if not scope:
        delays = figures.load(engine, run_id, WINDOW, COUNTRY).get("report_to_block")
        data["report_to_block"] = {k: v for k, v, _ in delays}
        for op in settings.operators:
            of = figures.load(engine, run_id, WINDOW, op.id)
            data["operators"].append(
                {
                    "id": op.id,
                    "name": op.name,
                    "seen": int(of.value("seen", "imeis")),
                    "blocked": int(of.value("compliance", "blocked")),
                    "in_grace": int(of.value("compliance", "in_grace")),
                    "files": int(of.value("imports", "files")),
                    "refused": int(of.value("imports", "refused")),
                    "rows_rejected": int(of.value("imports", "rows_rejected")),
                    "checks_failed": {k: int(v) for k, v, _ in of.get("check_failed")},
                }
            )
    return data


def charts(data: dict[str, Any]) -> list[Chart]:
    """The dashboard's charts (pure: from `overview`'s data), each with its data table."""
    out: list[Chart] = []
    if data["trend"]:
        out.append(
            lines(
                "trend",
                "Devices seen, blocked and in grace, per classification run",
                "For each classification run: distinct IMEIs seen in its window, IMEIs "
                "blocked and IMEIs in their grace period.",
                [t["as_of"] for t in data["trend"]],
                {
                    "seen": [t["seen"] for t in data["trend"]],
                    "blocked": [t["blocked"] for t in data["trend"]],
                    "in grace": [t["in_grace"] for t in data["trend"]],
                },
                x_header="run date",
            )
        )
    for name, title, desc, rows, header in (
        (
            "compliance",
            "Devices by status",
            "IMEIs seen by status: blocked, in grace, informational conditions only, compliant.",
            data["compliance"],
            "status",
        ),
        (
            "conditions",
            "Devices by condition",
            "IMEIs seen meeting each classification condition.",
            data["conditions"],
            "condition",
        ),
        (
            "counterfeit-brand",
            "Counterfeit devices by brand",
            "IMEIs meeting a counterfeit condition, per brand.",
            data["counterfeit_brand"],
            "brand",
        ),
    ):
        if rows:
            out.append(
                bar(
                    name, title, desc, [(r["label"], r["value"]) for r in rows], label_header=header
                )
            )
    if data["operators"]:
        out.append(
            bar(
                "operators",
                "Devices seen by operator",
                "Distinct IMEIs seen on each operator's network in the run's window.",
                [(o["name"], o["seen"]) for o in data["operators"]],
                label_header="operator",
            )
        )
    return out


__all__ = ["STATUS_WORDS", "charts", "overview"]
