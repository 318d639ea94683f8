"""Input files: `.csv`, `.csv.gz` or `.zip` holding one CSV; hashing, opening, header checks.

Everything here fails with an InputError naming the file (and line and field where there is
one) and what was expected, before any row is staged: a header is checked with Python's csv
on the first line, so a wrong header or delimiter reads as a sentence, not a parser error.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import shutil
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from openceir.errors import InputError

MAX_HEADER_BYTES = 64 * 1024
"""A header line longer than this is not a header (binary junk or a one-line file)."""

OTHER_DELIMITERS = (";", "\t", "|", ",")


@dataclass(frozen=True)
class Header:
    """The columns of a file's first line, canonicalised, and the delimiter they use."""

    columns: tuple[str, ...]
    delimiter: str


def sha256(path: Path) -> str:
    """The SHA-256 of the file's bytes, as hex (what makes a re-import a no-op)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def compression(path: Path) -> str:
    """'gzip', 'zip' or 'none', from the file's magic bytes (not its name)."""
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic[:2] == b"\x1f\x8b":
        return "gzip"
    if magic[:4] == b"PK\x03\x04" or magic[:4] == b"PK\x05\x06":
        return "zip"
    return "none"


def zip_member(path: Path) -> str:
    """The one CSV inside a zip file, or an InputError saying what the zip holds."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [i.filename for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(
            f"not a readable zip file ({exc}); expected a zip holding one CSV", source=path.name
        ) from None
    if len(names) != 1:
        listed = ", ".join(names[:5]) or "nothing"
        raise InputError(
            f"zip holds {len(names)} files ({listed}); expected exactly one CSV",
            source=path.name,
        )
    return names[0]


@contextmanager
def open_binary(path: Path) -> Iterator[IO[bytes]]:
    """The decompressed bytes of a .csv, .csv.gz or one-member .zip file."""
    if not path.is_file():
        raise InputError("no such file", source=str(path))
    kind = compression(path)
    if kind == "gzip":
        with gzip.open(path, "rb") as fh:
            yield fh
    elif kind == "zip":
        member = zip_member(path)
        with zipfile.ZipFile(path) as archive, archive.open(member) as fh:
            yield fh
    else:
        with path.open("rb") as fh:
            yield fh


READ_ERRORS = (EOFError, OSError, zlib.error, zipfile.BadZipFile, gzip.BadGzipFile)


def read_error(path: Path, exc: BaseException, line: int | None = None) -> InputError:
    """An InputError for a file that broke while being decompressed or read."""
    kind = compression(path)
    what = {"gzip": "gzip", "zip": "zip"}.get(kind, "file")
    reason = str(exc) or type(exc).__name__
    return InputError(
        f"{what} data is truncated or corrupt ({reason}); expected a complete {what} file",
        source=path.name,
        line=line,
    )


@contextmanager
def open_text(path: Path) -> Iterator[IO[str]]:
    """The file as UTF-8 text (BOM stripped), newline-preserving, for Python's csv."""
    with open_binary(path) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="", errors="strict")
        yield text


def read_header(path: Path, delimiters: tuple[str, ...] = (",",)) -> Header:
    """Check and return the header row: text, bounded length, one of the allowed delimiters.

    Column names are lower-cased and stripped. Fails on an empty file, binary content, a
    first line longer than MAX_HEADER_BYTES, a delimiter other than those allowed, and
    duplicate column names.
    """
    try:
        with open_binary(path) as fh:
            head = fh.read(MAX_HEADER_BYTES + 1)
    except READ_ERRORS as exc:
        raise read_error(path, exc, line=1) from None
    if not head.strip():
        raise InputError("file is empty; expected a header row", source=path.name, line=1)
    first, newline, _rest = head.partition(b"\n")
    if not newline and len(head) > MAX_HEADER_BYTES:
        raise InputError(
            f"first line is longer than {MAX_HEADER_BYTES} bytes; expected a header row "
            "of column names",
            source=path.name,
            line=1,
        )
    if b"\x00" in first:
        raise InputError(
            "binary data, not a text CSV file; expected a UTF-8 header row",
            source=path.name,
            line=1,
        )
    try:
        line = first.decode("utf-8-sig").rstrip("\r")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text (byte 0x{first[exc.start]:02x} at column {exc.start + 1}); "
            "expected a UTF-8 CSV header row",
            source=path.name,
            line=1,
        ) from None
    delimiter = next((d for d in delimiters if d in line), delimiters[0])
    if delimiter not in line:
        found = next((d for d in OTHER_DELIMITERS if d not in delimiters and d in line), None)
        if found is not None:
            shown = {"\t": "tab", ";": "';'", "|": "'|'", ",": "','"}[found]
            wanted = " or ".join(repr(d) for d in delimiters)
            raise InputError(
                f"columns are separated by {shown}; expected {wanted}",
                source=path.name,
                line=1,
            )
    row = next(csv.reader([line], delimiter=delimiter))
    columns = tuple(c.strip().lower().replace(" ", "_") for c in row)
    seen: set[str] = set()
    for name in columns:
        if name in seen:
            raise InputError(
                f"column {name!r} appears twice in the header", source=path.name, line=1, field=name
            )
        seen.add(name)
    return Header(columns=columns, delimiter=delimiter)


def extract(path: Path, folder: Path) -> Path:
    """A plain-CSV path DuckDB can read: the file itself, or its zip member copied out."""
    if compression(path) != "zip":
        return path
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "member.csv"
    try:
        with open_binary(path) as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    except READ_ERRORS as exc:
        raise read_error(path, exc) from None
    return target


__all__ = [
    "MAX_HEADER_BYTES",
    "READ_ERRORS",
    "Header",
    "compression",
    "extract",
    "open_binary",
    "open_text",
    "read_error",
    "read_header",
    "sha256",
    "zip_member",
]
