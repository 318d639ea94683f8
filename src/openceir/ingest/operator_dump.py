"""Operator data dumps (architecture §5): `date,imei,imsi,msisdn,rat[,imeisv,cell,lat,lon,time]`.

Staged with DuckDB in two streaming passes over the CSV into small aggregates (`stage`),
checked on those (`dump_checks`), then each month merged into the lake (`write_lake`).
Nothing is dropped: a malformed IMEI is kept as `imei_raw`; only rows whose date cannot be
parsed are rejected (and, unless the `invalid_rows` check is disabled, they fail the import).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from openceir.errors import InputError
from openceir.ingest import checks as _checks
from openceir.ingest import csv_reader
from openceir.ingest import dump_checks as _dump_checks
from openceir.ingest._identifiers import imei_key_sql, imsi_sql
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
HISTORY = 5
"""How many earlier imports of the operator the volume_drop check averages over."""


def stem(name: str) -> str:
    """A file name without its .csv/.txt/.gz/.zip endings.

    >>> stem("alpha_20261101_20261101.csv.gz")
    'alpha_20261101_20261101'
    """
    for suffix in (".gz", ".zip", ".csv", ".txt"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name


def operator_from_name(name: str) -> str | None:
    """The operator id a DIRBS-style file name starts with, if it has that form.

    >>> operator_from_name("beta_20261101_20261101.zip")
    'beta'
    """
    match = DIRBS_NAME.match(stem(name))
    return match["op"] if match else None


def date_range_from_name(name: str) -> tuple[date, date] | None:
    """The date range a DIRBS-style file name `<op>_<YYYYMMDD>_<YYYYMMDD>` promises.

    >>> date_range_from_name("alpha_20261101_20261107.csv.gz")
    (datetime.date(2026, 11, 1), datetime.date(2026, 11, 7))
    >>> date_range_from_name("dump.csv") is None
    True
    """
    match = DIRBS_NAME.match(stem(name))
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
    """A dump staged and measured: tables dump_days and dump_dates, view dump_triplets."""

    counts: dict[str, Any] = field(default_factory=dict)
    results: list[_checks.CheckResult] = field(default_factory=list)
    has_sightings: bool = False
    has_imeisv: bool = False
    rows_select: str = ""
    """The per-row SELECT over the file (`rows_select`), for sightings."""

    @property
    def rows_read(self) -> int:
        return int(self.counts.get("rows", 0))

    @property
    def rows_rejected(self) -> int:
        return int(self.counts.get("invalid_rows", 0))


_q = csv_reader.quote
_ident = csv_reader.ident
duckdb_error = csv_reader.csv_error


def _col(ctx: DumpContext, canonical: str) -> str:
    return _ident(ctx.header.columns[ctx.positions[canonical]])


def _reader(ctx: DumpContext) -> str:
    """The one strict CSV reader over the dump (`csv_reader`), every column as text."""
    return csv_reader.reader_sql(ctx.csv_path, ctx.header, ctx.compression)


def _parse_date(column: str) -> str:
    return (
        f"CAST(CASE length({column}) WHEN 8 THEN try_strptime({column}, '%Y%m%d') "
        f"WHEN 10 THEN try_strptime({column}, '%Y-%m-%d') END AS DATE)"
    )


def rows_select(ctx: DumpContext) -> str:
    """The dump's rows, typed, with their file line number: for error lines and sightings.

    The streaming row_number() serialises the scan, so staging never uses this; only a
    failed check (to name its first lines) and a dump with cells or coordinates read it.
    """
    sightings = any(c in ctx.positions for c in ("cell", "lat", "lon"))
    extra = [""]
    for optional in ("imeisv", "cell", "lat", "lon", "time"):
        if optional in ctx.positions:
            extra.append(f"{_col(ctx, optional)} AS {optional}")
        elif sightings and optional != "imeisv":
            extra.append(f"NULL::VARCHAR AS {optional}")
    date_col, imei, imsi = _col(ctx, "date"), _col(ctx, "imei"), _col(ctx, "imsi")
    return f"""
        SELECT CAST(row_number() OVER () + 1 AS BIGINT) AS line, {date_col} AS date_raw,
               {_parse_date(date_col)} AS d,
               {imei} AS imei, {imei_key_sql(imei)} AS imei_key,
               {imsi} AS imsi, coalesce({imsi_sql(imsi)}, false) AS imsi_ok,
               {_col(ctx, "msisdn")} AS msisdn,
               {_col(ctx, "rat")} AS rat{", ".join(extra)}
        FROM {_reader(ctx)}
    """


def stage(con: duckdb.DuckDBPyConnection, ctx: DumpContext) -> DumpStage:
    """Read the dump twice, streaming, into two small aggregates, and measure every check.

    Pass 1 counts rows per (date string, RAT string): a few hundred rows, from which the
    dates are parsed and the RAT strings masked once each. Pass 2 groups the rows by
    (month, raw IMEI, IMSI, MSISDN), joining those two lookups: the day and RAT bitmasks,
    first and last seen and the row count come out of one hash aggregate, which DuckDB
    spills to disk past its memory limit, written to `<staging>/triplets.parquet` (view
    `dump_triplets`). IMEI keys and the identifier checks are computed once per group
    instead of once per row. Rows with an unparsable date stay
    in the aggregates (month NULL) so every check counts them; they never reach the lake.
    """
    ctx.staging_dir.mkdir(parents=True, exist_ok=True)
    reader = _reader(ctx)
    date_col, rat_col = _col(ctx, "date"), _col(ctx, "rat")
    has_imeisv = "imeisv" in ctx.positions
    svn_aggregates = (
        ", list(DISTINCT imeisv) FILTER (WHERE imeisv IS NOT NULL) AS svns, "
        "count(imeisv) AS svn_n, count(*) FILTER (WHERE imeisv IS NULL) AS svn_missing"
        if has_imeisv
        else ""
    )
    svn_column = f", {_col(ctx, 'imeisv')} AS imeisv" if has_imeisv else ""
    svn_outer = ", svns, svn_n, svn_missing" if has_imeisv else ""
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE dump_days AS SELECT {date_col} AS date_raw, "
            f"{rat_col} AS rat, count(*) AS n FROM {reader} GROUP BY ALL"
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE dump_dates AS "
            "SELECT date_raw, d, strftime(d, '%Y-%m') AS month, "
            "CAST(1 AS INTEGER) << CAST(day(d) - 1 AS INTEGER) AS day_bit "
            f"FROM (SELECT DISTINCT date_raw, {_parse_date('date_raw')} AS d FROM dump_days)"
        )
        _rat_lookup(con)
        triplets = ctx.staging_dir / "triplets.parquet"
        con.execute(
            f"""
            COPY (
            SELECT month, imei, {imei_key_sql("imei")} AS imei_key,
                   imsi, coalesce({imsi_sql("imsi")}, false) AS imsi_ok, msisdn,
                   rat_mask, day_mask, first_seen, last_seen, n{svn_outer}
            FROM (
                SELECT t.month, s.imei, s.imsi, s.msisdn,
                       bit_or(r.rat_mask) AS rat_mask, bit_or(t.day_bit) AS day_mask,
                       min(t.d) AS first_seen, max(t.d) AS last_seen,
                       count(*) AS n{svn_aggregates}
                FROM (SELECT {date_col} AS date_raw, {_col(ctx, "imei")} AS imei,
                             {_col(ctx, "imsi")} AS imsi, {_col(ctx, "msisdn")} AS msisdn,
                             {rat_col} AS rat{svn_column}
                      FROM {reader}) s
                LEFT JOIN dump_dates t ON s.date_raw = t.date_raw
                LEFT JOIN rat_lookup r ON s.rat = r.rat
                GROUP BY t.month, s.imei, s.imsi, s.msisdn
            )
            ) TO {_q(str(triplets))} (FORMAT parquet, COMPRESSION snappy)
            """
        )
        con.execute(
            "CREATE OR REPLACE TEMP VIEW dump_triplets AS "
            f"SELECT * FROM read_parquet({_q(str(triplets))})"
        )
    except duckdb.Error as exc:
        raise duckdb_error(exc, ctx.source_name) from None
    _load_tacs(con, ctx.tacs)
    result = DumpStage(
        has_sightings=any(c in ctx.positions for c in ("cell", "lat", "lon")),
        has_imeisv=has_imeisv,
        rows_select=rows_select(ctx),
    )
    _dump_checks.measure(
        con, ctx, result, date_range_from_name(ctx.source_name), result.rows_select
    )
    return result


def _load_tacs(con: duckdb.DuckDBPyConnection, tacs: Sequence[str]) -> None:
    """Table tacs(tac): the allocated TACs, for the leading-zero-loss check.

    Passed as one list parameter: registering an Arrow table would make DuckDB import
    pyarrow's dataset and pandas modules, about a second per import.
    """
    con.execute(
        "CREATE OR REPLACE TEMP TABLE tacs AS SELECT unnest(CAST(? AS VARCHAR[])) AS tac",
        [list(tacs)],
    )


def _rat_lookup(con: duckdb.DuckDBPyConnection) -> None:
    """Table rat_lookup(rat, rat_mask) for the distinct RAT strings of the dump.

    A dump has a handful of distinct RAT strings; masking those once in Python and joining
    is ~10x cheaper than list functions on every row (`rat_mask_sql`).
    """
    values = [
        r[0]
        for r in con.execute("SELECT DISTINCT rat FROM dump_days WHERE rat IS NOT NULL").fetchall()
    ]
    con.execute(
        "CREATE OR REPLACE TEMP TABLE rat_lookup AS "
        "SELECT unnest(CAST(? AS VARCHAR[])) AS rat, unnest(CAST(? AS SMALLINT[])) AS rat_mask",
        [values, [rat_mask(v) for v in values]],
    )


def write_lake(
    con: duckdb.DuckDBPyConnection,
    stage_: DumpStage,
    root: Path,
    operator_id: str,
    current: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, int]]:
    """Merge the staged triplets into new month files; returns (manifest changes, written counts).

    Writes only new files; the caller switches the manifest.
    """
    months = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT month FROM dump_dates WHERE month IS NOT NULL ORDER BY 1"
        ).fetchall()
    ]
    clean16 = "length(imei) = 16 AND imei_key IS NOT NULL"
    svn = f"CASE WHEN {clean16} THEN [imei] END"
    if stage_.has_imeisv:
        # An IMEISV column wins; a 16-digit IMEI counts only for rows that had none.
        own = f"CASE WHEN svn_missing > 0 AND {clean16} THEN [imei] ELSE [] END"
        svn = f"CASE WHEN len(svns) > 0 OR len({own}) > 0 THEN list_concat(svns, {own}) END"
    obs: dict[str, list[str]] = {}
    sig: dict[str, list[str]] = {}
    written = {"observations": 0, "sightings": 0}
    for month in months:
        rows_sql = f"""
            SELECT {_q(operator_id)} AS operator, month, imei_key,
                   CASE WHEN imei_key IS NULL THEN imei END AS imei_raw, imsi, msisdn,
                   CAST(coalesce(rat_mask, 0) AS SMALLINT) AS rat_mask,
                   CAST(day_mask AS INTEGER) AS day_mask,
                   first_seen, last_seen, {svn} AS imeisv
            FROM dump_triplets WHERE month = {_q(month)} AND NOT ({_dump_checks.FORMULA_ROW})
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
                FROM ({stage_.rows_select})
                WHERE strftime(d, '%Y-%m') = {_q(month)}
                  AND (cell IS NOT NULL OR lat IS NOT NULL OR lon IS NOT NULL)
                  AND NOT ({_dump_checks.FORMULA_ROW})
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
    "rows_select",
    "stage",
    "stem",
    "write_lake",
]
