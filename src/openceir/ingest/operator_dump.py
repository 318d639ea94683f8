"""Operator data dumps (DESIGN §5): `date,imei,imsi,msisdn,rat[,imeisv,cell,lat,lon,time]`.

Staged with DuckDB in three passes: parse the CSV once into a typed staging Parquet file
(line number, parsed date, IMEI key, RAT bitmask), measure every check with one aggregate
over it, then merge each month into the lake. Nothing is dropped: a malformed IMEI is kept
as `imei_raw`; only rows whose date cannot be parsed are rejected (and, unless the
`invalid_rows` check is disabled, they fail the import).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from openceir.errors import InputError
from openceir.ingest import checks as _checks
from openceir.ingest._identifiers import imei_key_sql, imsi_sql, msisdn_sql
from openceir.ingest.files import Header
from openceir.ingest.source import Source
from openceir.lake import manifest as _manifest
from openceir.lake import parquet as _parquet
from openceir.lake.rat import rat_mask
from openceir.settings import Operator

SOURCE = Source(
    kind="operator",
    title="operator data dump",
    required=("date", "imei", "imsi", "msisdn", "rat"),
    optional=("imeisv", "cell", "lat", "lon", "time"),
    aliases={"triplet_date": "date", "rat_type": "rat", "latitude": "lat", "longitude": "lon"},
    dirbs_kind="operator",
    example="openceir import operator alpha alpha_20261101_20261101.csv.gz",
)

DIRBS_NAME = re.compile(r"^(?P<op>.+)_(?P<start>\d{8})_(?P<end>\d{8})$")
EXAMPLES = 5
NULL_COLUMNS = ("imei", "imsi", "msisdn", "rat")
HISTORY = 5
"""How many earlier imports of the operator the volume_drop check averages over."""


def _stem(name: str) -> str:
    for suffix in (".gz", ".zip", ".csv", ".txt"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name


def operator_from_name(name: str) -> str | None:
    """The operator id a DIRBS-style file name starts with, if it has that form.

    >>> operator_from_name("beta_20261101_20261101.zip")
    'beta'
    """
    match = DIRBS_NAME.match(_stem(name))
    return match["op"] if match else None


def date_range_from_name(name: str) -> tuple[date, date] | None:
    """The date range a DIRBS-style file name `<op>_<YYYYMMDD>_<YYYYMMDD>` promises.

    >>> date_range_from_name("alpha_20261101_20261107.csv.gz")
    (datetime.date(2026, 11, 1), datetime.date(2026, 11, 7))
    >>> date_range_from_name("dump.csv") is None
    True
    """
    match = DIRBS_NAME.match(_stem(name))
    if not match:
        return None
    try:
        start = date(int(match["start"][:4]), int(match["start"][4:6]), int(match["start"][6:]))
        end = date(int(match["end"][:4]), int(match["end"][4:6]), int(match["end"][6:]))
    except ValueError:
        raise InputError(
            f"file name dates {match['start']}_{match['end']} are not real dates", source=name
        ) from None
    if end < start:
        raise InputError(f"file name range ends ({end}) before it starts ({start})", source=name)
    return start, end


@dataclass
class DumpContext:
    """What staging a dump needs; built by the pipeline."""

    source_name: str
    csv_path: Path
    header: Header
    positions: Mapping[str, int]
    operator: Operator
    country_mcc: Sequence[str]
    today: date
    tacs: Sequence[str]
    history: Sequence[float]
    limits: Mapping[str, float]
    disabled: set[str]
    staging_dir: Path
    compression: str = "none"


@dataclass
class DumpStage:
    """A dump parsed into staging and measured: counts and check results."""

    staging: Path
    counts: dict[str, Any] = field(default_factory=dict)
    results: list[_checks.CheckResult] = field(default_factory=list)
    has_sightings: bool = False
    has_imeisv: bool = False

    @property
    def rows_read(self) -> int:
        return int(self.counts.get("rows", 0))

    @property
    def rows_rejected(self) -> int:
        return int(self.counts.get("invalid_rows", 0))


def _q(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def duckdb_error(exc: duckdb.Error, source: str) -> InputError:
    """Turn a DuckDB CSV or decompression error into one line naming file, line and problem."""
    text = str(exc)
    line_match = re.search(r"Line: (\d+)", text)
    line = int(line_match.group(1)) if line_match else None
    columns = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    if columns:
        reason = f"{columns.group(2)} fields, expected {columns.group(1)} as in the header"
    elif "unterminated quote" in text:
        reason = "a value with an unterminated quote; expected balanced double quotes"
    elif "maximum line size" in text.lower() or (
        "Original Line" in text and line_match and len(text) > 10_000
    ):
        reason = "the line is too long (over 2 MB); expected one row per line"
    elif "GZIP" in text or "gzip" in text or "zlib" in text or "compressed" in text.lower():
        reason = "gzip data is truncated or corrupt; expected a complete gzip file"
        line = None
    elif "Invalid unicode" in text or "UTF" in text:
        reason = "not valid UTF-8 text; expected a UTF-8 CSV file"
    else:
        reason = text.splitlines()[0][:300]
    return InputError(reason, source=source, line=line)


def _rows_select(ctx: DumpContext, *, with_line: bool) -> str:
    """The typed staging columns over the CSV; `line` (file line number) only when asked.

    Line numbers need a streaming row_number() that serialises the scan, so staging goes
    without them and the (rare) failure report reads the file again with them.
    """
    names = ctx.header.columns

    def col(canonical: str) -> str:
        return _ident(names[ctx.positions[canonical]])

    struct = "{" + ", ".join(f"{_q(n)}: 'VARCHAR'" for n in names) + "}"
    reader = (
        f"read_csv({_q(str(ctx.csv_path))}, header = true, auto_detect = false, "
        f"columns = {struct}, delim = {_q(ctx.header.delimiter)}, quote = '\"', escape = '\"', "
        f"strict_mode = true, null_padding = false, compression = {_q(ctx.compression)})"
    )
    # Optional columns are staged only when present (sightings need all four together).
    sightings = any(c in ctx.positions for c in ("cell", "lat", "lon"))
    extra = [""]
    for optional in ("imeisv", "cell", "lat", "lon", "time"):
        if optional in ctx.positions:
            extra.append(f"{col(optional)} AS {optional}")
        elif sightings and optional != "imeisv":
            extra.append(f"NULL::VARCHAR AS {optional}")
    date_col = col("date")
    line = (
        f"CAST(row_number() OVER () + 1 AS BIGINT) AS line, {date_col} AS date_raw,"
        if with_line
        else ""
    )
    return f"""
        SELECT {line}
               CAST(CASE length({date_col})
                    WHEN 8 THEN try_strptime({date_col}, '%Y%m%d')
                    WHEN 10 THEN try_strptime({date_col}, '%Y-%m-%d') END AS DATE) AS d,
               {col("imei")} AS imei, {imei_key_sql(col("imei"))} AS imei_key,
               {col("imsi")} AS imsi, coalesce({imsi_sql(col("imsi"))}, false) AS imsi_ok,
               {col("msisdn")} AS msisdn,
               {col("rat")} AS rat{", ".join(extra)}
        FROM {reader}
    """


def stage(con: duckdb.DuckDBPyConnection, ctx: DumpContext) -> DumpStage:
    """Parse the CSV into a typed staging Parquet file and measure every check."""
    ctx.staging_dir.mkdir(parents=True, exist_ok=True)
    staging = ctx.staging_dir / "rows.parquet"
    select = _rows_select(ctx, with_line=False)
    try:
        con.execute(f"COPY ({select}) TO {_q(str(staging))} (FORMAT parquet)")
    except duckdb.Error as exc:
        raise duckdb_error(exc, ctx.source_name) from None
    _rat_lookup(con, staging)
    result = DumpStage(
        staging=staging,
        has_sightings=any(c in ctx.positions for c in ("cell", "lat", "lon")),
        has_imeisv="imeisv" in ctx.positions,
    )
    _measure(con, ctx, result)
    return result


def _rat_lookup(con: duckdb.DuckDBPyConnection, staging: Path) -> None:
    """Table rat_lookup(rat, rat_mask) for the distinct RAT values of the dump.

    A dump has a handful of distinct RAT strings; masking those once in Python and joining
    is ~10x cheaper than list functions on every row (`rat_mask_sql`).
    """
    values = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT rat FROM read_parquet({_q(str(staging))}) WHERE rat IS NOT NULL"
        ).fetchall()
    ]
    table = pa.table(
        {
            "rat": pa.array(values, pa.string()),
            "rat_mask": pa.array([rat_mask(v) for v in values], pa.int16()),
        }
    )
    con.register("rat_values", table)
    con.execute("CREATE OR REPLACE TEMP TABLE rat_lookup AS SELECT * FROM rat_values")
    con.unregister("rat_values")


def _conditions(ctx: DumpContext, date_range: tuple[date, date] | None) -> dict[str, str]:
    """The row predicate of each row-level check, over the staging columns."""
    mccs = ", ".join(_q(m) for m in ctx.country_mcc) or "NULL"
    home = " OR ".join(f"starts_with(imsi, {_q(p)})" for p in ctx.operator.mcc_mnc) or "true"
    conds = {
        "invalid_rows": "d IS NULL",
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
    for column in NULL_COLUMNS:
        conds[f"null_{column}"] = f"{column} IS NULL"
    return conds


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


def _explain(name: str, value: str | None, ctx: DumpContext, rng: tuple[date, date] | None) -> str:
    """What the first offending value is and what was expected, for the error line."""
    shown = repr(value)
    if name == "invalid_rows":
        return f"{shown} is not a date; expected YYYYMMDD or YYYY-MM-DD"
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


def _measure(con: duckdb.DuckDBPyConnection, ctx: DumpContext, stage_: DumpStage) -> None:
    rng = date_range_from_name(ctx.source_name)
    con.execute("CREATE OR REPLACE TEMP TABLE tacs (tac VARCHAR)")
    if ctx.tacs:
        con.executemany("INSERT INTO tacs VALUES (?)", [(t,) for t in ctx.tacs])
    conds = _conditions(ctx, rng)
    if not ctx.tacs:
        conds.pop("leading_zero_loss")
    staging = _q(str(stage_.staging))
    svn_rows = "count(*) FILTER (WHERE length(imei) = 16 AND imei_key IS NOT NULL)"
    if stage_.has_imeisv:
        svn_rows = f"({svn_rows} + count(imeisv))"
    aggregates = ", ".join(f"count(*) FILTER (WHERE {c}) AS {n}" for n, c in conds.items())
    row = con.execute(
        f"SELECT count(*) AS rows, count(DISTINCT d) AS days, min(d), max(d), "
        f"count(*) FILTER (WHERE imsi_ok) AS clean_imsi, {svn_rows} AS imeisv_rows, "
        f"{aggregates} "
        f"FROM read_parquet({staging})"
    ).fetchone()
    rows, days, first, last, clean_imsi, imeisv_rows = row[:6]
    measured = dict(zip(conds, row[6:], strict=True))
    counts: dict[str, Any] = {
        "rows": rows,
        "imeisv_rows": imeisv_rows,
        "days": days,
        "first_date": first.isoformat() if first else None,
        "last_date": last.isoformat() if last else None,
        "file_date_range": [rng[0].isoformat(), rng[1].isoformat()] if rng else None,
        **measured,
    }
    stage_.counts = counts
    limits, disabled = ctx.limits, ctx.disabled
    denominators = {"foreign_imsi": clean_imsi, "off_network_imsi": clean_imsi}
    results: list[_checks.CheckResult] = []

    def ratio(name: str) -> float | None:
        base = denominators.get(name, rows)
        return (measured[name] / base) if base else 0.0

    for name in (
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
    ):
        not_run = None
        if name == "date_range" and rng is None:
            not_run = "not run: the file name carries no <op>_<YYYYMMDD>_<YYYYMMDD> range"
        elif name == "leading_zero_loss" and not ctx.tacs:
            not_run = "not run: no TAC catalog (import one with: openceir import tac FILE)"
        elif name == "off_network_imsi" and not ctx.operator.mcc_mnc:
            not_run = f"not run: operator {ctx.operator.id} has no mcc_mnc configured"
        field_name = FIELDS[name][0]
        result = _checks.evaluate(
            name,
            None if not_run else ratio(name),
            limits,
            disabled,
            count=measured.get(name, 0),
            field=field_name,
            not_run=not_run,
        )
        results.append(result)
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
    results.append(_volume(rows, days, ctx))
    for result in results:  # first offending lines, for failed row-level checks only
        if result.passed or result.not_run or result.name == "volume_drop":
            continue
        cond_name = f"null_{result.field}" if result.name == "null_ratio" else result.name
        column = FIELDS.get(result.name, (result.field, result.field))[1]
        examples = con.execute(
            f"SELECT line, CAST({column} AS VARCHAR) FROM ({_rows_select(ctx, with_line=True)}) "
            f"WHERE {conds[cond_name]} ORDER BY line LIMIT {EXAMPLES}"
        ).fetchall()
        result.examples = [(int(line), value) for line, value in examples]
        if examples:
            explained = _explain(cond_name, examples[0][1], ctx, rng)
            result.detail = f"{explained}" + (f" ({result.detail})" if result.detail else "")
    stage_.results = results


def _volume(rows: int, days: int, ctx: DumpContext) -> _checks.CheckResult:
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


def _month_bounds(month: str) -> tuple[str, str]:
    year, mon = int(month[:4]), int(month[5:])
    nxt = (year + (mon == 12), 1 if mon == 12 else mon + 1)
    return f"{month}-01", f"{nxt[0]:04d}-{nxt[1]:02d}-01"


def write_lake(
    con: duckdb.DuckDBPyConnection,
    stage_: DumpStage,
    root: Path,
    operator_id: str,
    current: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, int]]:
    """Merge the staged rows into new month files; returns (manifest changes, written counts).

    Writes only new files; the caller switches the manifest.
    """
    staging = _q(str(stage_.staging))
    first, last = stage_.counts.get("first_date"), stage_.counts.get("last_date")
    if first is None or last is None:
        months: list[str] = []
    elif first[:7] == last[:7]:
        months = [first[:7]]
    else:
        months = [
            r[0]
            for r in con.execute(
                f"SELECT DISTINCT strftime(d, '%Y-%m') FROM read_parquet({staging}) "
                "WHERE d IS NOT NULL ORDER BY 1"
            ).fetchall()
        ]
    svn = "CASE WHEN length(imei) = 16 AND imei_key IS NOT NULL THEN [imei] END"
    if stage_.has_imeisv:
        svn = f"CASE WHEN imeisv IS NOT NULL THEN [imeisv] ELSE {svn} END"
    obs: dict[str, list[str]] = {}
    sig: dict[str, list[str]] = {}
    written = {"observations": 0, "sightings": 0}
    for month in months:
        lo, hi = _month_bounds(month)
        where = f"d >= DATE {_q(lo)} AND d < DATE {_q(hi)}"
        rows_sql = f"""
            SELECT {_q(operator_id)} AS operator, {_q(month)} AS month, imei_key,
                   CASE WHEN imei_key IS NULL THEN imei END AS imei_raw, imsi, msisdn,
                   CAST(coalesce(r.rat_mask, 0) AS SMALLINT) AS rat_mask,
                   CAST(1 AS INTEGER) << CAST(day(d) - 1 AS INTEGER) AS day_mask,
                   d AS first_seen, d AS last_seen, {svn} AS imeisv
            FROM read_parquet({staging}) s LEFT JOIN rat_lookup r ON s.rat = r.rat
            WHERE {where}
        """
        old = _manifest.files(current, "observations", [operator_id], [month])
        out, relative = _parquet.new_file(root, "observations", operator_id, month)
        written["observations"] += _parquet.merge_month(
            con,
            rows_sql,
            [root / p for p in old],
            out,
            operator=operator_id,
            month=month,
            new_has_imeisv=bool(stage_.counts.get("imeisv_rows")),
        )
        obs[month] = [relative]
        if stage_.has_sightings:
            sig_sql = f"""
                SELECT {_q(operator_id)} AS operator, {_q(month)} AS month, imei_key,
                       CASE WHEN imei_key IS NULL THEN imei END AS imei_raw, imsi,
                       d AS date, time, cell, TRY_CAST(lat AS DOUBLE) AS lat,
                       TRY_CAST(lon AS DOUBLE) AS lon
                FROM read_parquet({staging})
                WHERE {where} AND (cell IS NOT NULL OR lat IS NOT NULL OR lon IS NOT NULL)
            """
            out, relative = _parquet.new_file(root, "sightings", operator_id, month)
            count = _parquet.write_sightings(con, sig_sql, out)
            if count:
                previous = _manifest.files(current, "sightings", [operator_id], [month])
                sig[month] = [*previous, relative]
                written["sightings"] += count
            else:
                out.unlink()
    changes: dict[str, Any] = {"observations": {operator_id: obs}}
    if sig:
        changes["sightings"] = {operator_id: sig}
    return changes, written


__all__ = [
    "SOURCE",
    "DumpContext",
    "DumpStage",
    "date_range_from_name",
    "duckdb_error",
    "operator_from_name",
    "stage",
    "write_lake",
]
