"""The IMEIs behind a figure: a filter over the run's per-IMEI facts file (DuckDB).

Every figure a page shows links here with (run, month, scope, figure, key); the answer is
a page of IMEIs with their model, SIM count, status and conditions, each linking to the
IMEI page. The facts hold no subscriber identifier, so any staff role may drill down.
"""

from __future__ import annotations

from typing import Any

import duckdb

from openceir.errors import InputError, NotFound
from openceir.reports.aggregates import HISTOGRAM_CAP, facts_path
from openceir.settings import Settings

_FILTERS: dict[str, str] = {
    "seen": "true",
    "compliance": "status = $key",
    "condition": "list_contains(conditions, $key)",
    "condition_blocked": "list_contains(blocked_conditions, $key)",
    "top_models": "coalesce(model, brand) = $key",
    "clone_groups": "imei = $key",
    "counterfeit_brand": "counterfeit AND brand = $key",
    "counterfeit_tac": "counterfeit AND tac = $key",
    "violations": "CASE $key WHEN 'stolen_seen' THEN stolen_seen "
    "WHEN 'blocked_seen' THEN blocked_seen ELSE false END",
}
"""Figure -> the facts that make it up (the same columns `aggregates` groups by)."""


def drillable(figure: str, key: str = "imeis") -> bool:
    """Whether a figure's key leads to IMEIs (imports, SIM counts and trends do not)."""
    if figure == "seen":
        return key in ("imeis", "")
    return figure in _FILTERS or figure == "imsis_per_imei"


def _where(figure: str, key: str) -> tuple[str, dict[str, Any]]:
    if figure == "imsis_per_imei":
        if key == f"{HISTOGRAM_CAP}+":
            return f"sims >= {HISTOGRAM_CAP}", {}
        if not key.isdigit():
            raise InputError(f"{key!r} is not a number of SIMs", field="key")
        return "sims = $sims", {"sims": int(key)}
    if figure not in _FILTERS or not drillable(figure, key):
        known = ", ".join(sorted([*_FILTERS, "imsis_per_imei"]))
        raise InputError(
            f"figure {figure!r} has no IMEIs behind it (known: {known})", field="figure"
        )
    clause = _FILTERS[figure]
    return clause, ({"key": key} if "$key" in clause else {})


def imeis(
    settings: Settings,
    run_id: int,
    month: str,
    scope: str,
    figure: str,
    key: str,
    *,
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
    """A page of the IMEIs behind one figure: {total, rows: [{imei, tac, model, ...}]}."""
    path = facts_path(settings.data_dir, run_id)
    if not path.exists():
        raise NotFound(f"run {run_id} has no facts file; run openceir report to compute it")
    clause, params = _where(figure, key)
    con = duckdb.connect()
    try:
        source = "read_parquet('" + str(path).replace("'", "''") + "')"
        where = f"FROM {source} WHERE month = $month AND scope = $scope AND ({clause})"
        params = {**params, "month": month, "scope": scope}
        total = con.execute(f"SELECT count(*) {where}", params).fetchone()[0]
        cur = con.execute(
            "SELECT imei, tac, brand, model, sims, status, conditions, last_seen "
            f"{where} ORDER BY sims DESC, imei LIMIT {int(limit)} OFFSET {int(offset)}",
            params,
        )
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        for row in rows:
            row["last_seen"] = row["last_seen"].isoformat() if row["last_seen"] else None
    finally:
        con.close()
    return {"total": int(total), "rows": rows, "limit": limit, "offset": offset}


__all__ = ["drillable", "imeis"]
