"""The data-quality checks of an operator dump (architecture §5), measured on its staged aggregates.

Staging (`operator_dump.stage`) leaves two small tables instead of a copy of every row:
`dump_days` (rows per date and RAT string, joined to `dump_dates` for the parsed date) and
`dump_triplets` (rows per month and raw IMEI, IMSI, MSISDN). Each row-level check is a
predicate over one of them, weighted by its row count `n`, so the counts equal a count over
the file's rows. The same predicates run over the file's rows (with line numbers) only when
a check fails, to name the first offending lines.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import duckdb

from openceir.fileio import FORMULA_PATTERN
from openceir.ingest import checks as _checks
from openceir.ingest._identifiers import msisdn_sql

if TYPE_CHECKING:
    from openceir.ingest.operator_dump import DumpContext, DumpStage

EXAMPLES = 5
NULL_COLUMNS = ("imei", "imsi", "msisdn", "rat")
ROW_CHECKS = (
    "invalid_rows",
    "date_range",
    "future_dates",
    "unclean_imei",
    "unclean_imsi",
    "unclean_msisdn",
    "unclean_rat",
    "foreign_imsi",
    "off_network_imsi",
    "leading_zero_loss",
)
DATE_LEVEL = frozenset({"invalid_rows", "date_range", "future_dates", "unclean_rat", "null_rat"})
"""Checks measured on `dump_days` (date and RAT); the others on `dump_triplets`."""

FIELDS = {
    "invalid_rows": ("date", "date_raw"),
    "date_range": ("date", "date_raw"),
    "future_dates": ("date", "date_raw"),
    "unclean_imei": ("imei", "imei"),
    "unclean_imsi": ("imsi", "imsi"),
    "unclean_msisdn": ("msisdn", "msisdn"),
    "unclean_rat": ("rat", "rat"),
    "foreign_imsi": ("imsi", "imsi"),
    "off_network_imsi": ("imsi", "imsi"),
    "leading_zero_loss": ("imei", "imei"),
}
"""Check -> (the field named in the error, the column whose value is shown)."""


def _q(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


FORMULA_COLUMNS = ("imei", "imsi", "msisdn")
"""The dump columns that reach published lists as text (the IMEI when malformed)."""


def _formula(column: str) -> str:
    return (
        f"coalesce(regexp_matches({column}, {_q(FORMULA_PATTERN)}) "
        f"AND NOT regexp_full_match({column}, ' *[+-]?[0-9]+'), false)"
    )


FORMULA_ROW = " OR ".join(_formula(c) for c in FORMULA_COLUMNS)
"""A row whose IMEI, IMSI or MSISDN a spreadsheet would run as a formula (`fileio.is_formula`;
a signed number such as +447700900123 computes nothing and is kept). Such a row is an
invalid row: refused with its line and field, and never written to the lake."""


def conditions(ctx: DumpContext, date_range: tuple[date, date] | None) -> dict[str, str]:
    """The row predicate of each row-level check, over columns d, rat, imei, imei_key, imsi,
    imsi_ok and msisdn (staged aggregates and the per-row select both have them)."""
    mccs = ", ".join(_q(m) for m in ctx.country_mcc) or "NULL"
    home = " OR ".join(f"starts_with(imsi, {_q(p)})" for p in ctx.operator.mcc_mnc) or "true"
    conds = {
        "invalid_rows": "d IS NULL",
        "formula_text": f"month IS NOT NULL AND ({FORMULA_ROW})",
        "future_dates": f"d > DATE {_q(ctx.today.isoformat())}",
        "unclean_imei": "imei IS NOT NULL AND imei_key IS NULL",
        "unclean_imsi": "imsi IS NOT NULL AND NOT imsi_ok",
        "unclean_msisdn": f"msisdn IS NOT NULL AND NOT coalesce({msisdn_sql('msisdn')}, false)",
        "unclean_rat": (
            "rat IS NOT NULL AND rat NOT IN (SELECT rat FROM rat_lookup WHERE rat_mask IS NOT NULL)"
        ),
        "foreign_imsi": f"imsi_ok AND substr(imsi, 1, 3) NOT IN ({mccs})",
        "off_network_imsi": f"imsi_ok AND NOT ({home})",
        "leading_zero_loss": (
            "imei_key IS NOT NULL AND length(imei) IN (14, 15) AND imei[1] <> '0' "
            "AND ('0' || imei[1:7]) IN (SELECT tac FROM tacs) "
            "AND imei[1:8] NOT IN (SELECT tac FROM tacs)"
        ),
    }
    if date_range:
        lo, hi = date_range
        conds["date_range"] = f"d < DATE {_q(lo.isoformat())} OR d > DATE {_q(hi.isoformat())}"
    if not ctx.tacs:
        conds.pop("leading_zero_loss")
    for column in NULL_COLUMNS:
        conds[f"null_{column}"] = f"{column} IS NULL"
    return conds


def explain(name: str, value: str | None, ctx: DumpContext, rng: tuple[date, date] | None) -> str:
    """What the first offending value is and what was expected, for the error line."""
    shown = repr(value)
    if name == "invalid_rows":
        return f"{shown} is not a date; expected YYYYMMDD or YYYY-MM-DD"
    if name == "formula_text":
        return f"{shown} starts like a spreadsheet formula; expected an identifier"
    if name == "date_range" and rng:
        return f"{shown} is outside the file name's range {rng[0]} to {rng[1]}"
    if name == "future_dates":
        return f"{shown} is after today ({ctx.today})"
    if name == "unclean_imei":
        return f"{shown}: expected 14 to 16 ASCII digits"
    if name == "unclean_imsi":
        return f"{shown}: expected 14 or 15 ASCII digits"
    if name == "unclean_msisdn":
        return f"{shown}: expected 6 to 15 ASCII digits"
    if name == "unclean_rat":
        return f"{shown}: expected RAT codes like 006|010 or 2G|3G|4G|5G"
    if name == "foreign_imsi":
        return f"{shown} has MCC {str(value)[:3]}; expected one of {', '.join(ctx.country_mcc)}"
    if name == "off_network_imsi":
        return f"{shown}: expected an MCC-MNC of {', '.join(ctx.operator.mcc_mnc)}"
    if name == "leading_zero_loss":
        return f"{shown}: 0{str(value)[:7]} is an allocated TAC; a leading 0 was probably lost"
    if name.startswith("null_"):
        return "empty value"
    return shown


def _sums(con: duckdb.DuckDBPyConnection, table: str, conds: dict[str, str]) -> dict[str, int]:
    if not conds:
        return {}
    aggregates = ", ".join(f"coalesce(sum(n) FILTER (WHERE {c}), 0)" for c in conds.values())
    row = con.execute(f"SELECT {aggregates} FROM {table}").fetchone()
    return {name: int(value) for name, value in zip(conds, row, strict=True)}


def measure(
    con: duckdb.DuckDBPyConnection,
    ctx: DumpContext,
    stage: DumpStage,
    rng: tuple[date, date] | None,
    rows_select: str,
) -> None:
    """Fill `stage.counts` and `stage.results`: every check, with first offending lines."""
    conds = conditions(ctx, rng)
    days_table = "(SELECT d, rat, n FROM dump_days LEFT JOIN dump_dates USING (date_raw))"
    rows, days, first, last = con.execute(
        f"SELECT coalesce(sum(n), 0), count(DISTINCT d), min(d), max(d) FROM {days_table}"
    ).fetchone()
    svn_rows = "coalesce(sum(n) FILTER (WHERE length(imei) = 16 AND imei_key IS NOT NULL), 0)"
    if stage.has_imeisv:
        svn_rows = f"({svn_rows} + coalesce(sum(svn_n), 0))"
    clean_imsi, imeisv_rows = con.execute(
        f"SELECT coalesce(sum(n) FILTER (WHERE imsi_ok), 0), {svn_rows} FROM dump_triplets"
    ).fetchone()
    measured = {
        **_sums(con, days_table, {n: c for n, c in conds.items() if n in DATE_LEVEL}),
        **_sums(con, "dump_triplets", {n: c for n, c in conds.items() if n not in DATE_LEVEL}),
    }
    rows = int(rows)
    stage.counts = {
        "rows": rows,
        "imeisv_rows": int(imeisv_rows),
        "days": int(days),
        "first_date": first.isoformat() if first else None,
        "last_date": last.isoformat() if last else None,
        "file_date_range": [rng[0].isoformat(), rng[1].isoformat()] if rng else None,
        **{name: measured[name] for name in conds if name != "formula_text"},
    }
    stage.counts["invalid_rows"] += measured["formula_text"]
    measured["invalid_rows"] += measured["formula_text"]
    denominators = {"foreign_imsi": int(clean_imsi), "off_network_imsi": int(clean_imsi)}
    limits, disabled = ctx.limits, ctx.disabled
    results: list[_checks.CheckResult] = []
    for name in ROW_CHECKS:
        not_run = None
        if name == "date_range" and rng is None:
            not_run = "not run: the file name carries no <op>_<YYYYMMDD>_<YYYYMMDD> range"
        elif name == "leading_zero_loss" and not ctx.tacs:
            not_run = "not run: no TAC catalog (import one with: openceir import tac FILE)"
        elif name == "off_network_imsi" and not ctx.operator.mcc_mnc:
            not_run = f"not run: operator {ctx.operator.id} has no mcc_mnc configured"
        base = denominators.get(name, rows)
        value = (measured[name] / base if base else 0.0) if not not_run else None
        results.append(
            _checks.evaluate(
                name,
                value,
                limits,
                disabled,
                count=measured.get(name, 0),
                field=FIELDS[name][0],
                not_run=not_run,
            )
        )
    null_ratios = {c: (measured[f"null_{c}"] / rows if rows else 0.0) for c in NULL_COLUMNS}
    worst = max(null_ratios, key=lambda c: null_ratios[c])
    results.append(
        _checks.evaluate(
            "null_ratio",
            null_ratios[worst],
            limits,
            disabled,
            count=measured[f"null_{worst}"],
            field=worst,
            detail="; ".join(f"{c} {v:.2%}" for c, v in null_ratios.items()),
        )
    )
    results.append(volume(rows, int(days), ctx))
    for result in results:  # first offending lines, for failed row-level checks only
        if result.passed or result.not_run or result.name == "volume_drop":
            continue
        cond_name = f"null_{result.field}" if result.name == "null_ratio" else result.name
        column = FIELDS.get(result.name, (result.field, result.field))[1]
        where = conds[cond_name]
        if result.name == "invalid_rows":  # a bad date, or formula text in a column
            where = f"d IS NULL OR {FORMULA_ROW}"
            picks = " ".join(f"WHEN {_formula(c)} THEN {_q(c)}" for c in FORMULA_COLUMNS)
            column = (
                "CASE WHEN d IS NULL THEN date_raw "
                + " ".join(f"WHEN {_formula(c)} THEN {c}" for c in FORMULA_COLUMNS)
                + " END"
            )
            field_sql = f"CASE WHEN d IS NULL THEN 'date' {picks} END"
        else:
            field_sql = _q(result.field or "")
        examples = con.execute(
            f"SELECT line, CAST({column} AS VARCHAR), {field_sql} FROM ({rows_select}) "
            f"WHERE {where} ORDER BY line LIMIT {EXAMPLES}"
        ).fetchall()
        result.examples = [(int(line), value) for line, value, _f in examples]
        if examples:
            if result.name == "invalid_rows":
                result.field = examples[0][2]
                if result.field != "date":
                    cond_name = "formula_text"
            explained = explain(cond_name, examples[0][1], ctx, rng)
            result.detail = f"{explained}" + (f" ({result.detail})" if result.detail else "")
    stage.results = results


def volume(rows: int, days: int, ctx: DumpContext) -> _checks.CheckResult:
    """Rows per day against the average of the operator's recent imports."""
    if not ctx.history:
        return _checks.evaluate(
            "volume_drop",
            None,
            ctx.limits,
            ctx.disabled,
            not_run="not run: no earlier import of this operator",
        )
    average = sum(ctx.history) / len(ctx.history)
    per_day = rows / days if days else 0.0
    value = per_day / average if average else 1.0
    return _checks.evaluate(
        "volume_drop",
        value,
        ctx.limits,
        ctx.disabled,
        count=rows,
        detail=f"{per_day:.0f} rows per day against an average of {average:.0f} over the "
        f"last {len(ctx.history)} imports",
    )


__all__ = [
    "EXAMPLES",
    "FIELDS",
    "FORMULA_ROW",
    "NULL_COLUMNS",
    "conditions",
    "explain",
    "measure",
    "volume",
]
