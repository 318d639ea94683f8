"""A registration upload read as a stream: a CSV of `imei[,device]`, in bounded batches.

Memory stays flat whatever the file's size: pyarrow reads 1 MiB blocks, each becomes a
batch of at most a block's rows, and reading stops with an InputError as soon as the file
holds more IMEIs than allowed, so a 2 GB file costs one block, not 2 GB. A file that is not
CSV text, or has no `imei` column, is one error naming the file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from openceir.errors import InputError

BLOCK = 1 << 20


@dataclass(frozen=True)
class Batch:
    """Consecutive rows of an upload: first line number, IMEI texts and device ids."""

    first_line: int
    imeis: np.ndarray
    devices: np.ndarray | None


def read_batches(path: Path, max_imeis: int) -> Iterator[Batch]:
    """The upload's rows in batches (line 2 is the first row); InputError on a bad file."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise InputError("file not found", source=name)
    with path.open("rb") as fh:
        head = fh.read(4096)
    if b"\x00" in head:
        raise InputError("not a CSV text file (binary data)", source=name)
    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=BLOCK),
            parse_options=pacsv.ParseOptions(newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types={"imei": pa.string(), "device": pa.string()},
                strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise InputError(f"not a readable CSV file ({_short(exc)})", source=name) from None
    columns = reader.schema.names
    if "imei" not in columns:
        raise InputError(f"no `imei` column (columns: {', '.join(columns)[:200]})", source=name)
    line, total = 2, 0
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise InputError(
                f"not a readable CSV after line {line - 1} ({_short(exc)})", source=name
            ) from None
        total += batch.num_rows
        if total > max_imeis:
            raise InputError(
                f"more than {max_imeis:,} IMEIs; split the upload into several requests",
                source=name,
            )
        imeis = batch.column("imei").to_numpy(zero_copy_only=False).astype(str)
        devices = None
        if "device" in columns:
            devices = batch.column("device").to_numpy(zero_copy_only=False).astype(str)
        yield Batch(line, imeis, devices)
        line += batch.num_rows


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def _short(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__


__all__ = ["Batch", "read_batches", "sha256_file"]
