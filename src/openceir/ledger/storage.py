"""The ledger directory: tiles, entry bundles, checkpoint and keys as files (C2SP tlog-tiles).

Layout of `<data_dir>/ledger/`:

    checkpoint             the latest signed checkpoint (written last, see `write_atomic`)
    tile/<L>/<N>[.p/<W>]   hash tiles            tile/entries/<N>[.p/<W>]  entry bundles
    log.vkey               the log's public key (C2SP vkey); its name is the log origin
    log.skey               the log's private key (mode 0600; never served)
    participants.json      who may append which events (see `participants`)
    index/imei.tsv         IMEI -> entry index, derived from the entries (see `events`)

Every file is replaced atomically: written to a temporary file in the same directory,
fsynced, renamed over the target and the directory fsynced, so a reader sees the old
bytes or the new, never a mix, and a crash never loses a file the checkpoint points at.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from openceir.errors import IntegrityError, NotFound
from openceir.tlog.tiles import ENTRIES, WIDTH, Tile, decode_bundle, encode_bundle, tile_path

CHECKPOINT = "checkpoint"
VKEY = "log.vkey"
SKEY = "log.skey"
PARTICIPANTS = "participants.json"
LOCK = "lock"


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace `path` with `data` atomically and durably (temp file, fsync, rename, fsync dir)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_file(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_many_atomic(items: Sequence[tuple[Path, bytes]]) -> None:
    """Replace several files atomically and durably, with their fsyncs issued concurrently.

    Each file is written to a temporary beside it; all are fsynced in parallel (the file
    system commits them together instead of one journal commit each), then renamed, then
    each directory is fsynced once. Afterwards every file holds its new bytes on disk.
    """
    temps: list[tuple[str, Path]] = []
    try:
        for path, data in items:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            temps.append((tmp, path))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                os.fchmod(fh.fileno(), 0o644)
        if len(temps) > 1:
            with ThreadPoolExecutor(max_workers=min(16, len(temps))) as pool:
                list(pool.map(_fsync_file, [tmp for tmp, _ in temps]))
        elif temps:
            _fsync_file(temps[0][0])
        while temps:
            tmp, path = temps[0]
            os.replace(tmp, path)
            temps.pop(0)
    except BaseException:
        for tmp, _ in temps:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        raise
    for directory in {path.parent for path, _ in items}:
        _fsync_dir(directory)


class LedgerFiles:
    """The files of one ledger directory; the only place the ledger touches the disk."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, name: str) -> Path:
        """The file `name` (a tile path, `checkpoint`, ...) under the ledger directory."""
        return self.root / name

    def exists(self) -> bool:
        """True when the directory holds a ledger (a checkpoint and a public key)."""
        return (self.root / CHECKPOINT).is_file() and (self.root / VKEY).is_file()

    def read(self, name: str) -> bytes:
        """The bytes of a ledger file; NotFound naming it when absent."""
        try:
            return (self.root / name).read_bytes()
        except FileNotFoundError:
            raise NotFound(f"ledger file {name} is missing in {self.root}") from None

    def write(self, name: str, data: bytes, mode: int = 0o644) -> None:
        """Atomically replace a ledger file."""
        write_atomic(self.root / name, data, mode)

    def read_tile(self, tile: Tile) -> tuple[str, bytes]:
        """A tile's bytes at exactly `tile.width`, and the name of the file they came from.

        Falls back to the full tile, then to any wider partial tile, truncating to the width
        asked for: the first `width` hashes or entries of a tile never change.
        """
        candidates = [tile]
        if not tile.full:
            candidates.append(Tile(tile.level, tile.index))
            partial_dir = self.root / tile_path(Tile(tile.level, tile.index, 1)).rsplit("/", 1)[0]
            if partial_dir.is_dir():
                wider = sorted(int(p.name) for p in partial_dir.iterdir() if p.name.isdigit())
                candidates += [Tile(tile.level, tile.index, w) for w in wider if w > tile.width]
        for candidate in candidates:
            name = tile_path(candidate)
            try:
                data = (self.root / name).read_bytes()
            except FileNotFoundError:
                continue
            if candidate != tile:
                data = _truncate(data, tile.width, tile.level == ENTRIES, name)
            return name, data
        raise NotFound(f"ledger tile {tile_path(tile)} is missing in {self.root}")

    def write_tiles(self, tiles: Sequence[tuple[Tile, bytes]]) -> None:
        """Atomically and durably write tiles and entry bundles (see `write_many_atomic`)."""
        write_many_atomic([(self.root / tile_path(tile), data) for tile, data in tiles])

    def remove_partials(self, level: int, index: int, keep: int = WIDTH) -> None:
        """Delete the partial versions of tile (level, index) other than width `keep`.

        Called only after a checkpoint covering the wider tile is on disk; C2SP lets a log
        drop partial tiles once a wider one exists, and readers fall back to it.
        """
        partial_dir = self.root / tile_path(Tile(level, index, 1)).rsplit("/", 1)[0]
        if not partial_dir.is_dir():
            return
        for p in partial_dir.iterdir():
            if p.name.isdigit() and int(p.name) != keep:
                with contextlib.suppress(FileNotFoundError):
                    p.unlink()
        if keep == WIDTH:
            with contextlib.suppress(OSError):
                partial_dir.rmdir()

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the ledger's writer lock (one appender at a time, across processes)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / LOCK, "a+b") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _truncate(data: bytes, width: int, bundle: bool, name: str) -> bytes:
    if bundle:
        entries = decode_bundle(data, name)
        if len(entries) < width:
            raise IntegrityError(f"{name}: holds {len(entries)} entries, want at least {width}")
        return encode_bundle(entries[:width])
    if len(data) < width * 32:
        raise IntegrityError(f"{name}: {len(data)} bytes, want at least {width * 32}")
    return data[: width * 32]


__all__ = [
    "CHECKPOINT",
    "PARTICIPANTS",
    "SKEY",
    "VKEY",
    "LedgerFiles",
    "write_atomic",
    "write_many_atomic",
]
