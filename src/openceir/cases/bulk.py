"""Bulk filing by police or staff: a CSV of reports, each row through the same checks.

Columns (header required, any order; unknown columns are refused): `imei` (required),
`imei2`, `msisdn`, `kind`, `mode`, `brand`, `model`, `incident_date`, `place`,
`complaint_number`, `station`, `contact_msisdn`, `contact_email`, `reporter_name`,
`language`, `imsi`. Each row is filed in its own transaction and gets its own result: the
request ID (new or linked) and warnings, or the error naming the line and field.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from openceir.cases.report import file_report
from openceir.errors import InputError
from openceir.settings import Settings

COLUMNS = (
    "imei",
    "imei2",
    "msisdn",
    "kind",
    "mode",
    "brand",
    "model",
    "incident_date",
    "place",
    "complaint_number",
    "station",
    "contact_msisdn",
    "contact_email",
    "reporter_name",
    "language",
    "imsi",
)
MAX_ROWS = 100_000


@dataclass
class RowResult:
    """The outcome of one CSV row."""

    line: int
    request_id: str | None = None
    linked: bool = False
    error: str | None = None
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The row as JSON."""
        return {
            "line": self.line,
            "request_id": self.request_id,
            "linked": self.linked,
            "error": self.error,
            "warnings": self.warnings,
        }


def read_rows(text: str, name: str) -> list[tuple[int, dict[str, str]]]:
    """(line, row) pairs of a bulk CSV; a bad header is one InputError naming the file."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise InputError("empty file: a header line is needed", source=name, line=1)
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise InputError(
            f"unknown column {unknown[0]!r} (known: {', '.join(COLUMNS)})", source=name, line=1
        )
    if "imei" not in header:
        raise InputError("the column imei is required", source=name, line=1)
    reader.fieldnames = header
    out = []
    for row in reader:
        if len(out) >= MAX_ROWS:
            raise InputError(f"more than {MAX_ROWS} rows; split the file", source=name)
        if None in row:
            raise InputError("more fields than the header has", source=name, line=reader.line_num)
        out.append((reader.line_num, {k: v for k, v in row.items() if v not in (None, "")}))
    return out


def import_bulk(
    engine: Engine,
    settings: Settings,
    path: Path,
    *,
    actor: str,
    channel: str = "police",
    station: str | None = None,
) -> list[RowResult]:
    """File every row of a bulk CSV; `station` fills rows that name none."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", source=path.name) from None
    results = []
    for line, row in read_rows(text, path.name):
        if station and not row.get("station"):
            row["station"] = station
        try:
            filed = file_report(engine, settings, row, actor=actor, channel=channel)
        except InputError as exc:
            where = InputError(exc.reason, source=path.name, line=line, field=exc.field)
            results.append(RowResult(line, error=str(where)))
            continue
        results.append(RowResult(line, filed.request_id, filed.linked, None, filed.warnings))
    return results
