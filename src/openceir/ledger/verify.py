"""Verifying a whole log from its files: every entry, every tile, the signed root.

`verify_log` trusts nothing but the log's public key. It checks the checkpoint signature,
recomputes every leaf hash from the entry bundles and every tree level from those, and
compares the root with the signed one and every hash tile with the recomputed hashes. The
first bad item is named (`checkpoint`, `tile/entries/000.p/9 entry 3`, `tile/1/000.p/2`), in
this order: checkpoint, entry bundles (by index), hash tiles (by level, then index), then
each entry's own check (for the IMEI ledger: its participant's signature and schema).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from openceir.errors import IntegrityError, NotFound
from openceir.ledger.storage import CHECKPOINT, VKEY, LedgerFiles
from openceir.tlog import checkpoint as cp
from openceir.tlog import merkle, note
from openceir.tlog.errors import TlogError
from openceir.tlog.tiles import ENTRIES, HEIGHT, WIDTH, Tile, decode_bundle, tiles_for_size

_H = merkle.HASH_SIZE

EntryCheck = Callable[[int, bytes], None]


class AuditError(IntegrityError):
    """The first bad item of a log; `item` names the file (and entry) at fault."""

    def __init__(self, item: str, problem: str) -> None:
        self.item, self.problem = item, problem
        super().__init__(f"{item}: {problem}")


def verify_log(
    path: Path, log_key: note.Verifier | None = None, check_entry: EntryCheck | None = None
) -> cp.Checkpoint:
    """Audit the log at `path`; return its verified checkpoint or raise AuditError.

    `log_key` defaults to the directory's `log.vkey`; pass the key you trust to audit a
    copy. `check_entry(index, entry)` raises IntegrityError for an entry that is not valid.
    """
    files = LedgerFiles(path)
    if log_key is None:
        log_key = note.parse_vkey(_read(files, VKEY).decode())
    try:
        checkpoint, _ = cp.open_checkpoint(_read(files, CHECKPOINT), log_key)
    except (IntegrityError, TlogError) as exc:
        raise AuditError(CHECKPOINT, str(exc)) from None
    size = checkpoint.size

    entries: list[tuple[str, int, bytes]] = []  # (bundle name, position, entry)
    row = bytearray()
    sha = hashlib.sha256
    for tile in tiles_for_size(size, ENTRIES):
        name, data = _read_tile(files, tile)
        try:
            bundle = decode_bundle(data, name)
        except (IntegrityError, TlogError) as exc:
            raise AuditError(name, str(exc).removeprefix(f"{name}: ")) from None
        if len(bundle) != tile.width:
            raise AuditError(name, f"holds {len(bundle)} entries, want {tile.width}")
        for pos, entry in enumerate(bundle):
            entries.append((name, pos, entry))
            row += sha(b"\x00" + entry).digest()

    levels = [row]
    merkle.extend_levels(levels)
    root = merkle.tree_root(size, lambda nodes: [_node(levels, n) for n in nodes])
    if root != checkpoint.root:
        _locate_bad_entry(files, size, levels[0])
        raise AuditError(
            CHECKPOINT, "root hash does not match the root recomputed from the entries"
        )

    level = 0
    while size >> (HEIGHT * level):
        want_row = levels[HEIGHT * level]
        for tile in tiles_for_size(size, level):
            name, data = _read_tile(files, tile)
            want = want_row[tile.index * WIDTH * _H : (tile.index * WIDTH + tile.width) * _H]
            if data != want:
                if len(data) != len(want):
                    raise AuditError(name, f"{len(data)} bytes, want {len(want)}")
                bad = next(
                    i
                    for i in range(tile.width)
                    if data[i * _H : (i + 1) * _H] != want[i * _H : (i + 1) * _H]
                )
                raise AuditError(
                    name, f"hash {bad} does not match the hash recomputed from the entries"
                )
        level += 1

    if check_entry is not None:
        for index, (name, pos, entry) in enumerate(entries):
            try:
                check_entry(index, entry)
            except (IntegrityError, TlogError) as exc:
                raise AuditError(f"{name} entry {pos} (log index {index})", str(exc)) from None
    return checkpoint


def _read(files: LedgerFiles, name: str) -> bytes:
    try:
        return files.read(name)
    except NotFound as exc:
        raise AuditError(name, str(exc)) from None


def _read_tile(files: LedgerFiles, tile: Tile) -> tuple[str, bytes]:
    try:
        return files.read_tile(tile)
    except NotFound as exc:
        raise AuditError(tile.path, str(exc)) from None
    except (IntegrityError, TlogError) as exc:
        raise AuditError(tile.path, str(exc)) from None


def _node(levels: list[bytearray], node: merkle.Node) -> bytes:
    level, index = node
    return bytes(levels[level][index * _H : (index + 1) * _H])


def _locate_bad_entry(files: LedgerFiles, size: int, row: bytearray) -> None:
    """Name the first entry whose hash differs from its level-0 tile, if there is one."""
    for tile in tiles_for_size(size, 0):
        name, data = _read_tile(files, tile)
        base = tile.index * WIDTH
        for i in range(min(tile.width, len(data) // _H)):
            if data[i * _H : (i + 1) * _H] != row[(base + i) * _H : (base + i + 1) * _H]:
                bundle = Tile(ENTRIES, tile.index, tile.width).path
                raise AuditError(
                    f"{bundle} entry {i} (log index {base + i})",
                    f"does not hash to hash {i} of {name}: the entry was altered",
                )


__all__ = ["AuditError", "EntryCheck", "verify_log"]
