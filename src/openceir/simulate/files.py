"""Output files in the formats importers accept: `.csv`, `.csv.gz`, or `.zip` with one CSV.

Writers are byte-for-byte deterministic (no timestamps in gzip or zip headers), so the same
seed gives identical files. Each writer takes header text once, then chunks of rows as Arrow
tables or pre-formatted lines.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

FORMATS = ("csv", "csv.gz", "zip")
LEVEL = 1  # deflate level: 5x faster than 6 for files about 15% larger
_ROWS = pa_csv.WriteOptions(include_header=False, quoting_style="none")


def file_name(stem: str, fmt: str) -> str:
    """The file name of `stem` in format `fmt` (`alpha_20261101_20261101.zip`)."""
    return f"{stem}.zip" if fmt == "zip" else f"{stem}.{fmt}"


class TableWriter:
    """One output file: a header line, then rows appended chunk by chunk."""

    def __init__(self, directory: Path, stem: str, fmt: str, header: str, *, large: bool = False):
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}")
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / file_name(stem, fmt)
        self.rows = 0
        self._raw: BinaryIO = self.path.open("wb")
        self._zip: zipfile.ZipFile | None = None
        self._out: BinaryIO
        if fmt == "csv":
            self._out = self._raw
        elif fmt == "csv.gz":
            self._out = gzip.GzipFile(
                filename="", mode="wb", fileobj=self._raw, mtime=0, compresslevel=LEVEL
            )  # type: ignore[assignment]
        else:
            self._zip = zipfile.ZipFile(self._raw, "w", compression=zipfile.ZIP_DEFLATED)
            info = zipfile.ZipInfo(f"{stem}.csv", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            # Python 3.13 names it compress_level; 3.11 and 3.12 only have the private field.
            setattr(
                info,
                "compress_level" if hasattr(info, "compress_level") else "_compresslevel",
                LEVEL,
            )
            info.external_attr = 0o644 << 16
            self._out = self._zip.open(info, "w", force_zip64=large)  # type: ignore[assignment]
        self._out.write(header.encode() + b"\n")

    def write_table(self, table: pa.Table | None) -> None:
        """Append rows; text columns only, never needing quotes."""
        if table is None or table.num_rows == 0:
            return
        sink = io.BytesIO()
        pa_csv.write_csv(table, sink, _ROWS)
        self._out.write(sink.getvalue())
        self.rows += table.num_rows

    def write_line_array(self, lines: pa.Array | None) -> None:
        """Append a text array whose every value is one newline-terminated CSV line."""
        if lines is None or len(lines) == 0:
            return
        offsets = np.frombuffer(
            lines.buffers()[1], dtype=np.int32, count=len(lines) + 1, offset=lines.offset * 4
        )
        data = lines.buffers()[2]
        self._out.write(memoryview(data)[int(offsets[0]) : int(offsets[-1])])
        self.rows += len(lines)

    def write_lines(self, rows: list[tuple[str, ...]], sep: str = ",") -> None:
        """Append rows given as tuples of text."""
        if rows:
            self._out.write(("\n".join(sep.join(r) for r in rows) + "\n").encode())
            self.rows += len(rows)

    def write_text(self, lines: list[str]) -> None:
        """Append pre-formatted CSV lines (without line ends)."""
        if lines:
            self._out.write(("\n".join(lines) + "\n").encode())
            self.rows += len(lines)

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Finish the file (flush compression, write the zip directory); idempotent."""
        if self._raw.closed:
            return
        if self._out is not self._raw:
            self._out.close()
        if self._zip is not None:
            self._zip.close()
        self._raw.close()
