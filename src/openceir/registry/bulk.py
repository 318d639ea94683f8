"""Bulk Know Your Mobile checks for dealers and insurers: a file of IMEIs, a row per IMEI.

The file is read as a stream (`upload.read_batches`: a CSV with an `imei` column), each batch
answered by `KymIndex.bulk` in numpy column operations, and the rows written as CSV as they
come, so memory stays flat and a million IMEIs take about a second once the index is loaded.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TextIO

import numpy as np

from openceir.registry.kym import NO_DATE, KymIndex
from openceir.registry.upload import read_batches

COLUMNS = ("imei", "valid", "type_approved", "registered", "stolen", "duplicated", "status", "date")


def rows(index: KymIndex, imeis: np.ndarray) -> Iterator[tuple[str, ...]]:
    """CSV rows (see COLUMNS) for one batch; `date` is the block date for grace and blocked."""
    got = index.bulk(imeis)
    days = got["block_day"]
    dates = ["" if d == NO_DATE else date.fromordinal(int(d)).isoformat() for d in days.tolist()]
    yes = np.array(["no", "yes"])
    cols = [
        np.array([_cell(str(v)) for v in got["imei"].tolist()], dtype=object),
        *(
            yes[got[c].astype(int)]
            for c in ("valid", "type_approved", "registered", "stolen", "duplicated")
        ),
        got["status"],
    ]
    for i, row in enumerate(zip(*(c.tolist() for c in cols), strict=True)):
        yield (*row, dates[i])


def _cell(text: str) -> str:
    """The IMEI as written, cut to 32 characters, neutralised if a spreadsheet would run it."""
    text = text[:32].replace("\n", " ").replace("\r", " ")
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t") else text


def check_file(index: KymIndex, path: Path, out: TextIO, *, max_imeis: int = 10_000_000) -> int:
    """Write a CSV answer row per IMEI of the file at `path` to `out`; returns the count."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for batch in read_batches(path, max_imeis):
        writer.writerows(rows(index, batch.imeis))
        count += batch.imeis.shape[0]
    return count


__all__ = ["COLUMNS", "check_file", "rows"]
