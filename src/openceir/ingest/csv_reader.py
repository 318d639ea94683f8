"""The one CSV parser of every import: DuckDB's strict streaming reader, every column as text.

Operator dumps stream through it in SQL; registers read its rows into memory. Either way a
file that is not well-formed CSV (an unterminated quote, a row with the wrong number of
fields, bad UTF-8, a truncated gzip) is a structural error that always stops the import,
named by `csv_error` with the line DuckDB reports: for a quote, the line where it opened.
No check can switch that off.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pyarrow as pa

from openceir.errors import InputError
from openceir.ingest.files import Header


def quote(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def ident(name: str) -> str:
    """A SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def reader_sql(csv_path: Path, header: Header, compression: str = "none") -> str:
    """DuckDB's strict streaming reader over a plain or gzip CSV, every column as VARCHAR."""
    struct = "{" + ", ".join(f"{quote(n)}: 'VARCHAR'" for n in header.columns) + "}"
    return (
        f"read_csv({quote(str(csv_path))}, header = true, auto_detect = false, "
        f"columns = {struct}, delim = {quote(header.delimiter)}, quote = '\"', escape = '\"', "
        f"strict_mode = true, null_padding = false, compression = {quote(compression)})"
    )


def csv_error(exc: duckdb.Error, source: str) -> InputError:
    """Turn a DuckDB CSV or decompression error into one line naming file, line and problem."""
    text = str(exc)
    line_match = re.search(r"Line: (\d+)", text)
    line = int(line_match.group(1)) if line_match else None
    columns = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    if columns:
        reason = f"{columns.group(2)} fields, expected {columns.group(1)} as in the header"
    elif "unterminated quote" in text:
        reason = (
            "a value with an unterminated quote starts on this line; "
            "expected balanced double quotes"
        )
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


def read_table(csv_path: Path, header: Header, source: str, compression: str = "none") -> pa.Table:
    """Every data row of a (small) CSV as text columns named as in the header.

    Row i of the table is line i + 2 of the file when no value spans lines and no line is
    blank (blank lines are skipped). A structural error raises `csv_error`'s InputError.
    """
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET enable_progress_bar = false")
        sql = f"SELECT * FROM {reader_sql(csv_path, header, compression)}"
        return con.sql(sql).to_arrow_table()
    except duckdb.Error as exc:
        raise csv_error(exc, source) from None
    finally:
        con.close()


__all__ = ["csv_error", "ident", "quote", "read_table", "reader_sql"]
