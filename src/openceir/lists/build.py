"""Output lists of architecture §5 (DIRBS columns): blacklist, notifications, exceptions, deltas.

Pure functions over Arrow tables, computed in DuckDB (never per-row Python):
- `state`: classification state as `classify.state.current` returns it (imei_key, imei_raw,
  block_date, blocking, reasons, clone_imsis, genuine_imsis);
- `triplets`: (operator, imei_key, imei_raw, imsi, msisdn, last_seen) seen on the network;
- `pairing`: (imei_key, imei_raw, imsi); `exempt`: (imei_key, imei_raw);
- `home`: (operator, prefix) MCC-MNC prefixes of each operator's IMSIs.
An IMEI whose clones were told apart is blacklisted; its genuine IMSIs become exceptions.

The lists an EIR needs besides those three (`register_lists`): `barred_tacs` (`tac`),
`tracked` (the monitoring list, `imei`) and `registered` (registration list plus exempt IMEIs,
`imei`; restrictive mode answers on it). Exempt IMEIs are never tracked.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from openceir.fileio import FORMULA_PATTERN
from openceir.identifiers.luhn import check_digits

IDENT = "coalesce(lpad(CAST({t}.imei_key AS VARCHAR), 14, '0'), {t}.imei_raw)"

BLACKLIST_COLUMNS = ["imei", "block_date", "reasons"]
NOTIFICATION_COLUMNS = ["imei", "imsi", "msisdn", "block_date", "reasons"]
EXCEPTION_COLUMNS = ["imei", "imsi"]
IMEI_COLUMNS = ["imei"]
TAC_COLUMNS = ["tac"]


def _con(**tables: pa.Table) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for name, table in tables.items():
        con.register(name, table)
    return con


def _blocked_sql(as_of: date) -> str:
    """Per IMEI (grouped on the integer key, not text): due and pending blocking conditions.

    Most IMEIs have one blocking condition: those rows skip the list aggregation (3x less CPU
    on 5M IMEIs); only IMEIs with several conditions are grouped.
    """
    due = f"block_date <= DATE '{as_of}'"
    one_reasons = (
        "CASE WHEN len(reasons) = 1 AND reasons[1] IS NOT NULL THEN reasons "
        "ELSE list_sort(list_distinct(coalesce(reasons, []))) END"
    )
    return f"""
        WITH s AS (
            SELECT s.*, CASE WHEN s.imei_key IS NULL THEN s.imei_raw END AS raw FROM state s
            ANTI JOIN exempt e ON s.imei_key IS NOT DISTINCT FROM e.imei_key
                AND (s.imei_key IS NOT NULL OR s.imei_raw IS NOT DISTINCT FROM e.imei_raw)
            WHERE s.blocking AND s.block_date IS NOT NULL
        ), multi AS (
            SELECT imei_key, raw FROM s GROUP BY ALL HAVING count(*) > 1
        ), one AS (
            SELECT imei_key, raw AS imei_raw,
                   CASE WHEN {due} THEN block_date END AS block_date,
                   block_date AS first_block,
                   CASE WHEN {due} THEN {one_reasons}
                       END AS due_reasons,
                   {one_reasons} AS all_reasons,
                   coalesce(clone_imsis, []) AS clone_imsis,
                   coalesce(genuine_imsis, []) AS genuine_imsis
            FROM s ANTI JOIN multi m ON s.imei_key IS NOT DISTINCT FROM m.imei_key
                AND s.raw IS NOT DISTINCT FROM m.raw
        ), many AS (
            SELECT imei_key, raw AS imei_raw,
                   min(block_date) FILTER (WHERE {due}) AS block_date,
                   min(block_date) AS first_block,
                   list_sort(list_distinct(flatten(list(reasons) FILTER (WHERE {due}))))
                       AS due_reasons,
                   list_sort(list_distinct(flatten(list(reasons)))) AS all_reasons,
                   coalesce(flatten(list(clone_imsis) FILTER (WHERE clone_imsis IS NOT NULL)), [])
                       AS clone_imsis,
                   coalesce(flatten(list(genuine_imsis)
                       FILTER (WHERE genuine_imsis IS NOT NULL)), []) AS genuine_imsis
            FROM s SEMI JOIN multi m ON s.imei_key IS NOT DISTINCT FROM m.imei_key
                AND s.raw IS NOT DISTINCT FROM m.raw
            GROUP BY 1, 2
        ), g AS (SELECT * FROM one UNION ALL SELECT * FROM many)
        SELECT {IDENT.format(t="g")} AS ident, g.* FROM g
    """


def _routed_sql(source: str) -> str:
    """Route (ident, imsi) pairs: to the IMSI's home operator, else where the pair was seen."""
    return f"""
        SELECT DISTINCT coalesce(h.operator, x.operator) AS operator, x.* EXCLUDE (operator)
        FROM ({source}) x LEFT JOIN home h ON starts_with(x.imsi, h.prefix)
    """


def generate(
    state: pa.Table,
    triplets: pa.Table,
    pairing: pa.Table,
    exempt: pa.Table,
    home: pa.Table,
    operators: list[str],
    as_of: date,
) -> tuple[pa.Table, dict[str, pa.Table], dict[str, pa.Table]]:
    """Blacklist, notifications per operator and exceptions per operator on `as_of`.

    Each table has `ident` (14-digit key text or raw IMEI), `imei_key`, the list columns and
    `reasons` as list<string>; operators without rows get empty tables.
    """
    con = _con(state=state, triplets=triplets, pairing=pairing, exempt=exempt, home=home)
    con.sql(f"CREATE TEMP TABLE agg AS {_blocked_sql(as_of)}")
    blacklist = con.sql(
        "SELECT ident, imei_key, block_date, due_reasons AS reasons FROM agg "
        "WHERE block_date IS NOT NULL ORDER BY imei_key NULLS LAST, ident"
    ).to_arrow_table()
    seen = f"""
        SELECT operator, {IDENT.format(t="t")} AS ident, imsi,
               arg_max(msisdn, last_seen) AS msisdn
        FROM triplets t GROUP BY ALL
    """
    con.sql(f"CREATE TEMP TABLE seen AS {seen}")
    notify_src = f"""
        SELECT t.operator, t.ident, a.imei_key, t.imsi, t.msisdn, a.first_block AS block_date,
               a.all_reasons AS reasons
        FROM agg a JOIN seen t USING (ident)
        WHERE a.block_date IS NULL
          AND (len(a.clone_imsis) = 0 OR list_contains(a.clone_imsis, t.imsi))
          AND NOT EXISTS (SELECT 1 FROM pairing p
                          WHERE {IDENT.format(t="p")} = t.ident AND p.imsi = t.imsi)
    """
    notified = con.sql(
        f"""SELECT operator, ident, imei_key, imsi, arg_max(msisdn, msisdn) AS msisdn,
                   any_value(block_date) AS block_date, any_value(reasons) AS reasons
            FROM ({_routed_sql(notify_src)}) GROUP BY operator, ident, imei_key, imsi
            ORDER BY operator, ident, imsi"""
    ).to_arrow_table()
    pairs = f"""
        SELECT {IDENT.format(t="p")} AS ident, p.imsi FROM pairing p
        UNION SELECT ident, unnest(genuine_imsis) AS imsi FROM agg WHERE len(genuine_imsis) > 0
    """
    con.execute("CREATE TEMP TABLE ops AS SELECT unnest(?::VARCHAR[]) AS operator", [operators])
    exceptions = con.sql(
        f"""
        WITH pairs AS (
            SELECT x.ident, a.imei_key, x.imsi FROM ({pairs}) x
            JOIN agg a USING (ident) WHERE a.block_date IS NOT NULL
        ), homed AS (
            SELECT h.operator, p.* FROM pairs p JOIN home h ON starts_with(p.imsi, h.prefix)
        ), roaming AS (
            SELECT p.* FROM pairs p ANTI JOIN homed h USING (ident, imsi)
        ), roaming_seen AS (
            SELECT DISTINCT s.operator, r.* FROM roaming r JOIN seen s USING (ident, imsi)
        ), roaming_unseen AS (
            SELECT o.operator, r.* FROM (SELECT * FROM roaming ANTI JOIN roaming_seen
                                         USING (ident, imsi)) r CROSS JOIN ops o
        )
        SELECT DISTINCT * FROM (SELECT * FROM homed UNION ALL SELECT * FROM roaming_seen
                                UNION ALL SELECT * FROM roaming_unseen)
        ORDER BY operator, ident, imsi
        """
    ).to_arrow_table()
    con.close()
    return blacklist, _split(notified, operators), _split(exceptions, operators)


def register_lists(
    barred_tacs: pa.Table, monitoring: pa.Table, registration: pa.Table, exempt: pa.Table
) -> tuple[pa.Table, pa.Table, pa.Table, pa.Table]:
    """(barred TACs, tracked, registered and exempt IMEIs), distinct and sorted as written.

    Exempt (golden) IMEIs travel on their own too: a barred TAC never blocks them.

    `barred_tacs` has `tac` (text; anything but 8 digits is dropped, as classification does);
    the others have (imei_key, imei_raw). Tracked leaves out exempt IMEIs; registered is the
    registration list plus the exempt IMEIs (both may use the network in restrictive mode).
    """
    con = _con(tacs=barred_tacs, monitoring=monitoring, registration=registration, exempt=exempt)
    try:
        tacs = con.sql(
            "SELECT DISTINCT CAST(trim(CAST(tac AS VARCHAR)) AS VARCHAR) AS tac FROM tacs "
            "WHERE regexp_full_match(trim(CAST(tac AS VARCHAR)), '[0-9]{8}') ORDER BY tac"
        ).to_arrow_table()
        ident = IDENT.format(t="x")
        tracked = con.sql(
            f"""SELECT DISTINCT {ident} AS ident, x.imei_key FROM monitoring x
                ANTI JOIN exempt e ON x.imei_key IS NOT DISTINCT FROM e.imei_key
                    AND (x.imei_key IS NOT NULL OR x.imei_raw IS NOT DISTINCT FROM e.imei_raw)
                WHERE x.imei_key IS NOT NULL OR x.imei_raw IS NOT NULL
                ORDER BY imei_key NULLS LAST, ident"""
        ).to_arrow_table()
        registered = con.sql(
            f"""SELECT DISTINCT {ident} AS ident, x.imei_key FROM (
                    SELECT imei_key, imei_raw FROM registration
                    UNION ALL SELECT imei_key, imei_raw FROM exempt) x
                WHERE x.imei_key IS NOT NULL OR x.imei_raw IS NOT NULL
                ORDER BY imei_key NULLS LAST, ident"""
        ).to_arrow_table()
        golden = con.sql(
            f"""SELECT DISTINCT {ident} AS ident, x.imei_key FROM exempt x
                WHERE x.imei_key IS NOT NULL OR x.imei_raw IS NOT NULL
                ORDER BY imei_key NULLS LAST, ident"""
        ).to_arrow_table()
    finally:
        con.close()
    return tacs, tracked, registered, golden


def _split(table: pa.Table, operators: list[str]) -> dict[str, pa.Table]:
    """One table per operator (without the operator column), empty ones included."""
    out = {}
    for op in operators:
        part = table.filter(pc.equal(table["operator"], op))
        out[op] = part.drop_columns(["operator"])
    return out


def imei_text(table: pa.Table, check_digit: bool) -> pa.Array:
    """The `imei` column: 14-digit key, or 15 digits with the Luhn digit, or the raw text."""
    ident = pc.cast(table["ident"], pa.string())
    if not check_digit or table.num_rows == 0:
        return ident
    keys = table["imei_key"]
    has_key = pc.is_valid(keys)
    digits = check_digits(pc.fill_null(keys, 0).to_numpy(zero_copy_only=False))
    with_cd = pc.binary_join_element_wise(ident, pa.array(digits).cast(pa.string()), "")
    return pc.if_else(has_key, with_cd, ident)


def safe_cells(table: pa.Table) -> pa.Table:
    """Every text cell a spreadsheet would run as a formula gets a leading `'` (idempotent).

    The vectorised twin of `fileio.safe_cell` (same pattern), applied by `csv_table` and by
    the one CSV writer of the lists (`run._write_csv`), so no published file carries one.
    """
    out = {}
    for name in table.column_names:
        column = table[name]
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            bad = pc.fill_null(pc.match_substring_regex(column, FORMULA_PATTERN), False)
            if pc.any(bad).as_py():
                column = pc.if_else(bad, pc.binary_join_element_wise("'", column, ""), column)
        out[name] = column
    return pa.table(out)


def csv_table(table: pa.Table, columns: list[str], check_digit: bool) -> pa.Table:
    """The table as written: `imei` text, reasons joined with `|` as DIRBS does, and no cell
    that a spreadsheet would run (`safe_cells`)."""
    cols: dict[str, pa.Array | pa.ChunkedArray] = {}
    for name in columns:
        if name == "imei":
            cols[name] = imei_text(table, check_digit)
        elif name == "reasons":
            cols[name] = pc.binary_join(table["reasons"], "|")
        elif name == "block_date":
            cols[name] = pc.cast(table["block_date"], pa.date32())
        else:
            cols[name] = pc.cast(table[name], pa.string())
    return safe_cells(pa.table(cols))


_DELTA_BLACKLIST = """
    SELECT coalesce(n.imei, o.imei) AS imei,
           coalesce(n.block_date, o.block_date) AS block_date,
           coalesce(n.reasons, o.reasons) AS reasons,
           CASE WHEN o.imei IS NULL THEN 'blocked' WHEN n.imei IS NULL THEN 'unblocked'
                ELSE 'changed' END AS change_type
    FROM new n FULL JOIN old o USING (imei)
    WHERE o.imei IS NULL OR n.imei IS NULL
       OR n.block_date IS DISTINCT FROM o.block_date OR n.reasons IS DISTINCT FROM o.reasons
"""

_DELTA_NOTIFICATIONS = """
    SELECT coalesce(n.imei, o.imei) AS imei, coalesce(n.imsi, o.imsi) AS imsi,
           coalesce(n.msisdn, o.msisdn) AS msisdn,
           coalesce(n.block_date, o.block_date) AS block_date,
           coalesce(n.reasons, o.reasons) AS reasons,
           CASE WHEN o.imei IS NULL THEN 'new'
                WHEN n.imei IS NOT NULL THEN 'changed'
                WHEN o.imei IN (SELECT imei FROM blacklist) THEN 'blacklisted'
                WHEN NOT EXISTS (SELECT 1 FROM seen s WHERE s.imei = o.imei AND s.imsi = o.imsi)
                    THEN 'no_longer_seen'
                ELSE 'resolved' END AS change_type
    FROM new n FULL JOIN old o USING (imei, imsi)
    WHERE o.imei IS NULL OR n.imei IS NULL OR n.msisdn IS DISTINCT FROM o.msisdn
       OR n.block_date IS DISTINCT FROM o.block_date OR n.reasons IS DISTINCT FROM o.reasons
"""


def _delta_set(columns: list[str]) -> str:
    """Delta of a list that is a set of rows: `added` / `removed`."""
    first = columns[0]
    picked = ", ".join(f"coalesce(n.{c}, o.{c}) AS {c}" for c in columns)
    return f"""
    SELECT {picked},
           CASE WHEN o.{first} IS NULL THEN 'added' ELSE 'removed' END AS change_type
    FROM new n FULL JOIN old o USING ({", ".join(columns)})
    WHERE o.{first} IS NULL OR n.{first} IS NULL
"""


_DELTA_EXCEPTIONS = _delta_set(EXCEPTION_COLUMNS)


def _as_text(table: pa.Table) -> pa.Table:
    """Every column as text, dates kept (both sides of a delta have `block_date` as date32)."""
    return pa.table(
        {
            n: table[n] if pa.types.is_date(table[n].type) else pc.cast(table[n], pa.string())
            for n in table.column_names
        }
    )


def delta(
    kind: str,
    new: pa.Table,
    old: pa.Table,
    *,
    blacklist: pa.Table | None = None,
    seen: pa.Table | None = None,
) -> pa.Table:
    """Rows that changed between two written lists (`csv_table` shape), with `change_type`.

    kind is blacklist / notifications / exceptions / barred_tacs / tracked / registered / exempt;
    notifications need this run's written `blacklist` and the `seen` (imei, imsi) pairs to tell
    blacklisted / no_longer_seen apart. The last three are sets: `added` / `removed`.
    """
    sql = {
        "blacklist": _DELTA_BLACKLIST,
        "notifications": _DELTA_NOTIFICATIONS,
        "exceptions": _DELTA_EXCEPTIONS,
        "barred_tacs": _delta_set(TAC_COLUMNS),
        "tracked": _delta_set(IMEI_COLUMNS),
        "registered": _delta_set(IMEI_COLUMNS),
        "exempt": _delta_set(IMEI_COLUMNS),
    }[kind]
    empty = pa.table({"imei": pa.array([], pa.string()), "imsi": pa.array([], pa.string())})
    con = _con(
        new=_as_text(new),
        old=_as_text(old),
        blacklist=_as_text(blacklist) if blacklist is not None else empty,
        seen=_as_text(seen) if seen is not None else empty,
    )
    try:
        return con.sql(sql).to_arrow_table()
    finally:
        con.close()


__all__ = [
    "BLACKLIST_COLUMNS",
    "EXCEPTION_COLUMNS",
    "IMEI_COLUMNS",
    "NOTIFICATION_COLUMNS",
    "TAC_COLUMNS",
    "csv_table",
    "delta",
    "generate",
    "imei_text",
    "register_lists",
    "safe_cells",
]
