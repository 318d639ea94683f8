"""The durable transparency log: RFC 9162 tree, C2SP tiles and signed checkpoints on disk.

`Log.create` makes a new log (an Ed25519 key named for the origin and the checkpoint of
the empty tree); `Log.open` reloads one from its latest checkpoint and level-0 tiles and
checks the recomputed root against the signed one. `append` adds a batch of entries:
entry bundles and hash tiles (full and partial) are written atomically first, the signed
checkpoint last, so a crash at any point leaves the previous checkpoint pointing at data
that is on disk, and the next `open` continues that tree. The whole tree (every level)
is kept in memory, 64 bytes per entry, so proofs cost no disk reads.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

from openceir.errors import ConfigError, InputError, IntegrityError
from openceir.ledger.storage import CHECKPOINT, SKEY, VKEY, LedgerFiles
from openceir.tlog import checkpoint as cp
from openceir.tlog import merkle, note
from openceir.tlog.tiles import (
    ENTRIES,
    HEIGHT,
    MAX_ENTRY,
    WIDTH,
    Tile,
    decode_bundle,
    encode_bundle,
    tiles_for_size,
)

_H = merkle.HASH_SIZE


class Log:
    """An append-only Merkle log kept in a ledger directory; one writer at a time."""

    def __init__(self, files: LedgerFiles, verifier: note.Verifier, signer: note.Signer | None):
        self.files = files
        self.verifier = verifier
        self.signer = signer
        self.levels: list[bytearray] = [bytearray()]
        self._tail = b""  # the encoded entries of the partial entry bundle
        self._checkpoint = b""
        self.size = 0

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def create(cls, path: Path, origin: str, key: note.Signer | None = None) -> Log:
        """Create an empty log at `path` signed by `key` (default: a fresh key named `origin`)."""
        files = LedgerFiles(path)
        if files.exists():
            raise ConfigError(f"a ledger already exists in {path}; refusing to overwrite its key")
        signer = key or note.generate_key(origin)
        if signer.name != origin:
            raise ConfigError(f"the log key is named {signer.name!r}, not the origin {origin!r}")
        files.write(SKEY, (signer.skey + "\n").encode(), mode=0o600)
        files.write(VKEY, (signer.verifier.vkey + "\n").encode())
        log = cls(files, signer.verifier, signer)
        log._write_checkpoint()
        return log

    @classmethod
    def open(cls, path: Path) -> Log:
        """Open the log at `path`, reloading its tree and checking it against the checkpoint.

        The private key is loaded when present (a read-only copy of the log has none).
        """
        files = LedgerFiles(path)
        if not files.exists():
            raise ConfigError(f"no ledger in {path}: run `openceir ledger init` first")
        verifier = note.parse_vkey(files.read(VKEY).decode())
        signer = None
        if files.path(SKEY).is_file():
            signer = note.parse_skey(files.read(SKEY).decode())
            if signer.verifier != verifier:
                raise ConfigError(f"{files.path(SKEY)} does not match {files.path(VKEY)}")
        log = cls(files, verifier, signer)
        log._load()
        return log

    def _load(self) -> None:
        msg = self.files.read(CHECKPOINT)
        checkpoint, _ = cp.open_checkpoint(msg, self.verifier)
        size = checkpoint.size
        row = bytearray()
        for tile in tiles_for_size(size, 0):
            _, data = self.files.read_tile(tile)
            row += data
        tail = b""
        if size % WIDTH:
            _, tail = self.files.read_tile(Tile(ENTRIES, size // WIDTH, size % WIDTH))
        self.levels = [row]
        self._extend_levels()
        self.size = size
        if self.root() != checkpoint.root:
            raise IntegrityError(
                f"ledger {self.files.root}: the level-0 tiles do not hash to the checkpoint's "
                "root; run `openceir ledger verify` to find the bad file"
            )
        self._tail = tail
        self._checkpoint = msg

    # -- reading -------------------------------------------------------------------------

    @property
    def origin(self) -> str:
        """The log's origin line (its key name)."""
        return self.verifier.name

    def _reader(self, nodes: Sequence[merkle.Node]) -> list[bytes]:
        levels = self.levels
        return [bytes(levels[lv][i * _H : i * _H + _H]) for lv, i in nodes]

    def root(self, size: int | None = None) -> bytes:
        """The root hash of the tree at `size` (default: the current size)."""
        size = self.size if size is None else self._check_size(size)
        return merkle.tree_root(size, self._reader)

    def leaf_hash(self, index: int) -> bytes:
        """The leaf hash of entry `index`."""
        self._check_index(index)
        return bytes(self.levels[0][index * _H : index * _H + _H])

    def entry(self, index: int) -> bytes:
        """The bytes of entry `index`, read from its entry bundle."""
        self._check_index(index)
        n = index // WIDTH
        width = min(WIDTH, self.size - n * WIDTH)
        name, data = self.files.read_tile(Tile(ENTRIES, n, width))
        return decode_bundle(data, name)[index % WIDTH]

    def checkpoint(self) -> bytes:
        """The latest signed checkpoint (a C2SP signed note)."""
        return self._checkpoint

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """The RFC 9162 inclusion proof of entry `index` in the tree of `size` leaves."""
        size = self.size if size is None else self._check_size(size)
        return merkle.inclusion_proof(index, size, self._reader)

    def consistency_proof(self, old: int, new: int | None = None) -> list[bytes]:
        """The RFC 9162 consistency proof from the tree of `old` leaves to `new`."""
        new = self.size if new is None else self._check_size(new)
        return merkle.consistency_proof(old, new, self._reader)

    def _check_size(self, size: int) -> int:
        if not 0 <= size <= self.size:
            raise InputError(f"tree size {size} is not between 0 and the log size {self.size}")
        return size

    def _check_index(self, index: int) -> None:
        if not 0 <= index < self.size:
            raise InputError(f"entry index {index} is not in a log of {self.size} entries")

    # -- appending -----------------------------------------------------------------------

    def append(self, entries: Sequence[bytes]) -> list[int]:
        """Append a batch of entries durably; returns their indexes once the checkpoint is on disk.

        One checkpoint per call: append in batches. Entries are at most 65535 bytes.
        """
        if self.signer is None:
            raise ConfigError(
                f"{self.files.path(SKEY)} is missing: this copy of the log is read-only"
            )
        for i, entry in enumerate(entries):
            if len(entry) > MAX_ENTRY:
                raise InputError(f"entry {i} of the batch is {len(entry)} bytes, above {MAX_ENTRY}")
        if not entries:
            return []
        with self.files.lock():
            if self.files.read(CHECKPOINT) != self._checkpoint:
                self._load()  # another writer appended since we opened
            old = self.size
            sha = hashlib.sha256
            row = self.levels[0]
            for entry in entries:
                row += sha(b"\x00" + entry).digest()
            self._extend_levels()
            new = old + len(entries)
            bundles = self._bundles(old, entries)
            tiles = bundles + self._hash_tiles(old, new)
            self.files.write_tiles(tiles)
            self._tail = b"" if bundles[-1][0].full else bundles[-1][1]
            self.size = new
            self._write_checkpoint()
            for tile, _ in tiles:
                self.files.remove_partials(tile.level, tile.index, tile.width)
        return list(range(old, new))

    def _extend_levels(self) -> None:
        merkle.extend_levels(self.levels)

    def _bundles(self, old: int, entries: Sequence[bytes]) -> list[tuple[Tile, bytes]]:
        """The entry bundles a batch creates or widens (the first extends the old tail)."""
        out, at, tail = [], 0, self._tail
        index = old
        while at < len(entries):
            n, used = divmod(index, WIDTH)
            take = min(WIDTH - used, len(entries) - at)
            out.append(
                (Tile(ENTRIES, n, used + take), tail + encode_bundle(entries[at : at + take]))
            )
            at += take
            index += take
            tail = b""
        return out

    def _hash_tiles(self, old: int, new: int) -> list[tuple[Tile, bytes]]:
        """The hash tiles, at every level, that change between sizes old and new."""
        written = []
        level = 0
        while new >> (HEIGHT * level):
            row = self.levels[HEIGHT * level]
            count_old, count_new = old >> (HEIGHT * level), new >> (HEIGHT * level)
            if count_new > count_old:
                for n in range(count_old // WIDTH, (count_new - 1) // WIDTH + 1):
                    width = min(WIDTH, count_new - n * WIDTH)
                    data = bytes(row[n * WIDTH * _H : (n * WIDTH + width) * _H])
                    written.append((Tile(level, n, width), data))
            level += 1
        return written

    def add_cosignatures(self, lines: Sequence[str]) -> bytes:
        """Add witness cosignature lines to the current checkpoint (file and memory).

        Lines must be signature lines ending in a newline; a witness's new line replaces
        its old one. If the log grew meanwhile the cosignatures are for an old checkpoint
        and an IntegrityError is raised.
        """
        with self.files.lock():
            if self.files.read(CHECKPOINT) != self._checkpoint:
                raise IntegrityError("the checkpoint changed while collecting cosignatures")
            present = self._checkpoint.decode()
            body, _, sigs = present.rpartition("\n\n")
            renewed = {line.split(" ", 2)[1] for line in lines}  # the witnesses' names
            kept = [
                line + "\n"
                for line in sigs.splitlines()
                if line.split(" ", 2)[1] == self.origin or line.split(" ", 2)[1] not in renewed
            ]
            updated = (body + "\n\n" + "".join(kept) + "".join(lines)).encode()
            note.parse(updated)  # still a well-formed note
            self.files.write(CHECKPOINT, updated)
            self._checkpoint = updated
        return updated

    def _write_checkpoint(self) -> None:
        assert self.signer is not None
        body = cp.Checkpoint(self.origin, self.size, self.root())
        self._checkpoint = cp.sign(body, self.signer)
        self.files.write(CHECKPOINT, self._checkpoint)


__all__ = ["Log"]


def default_origin(region_name: str) -> str:
    """The log origin derived from the region name, e.g. `ceir.examplestan.example/log`."""
    slug = re.sub(r"[^a-z0-9]+", "-", region_name.lower()).strip("-") or "country"
    return f"ceir.{slug}.example/log"
