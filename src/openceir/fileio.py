"""Files openceir writes: replaced atomically, written under a lock, safe to open in a spreadsheet.

The one place for three habits every writer needs:

- `write_atomic` / `atomic_path`: a reader sees the old file or the new one, never half of
  either, and a killed writer leaves at most a hidden `.<name>.*.tmp` beside the target
  (temp file in the same directory, fsync, `os.replace`, fsync of the directory).
- `lock`: one writer at a time across processes (`flock` on a lock file; the OS releases it
  when the holder dies, so a killed process never leaves a stale lock).
- `is_formula` / `safe_cell`: text a spreadsheet would run as a formula (OWASP "CSV
  injection": a cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) is
  refused by the importers and neutralised by every list writer with a leading ``'``.

>>> is_formula("=cmd|' /C calc'!A0"), is_formula("  @SUM(A1)"), is_formula("352099001761481")
(True, True, False)
>>> safe_cell("=1+2"), safe_cell("-5"), safe_cell("stolen")
("'=1+2", "'-5", 'stolen')
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from openceir.errors import ConfigError

FORMULA_START = "=+-@\t\r"
"""Characters that make a spreadsheet read a cell as a formula when they start it."""
FORMULA_PATTERN = r"^( *[=+\-@]|[\t\r])"
"""`is_formula` as a regular expression (RE2 and Python agree on it), for vectorised writers."""
_FORMULA = re.compile(FORMULA_PATTERN)


def is_formula(text: str) -> bool:
    """Whether a spreadsheet would treat `text` as a formula (leading spaces do not hide one)."""
    return bool(_FORMULA.match(text))


def safe_cell(text: str) -> str:
    """`text` as a cell no spreadsheet runs: a formula gets a leading `'`; idempotent."""
    return "'" + text if is_formula(text) else text


def fsync_dir(path: Path) -> None:
    """Make a rename or new file in directory `path` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path: Path | str, *, mode: int = 0o644, durable: bool = True) -> Iterator[Path]:
    """A temporary path beside `path` to write; on success it replaces `path` atomically.

    For writers that want a file name (DuckDB's COPY, pyarrow): whatever they write there
    becomes `path` only when the block ends without an exception; otherwise it is deleted.
    With `durable`, the file and its directory are fsynced (survives a power cut).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, mode)
        if durable:
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    if durable:
        fsync_dir(path.parent)


def write_atomic(
    path: Path | str, data: bytes | str, *, mode: int = 0o644, durable: bool = True
) -> None:
    """Replace `path` with `data` (text is UTF-8) atomically; a private key passes 0o600."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    # mkstemp creates the temp file with mode 0600: a key is never readable by others.
    with atomic_path(path, mode=mode, durable=durable) as tmp, tmp.open("wb") as fh:
        fh.write(payload)


@contextlib.contextmanager
def lock(path: Path | str, *, wait: bool = True, busy: str | None = None) -> Iterator[None]:
    """Hold an exclusive lock on the file `path` (created if missing) across processes.

    With `wait=False` a lock held elsewhere is a ConfigError (`busy`, or a sentence naming
    the lock file) instead of a wait. The OS drops the lock when the holder exits or dies.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigError(
                busy or f"{path} is held by another openceir process; wait for it to end"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


__all__ = [
    "FORMULA_PATTERN",
    "FORMULA_START",
    "atomic_path",
    "fsync_dir",
    "is_formula",
    "lock",
    "safe_cell",
    "write_atomic",
]
