"""The figures of a classification run, computed once in DuckDB and stored (issue 12 item 6).

`compute(settings, engine, run_id)` reads the lake's observations for the months the run
looked at, the classification state, the TAC catalog and the stolen list on the run date,
and the import jobs; it writes

- one Parquet file of per-IMEI facts per run (`<data>/reports/run-<id>/imei_facts.parquet`):
  month, scope, IMEI, TAC, model, how many SIMs, compliance status, conditions met. No
  subscriber identifier is in it. Drill-downs (`openceir.reports.drill`) filter this file.
- the figures (`store.reports.ReportFigure`): every count the dashboard and the reports
  show, grouped from the facts, per month and per `window` (all the run's months), per
  operator and for the country (scope `""`).

Idempotent: computing a run again replaces its figures and file. Classification (layer 4)
does not call this; the CLI's `classify` and the demo compose the two, and readers compute
the figures of a run that has none on first use (`ensure`).
"""

from __future__ import annotations

import json
import os
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, insert

from openceir.errors import NotFound
from openceir.reports import _inputs
from openceir.settings import DataPaths, Settings
from openceir.store.reports import ReportFigure, ReportRun

LOOKBACK_DAYS = 120
"""How far back a run's figures look: the classifier's own window (classify.run)."""
WINDOW = "window"
COUNTRY = ""
TOP = 10
TOP_GROUPS = 20
HISTOGRAM_CAP = 10

FIGURES: dict[str, str] = {
    "seen": "IMEIs, IMSIs, MSISDNs and triplets (IMEI, IMSI, MSISDN) seen",
    "daily_imeis": "distinct IMEIs seen per day",
    "compliance": "IMEIs by status: compliant, blocked, in grace, informational only",
    "condition": "IMEIs seen meeting each condition",
    "condition_blocked": "IMEIs seen meeting each condition whose block date has come",
    "top_models": "the models with the most IMEIs seen",
    "imsis_per_imei": "duplicate histogram: IMEIs by the number of SIMs (IMSIs) seen with each",
    "imeis_per_imsi": "IMSIs by the number of IMEIs seen with each",
    "clone_groups": "the largest duplicated IMEIs (clone conditions) and how many SIMs each",
    "counterfeit_brand": "counterfeit IMEIs per brand, with the brand's share",
    "counterfeit_tac": "counterfeit IMEIs per TAC, with the TAC's share",
    "violations": "stolen IMEIs seen after their report, blocked IMEIs seen after their block",
    "imports": "operator dump files imported and refused, rows read, valid and rejected",
    "check_failed": "operator dump files refused or flagged per data-quality check",
    "report_to_block": "days from a stolen report to the block (median, 90th percentile)",
}
"""Every figure name in `report_figures`, with what it counts (the docs list them too)."""


def months_of(as_of: date, lake_months: list[str], lookback_days: int = LOOKBACK_DAYS) -> list[str]:
    """The lake months a run on `as_of` looks at: within the lookback, not after the run."""
    first = (as_of - timedelta(days=lookback_days)).strftime("%Y-%m")
    last = as_of.strftime("%Y-%m")
    return sorted(m for m in lake_months if first <= m <= last)


def _lake_months(data_dir: Path) -> list[str]:
    from openceir.lake import manifest

    current = manifest.read(manifest.lake_dir(data_dir))
    found = set()
    for partitions in current["datasets"].get("observations", {}).values():
        found.update(partitions)
    return sorted(found)


def facts_path(data_dir: Path, run_id: int) -> Path:
    """Where a run's per-IMEI facts live."""
    return DataPaths(data_dir).reports / f"run-{run_id}" / "imei_facts.parquet"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


FACTS_SQL = """
CREATE TEMP TABLE obs AS
SELECT operator, month, imei_key, imei_raw, imsi, msisdn, day_mask, last_seen,
       coalesce(lpad(CAST(imei_key AS VARCHAR), 14, '0'), 'raw:' || imei_raw) AS imei
FROM observations WHERE month IN ({months});

CREATE TEMP TABLE win AS
SELECT * FROM obs UNION ALL SELECT * REPLACE ('{window}' AS month) FROM obs;

CREATE TEMP TABLE per_imei AS
SELECT s.imei,
       bool_or(s.blocking AND s.block_date <= DATE '{as_of}') AS blocked,
       bool_or(s.blocking AND (s.block_date IS NULL OR s.block_date > DATE '{as_of}')) AS grace,
       list(DISTINCT s.condition ORDER BY s.condition) AS conditions,
       list(DISTINCT s.condition ORDER BY s.condition)
           FILTER (WHERE s.blocking AND s.block_date <= DATE '{as_of}') AS blocked_conditions,
       bool_or(c.counterfeit) AS counterfeit,
       bool_or(c.clone) AS clone,
       max(s.clone_sims) FILTER (WHERE c.clone) AS clone_sims,
       min(s.block_date) FILTER (WHERE s.blocking) AS block_date
FROM (SELECT *, coalesce(lpad(CAST(imei_key AS VARCHAR), 14, '0'), 'raw:' || imei_raw) AS imei
      FROM state_t) s
LEFT JOIN conds_t c ON c.label = s.condition
GROUP BY s.imei;

CREATE TEMP TABLE facts AS
WITH seen AS (
    SELECT month, coalesce(operator, '{country}') AS scope, imei,
           any_value(imei_key) AS imei_key, count(DISTINCT imsi) AS sims,
           max(last_seen) AS last_seen
    FROM win GROUP BY GROUPING SETS ((month, operator, imei), (month, imei))
),
stolen AS (
    SELECT coalesce(lpad(CAST(imei_key AS VARCHAR), 14, '0'), 'raw:' || imei_raw) AS imei,
           min(reporting_date) AS reporting_date
    FROM stolen_t GROUP BY 1
),
catalog AS (SELECT tac, any_value(manufacturer) AS manufacturer, any_value(brand) AS brand,
                   any_value(model) AS model FROM catalog_t GROUP BY tac)
SELECT seen.month, seen.scope, seen.imei, seen.imei_key,
       lpad(CAST(seen.imei_key // 1000000 AS VARCHAR), 8, '0') AS tac,
       CASE WHEN seen.imei_key IS NULL THEN 'malformed IMEI'
            WHEN cat.tac IS NULL THEN 'TAC not in the catalog'
            ELSE coalesce(cat.brand, cat.manufacturer, 'unnamed brand') END AS brand,
       CASE WHEN cat.tac IS NULL THEN NULL
            ELSE trim(coalesce(cat.manufacturer, '') || ' ' || coalesce(cat.model, '')) END
           AS model,
       seen.sims,
       CASE WHEN p.blocked THEN 'blocked' WHEN p.grace THEN 'in_grace'
            WHEN p.imei IS NOT NULL THEN 'info_only' ELSE 'compliant' END AS status,
       coalesce(p.conditions, []) AS conditions,
       coalesce(p.blocked_conditions, []) AS blocked_conditions,
       coalesce(p.counterfeit, false) AS counterfeit,
       coalesce(p.clone, false) AS clone,
       p.clone_sims,
       coalesce(st.reporting_date IS NOT NULL AND seen.last_seen >= st.reporting_date, false)
           AS stolen_seen,
       coalesce(p.blocked AND seen.last_seen >= p.block_date, false) AS blocked_seen,
       seen.last_seen
FROM seen
LEFT JOIN per_imei p ON p.imei = seen.imei
LEFT JOIN stolen st ON st.imei = seen.imei
LEFT JOIN catalog cat ON cat.tac = lpad(CAST(seen.imei_key // 1000000 AS VARCHAR), 8, '0');
"""
"""Per-IMEI facts per (month, scope): the one place that decides an IMEI's status."""

FIGURES_SQL = """
WITH seen_counts AS (
    SELECT month, coalesce(operator, '{country}') AS scope,
           count(DISTINCT imei) AS imeis, count(DISTINCT imsi) AS imsis,
           count(DISTINCT msisdn) AS msisdns, count(*) AS triplets
    FROM win GROUP BY GROUPING SETS ((month, operator), (month))
),
days AS (
    SELECT month, coalesce(operator, '{country}') AS scope,
           CAST(CAST(month || '-01' AS DATE) + CAST(d AS INTEGER) AS VARCHAR) AS day,
           count(DISTINCT imei) AS imeis
    FROM (SELECT o.*, r.d FROM obs o, range(31) r(d) WHERE (o.day_mask >> r.d) & 1 = 1)
    GROUP BY GROUPING SETS ((month, operator, day), (month, day))
),
per_imsi AS (
    SELECT month, coalesce(operator, '{country}') AS scope, imsi, count(DISTINCT imei) AS n
    FROM win WHERE imsi IS NOT NULL
    GROUP BY GROUPING SETS ((month, operator, imsi), (month, imsi))
),
models AS (
    SELECT month, scope, coalesce(model, brand) AS key, count(*) AS n,
           row_number() OVER (PARTITION BY month, scope ORDER BY count(*) DESC,
                              coalesce(model, brand)) AS rank
    FROM facts GROUP BY month, scope, coalesce(model, brand)
),
groups AS (
    SELECT *, row_number() OVER (PARTITION BY month, scope ORDER BY sims DESC, imei) AS rank
    FROM facts WHERE clone
),
brands AS (
    SELECT month, scope, brand AS key, count(*) FILTER (WHERE counterfeit) AS n, count(*) AS seen,
           row_number() OVER (PARTITION BY month, scope
                              ORDER BY count(*) FILTER (WHERE counterfeit) DESC, brand) AS rank
    FROM facts GROUP BY month, scope, brand
),
tacs AS (
    SELECT month, scope, tac AS key, any_value(brand) AS brand, any_value(model) AS model,
           count(*) FILTER (WHERE counterfeit) AS n, count(*) AS seen,
           row_number() OVER (PARTITION BY month, scope
                              ORDER BY count(*) FILTER (WHERE counterfeit) DESC, tac) AS rank
    FROM facts WHERE tac IS NOT NULL GROUP BY month, scope, tac
),
jobs_w AS (
    SELECT * FROM jobs_t WHERE month IN ({months})
    UNION ALL SELECT * REPLACE ('{window}' AS month) FROM jobs_t WHERE month IN ({months})
),
job_months AS (
    SELECT month, coalesce(operator, '{country}') AS scope,
           count(*) AS files, count(*) FILTER (WHERE status <> 'succeeded') AS refused,
           sum(rows_read) AS rows_read, sum(rows_valid) AS rows_valid,
           sum(rows_rejected) AS rows_rejected
    FROM jobs_w GROUP BY GROUPING SETS ((month, operator), (month))
),
job_checks AS (
    SELECT month, coalesce(operator, '{country}') AS scope, check_name, count(*) AS n
    FROM (SELECT month, operator, unnest(failed_checks) AS check_name FROM jobs_w)
    GROUP BY GROUPING SETS ((month, operator, check_name), (month, check_name))
),
delays AS (
    SELECT datediff('day', st.reporting_date, s.block_date) AS days
    FROM state_t s JOIN conds_t c ON c.label = s.condition AND c.stolen
    JOIN stolen_t st ON st.imei_key IS NOT DISTINCT FROM s.imei_key
                    AND (s.imei_key IS NOT NULL OR st.imei_raw = s.imei_raw)
    WHERE s.block_date IS NOT NULL AND st.reporting_date IS NOT NULL
)
SELECT month, scope, 'seen' AS figure, k AS key, CAST(v AS DOUBLE) AS value, NULL AS detail
FROM seen_counts
    UNPIVOT (v FOR k IN (imeis, imsis, msisdns, triplets))
UNION ALL
SELECT month, scope, 'daily_imeis', day, imeis, NULL FROM days
UNION ALL
SELECT month, scope, 'compliance', status, count(*), NULL FROM facts GROUP BY ALL
UNION ALL
SELECT month, scope, 'condition', c, count(*), NULL
FROM (SELECT month, scope, unnest(conditions) AS c FROM facts) GROUP BY ALL
UNION ALL
SELECT month, scope, 'condition_blocked', c, count(*), NULL
FROM (SELECT month, scope, unnest(blocked_conditions) AS c FROM facts) GROUP BY ALL
UNION ALL
SELECT month, scope, 'top_models', key, n, NULL FROM models WHERE rank <= {top}
UNION ALL
SELECT month, scope, 'imsis_per_imei',
       CASE WHEN sims >= {cap} THEN '{cap}+' ELSE CAST(sims AS VARCHAR) END, count(*), NULL
FROM facts GROUP BY ALL
UNION ALL
SELECT month, scope, 'imeis_per_imsi',
       CASE WHEN n >= {cap} THEN '{cap}+' ELSE CAST(n AS VARCHAR) END, count(*), NULL
FROM per_imsi GROUP BY ALL
UNION ALL
SELECT month, scope, 'clone_groups', imei, sims,
       to_json({{'conditions': conditions, 'model': model, 'clone_sims': clone_sims,
                 'status': status}})
FROM groups WHERE rank <= {groups}
UNION ALL
SELECT month, scope, 'counterfeit_brand', key, n,
       to_json({{'seen': seen, 'share': round(n / seen, 4)}})
FROM brands WHERE n > 0 AND rank <= {groups}
UNION ALL
SELECT month, scope, 'counterfeit_tac', key, n,
       to_json({{'seen': seen, 'share': round(n / seen, 4), 'brand': brand, 'model': model}})
FROM tacs WHERE n > 0 AND rank <= {groups}
UNION ALL
SELECT month, scope, 'violations', 'stolen_seen', count(*) FILTER (WHERE stolen_seen), NULL
FROM facts GROUP BY ALL
UNION ALL
SELECT month, scope, 'violations', 'blocked_seen', count(*) FILTER (WHERE blocked_seen), NULL
FROM facts GROUP BY ALL
UNION ALL
SELECT month, scope, 'imports', k, CAST(v AS DOUBLE), NULL
FROM job_months UNPIVOT (v FOR k IN (files, refused, rows_read, rows_valid, rows_rejected))
UNION ALL
SELECT month, scope, 'check_failed', check_name, n, NULL FROM job_checks
UNION ALL
SELECT '{window}', '{country}', 'report_to_block', k, coalesce(v, 0), NULL
FROM (SELECT count(*) AS devices, median(days) AS median_days,
             quantile_cont(days, 0.9) AS p90_days FROM delays)
    UNPIVOT INCLUDE NULLS (v FOR k IN (devices, median_days, p90_days))
"""
"""Every figure as (month, scope, figure, key, value, detail JSON), grouped from the facts."""


def _cases_figures(conn: Any) -> list[dict[str, Any]]:
    """Hook for the cases lane: stolen reported / blocked / traced / recovered, and the time
    from a case's report to its block, once `store/cases.py` has a `cases` table.

    Until then no figure (the stolen list's reporting dates give `report_to_block`).
    """
    if not _inputs.table_exists(conn, "cases"):
        return []
    return []


def compute(settings: Settings, engine: Engine, run_id: int) -> dict[str, Any]:
    """Compute and store the figures of classification run `run_id`; returns a summary.

    NotFound when the run does not exist, did not complete, or was a dry run.
    """
    from openceir.lake.reader import open_duckdb

    started = time.perf_counter()
    with engine.connect() as conn:
        run = _inputs.run_record(conn, run_id)
        if run is None or run.status != "completed" or run.dry_run:
            what = "does not exist" if run is None else f"is {run.status}"
            if run is not None and run.dry_run:
                what = "was a dry run"
            raise NotFound(f"classification run {run_id} {what}: no figures to compute")
        as_of = run.as_of
        tables = {
            "state_t": _inputs.state(conn, as_of),
            "conds_t": _inputs.conditions(run.rules or {}),
            "catalog_t": _inputs.catalog(conn, as_of),
            "stolen_t": _inputs.stolen(conn, as_of),
            "jobs_t": _inputs.jobs(conn),
        }
        extra = _cases_figures(conn)
    months = months_of(as_of, _lake_months(settings.data_dir))
    con = open_duckdb(settings.data_dir, months or None)
    try:
        for name, table in tables.items():
            con.register(name, table)
        params = {
            "months": ", ".join(_quote(m) for m in months) or "NULL",
            "window": WINDOW,
            "country": COUNTRY,
            "as_of": as_of.isoformat(),
            "top": TOP,
            "groups": TOP_GROUPS,
            "cap": HISTOGRAM_CAP,
        }
        con.execute(FACTS_SQL.format(**params))
        rows = con.execute(FIGURES_SQL.format(**params)).fetchall()
        path = facts_path(settings.data_dir, run_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".parquet.tmp")
        con.execute(f"COPY facts TO {_quote(str(tmp))} (FORMAT parquet)")
        os.replace(tmp, path)
    finally:
        con.close()
    figures = [
        {
            "run_id": run_id,
            "month": month,
            "scope": scope,
            "figure": figure,
            "key": str(key),
            "value": float(value or 0),
            "detail": json.loads(detail) if detail else None,
        }
        for month, scope, figure, key, value, detail in rows
    ] + [{**f, "run_id": run_id} for f in extra]
    seconds = time.perf_counter() - started
    with engine.begin() as conn:
        conn.execute(delete(ReportFigure).where(ReportFigure.run_id == run_id))
        conn.execute(delete(ReportRun).where(ReportRun.run_id == run_id))
        for i in range(0, len(figures), 5000):
            conn.execute(insert(ReportFigure), figures[i : i + 5000])
        conn.execute(
            insert(ReportRun).values(
                run_id=run_id,
                as_of=as_of,
                seconds=round(seconds, 3),
                months=months,
                facts_file=str(path.relative_to(settings.data_dir)),
            )
        )
    return {"run_id": run_id, "as_of": as_of, "months": months, "figures": len(figures)}


def ensure(settings: Settings, engine: Engine, run_id: int) -> None:
    """Compute a run's figures when they are missing (a run classified without the CLI)."""
    from sqlalchemy import select

    with engine.connect() as conn:
        have = conn.execute(select(ReportRun.run_id).where(ReportRun.run_id == run_id)).first()
    if have is None or not facts_path(settings.data_dir, run_id).exists():
        compute(settings, engine, run_id)


__all__ = ["COUNTRY", "FIGURES", "WINDOW", "compute", "ensure", "facts_path", "months_of"]
