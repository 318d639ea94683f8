"""Federation: follow another CEIR's ledger over HTTP, verify it, import its theft records.

A peer is another country's CEIR, known by a name, the base URL of its `/ledger/` static
files (C2SP tlog-tiles) and its log key. `follow` fetches the peer's checkpoint, checks its
signature, checks it is consistent with the last one seen (an RFC 9162 consistency proof
built from the peer's hash tiles), downloads the new entry bundles, recomputes the peer's
tree from them (a mirror of its leaf hashes is kept) and compares the root with the signed
one. Only then are the new `reported_stolen` / `recovered` / `blocked` / `unblocked` events
imported into `peers/<name>/imported.jsonl`, so stolen devices are blocked across borders.

A *fork* - two checkpoints of the same size with different roots, or a consistency proof
that fails - is evidence the peer showed different logs to different people: `ForkError`
is raised and both signed checkpoints are kept in `peers/<name>/fork-<size>.txt`.

Layout under `<ledger>/peers/<name>/`: `peer.json` (url, vkey), `checkpoint` (latest
verified), `leaves` (32-byte leaf hashes, the mirror), `imported.jsonl`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from openceir.errors import InputError, IntegrityError, NotFound
from openceir.ledger import entries
from openceir.ledger.storage import write_atomic
from openceir.tlog import checkpoint as cp
from openceir.tlog import merkle, note
from openceir.tlog.errors import TlogError
from openceir.tlog.tiles import ENTRIES, WIDTH, Tile, decode_bundle, tile_hash_reader

IMPORTED_TYPES = frozenset({"reported_stolen", "recovered", "blocked", "unblocked"})
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


class ForkError(IntegrityError):
    """A peer signed two different trees: same size with another root, or no consistency."""


@dataclass(frozen=True)
class Peer:
    """Another CEIR's ledger: a local name, the base URL of its /ledger/ files and its key."""

    name: str
    url: str
    log_key: note.Verifier


def _peer_dir(ledger_dir: Path, name: str) -> Path:
    if not _NAME.fullmatch(name):
        raise InputError("peer names are 1-64 of a-z 0-9 . _ -, starting with a letter or digit")
    return Path(ledger_dir) / "peers" / name


def add_peer(ledger_dir: Path, name: str, url: str, vkey: str) -> Peer:
    """Register (or update) a peer to follow."""
    peer = Peer(name, url.rstrip("/") + "/", note.parse_vkey(vkey))
    text = json.dumps({"url": peer.url, "vkey": peer.log_key.vkey}, sort_keys=True) + "\n"
    write_atomic(_peer_dir(ledger_dir, name) / "peer.json", text.encode())
    return peer


def load_peer(ledger_dir: Path, name: str) -> Peer:
    """A registered peer, or NotFound."""
    path = _peer_dir(ledger_dir, name) / "peer.json"
    if not path.is_file():
        raise NotFound(f"peer {name!r} is not registered")
    data = json.loads(path.read_text())
    return Peer(name, data["url"], note.parse_vkey(data["vkey"]))


@dataclass(frozen=True)
class FollowResult:
    """What one `follow` did: the peer's verified size and how many events were imported."""

    size: int
    new_entries: int
    imported: int


class _Fetcher:
    """GETs the peer's files, each at most once per follow."""

    def __init__(self, client: httpx.Client, base: str) -> None:
        self.client, self.base = client, base
        self.cache: dict[str, bytes] = {}

    def get(self, name: str) -> bytes:
        if name not in self.cache:
            response = self.client.get(self.base + name)
            if response.status_code != 200:
                raise IntegrityError(f"peer file {name}: HTTP {response.status_code}")
            self.cache[name] = response.content
        return self.cache[name]

    def tile(self, tile: Tile) -> bytes:
        return self.get(tile.path)


def follow(ledger_dir: Path, peer: Peer, client: httpx.Client) -> FollowResult:
    """Bring the mirror of a peer's log up to its latest checkpoint and import new events."""
    pdir = _peer_dir(ledger_dir, peer.name)
    fetch = _Fetcher(client, peer.url)
    msg = fetch.get("checkpoint")
    new, _ = cp.open_checkpoint(msg, peer.log_key)

    old_msg = (pdir / "checkpoint").read_bytes() if (pdir / "checkpoint").is_file() else None
    old_size, old_root = 0, merkle.EMPTY_ROOT
    if old_msg is not None:
        old, _ = cp.open_checkpoint(old_msg, peer.log_key)
        old_size, old_root = old.size, old.root
    if new.size < old_size:
        raise ForkError(f"peer {peer.name} went back from size {old_size} to {new.size}")
    if new.size == old_size:
        if new.root != old_root:
            _keep_fork(pdir, old_msg, msg, old_size)
            raise ForkError(f"peer {peer.name} signed two roots for size {old_size}: a fork")
        return FollowResult(new.size, 0, 0)
    if old_size:
        reader = tile_hash_reader(new.size, fetch.tile)
        try:
            proof = merkle.consistency_proof(old_size, new.size, reader)
            merkle.verify_consistency(old_size, new.size, proof, old_root, new.root)
        except merkle.ProofError:
            _keep_fork(pdir, old_msg, msg, old_size)
            raise ForkError(
                f"peer {peer.name}: size {new.size} is not consistent with size {old_size}: a fork"
            ) from None

    leaves_file = pdir / "leaves"
    row = bytearray(leaves_file.read_bytes()[: old_size * 32] if leaves_file.is_file() else b"")
    if len(row) != old_size * 32:
        raise IntegrityError(f"peer {peer.name}: the local mirror is shorter than its checkpoint")
    new_entries = _fetch_entries(fetch, old_size, new.size)
    for entry in new_entries:
        row += merkle.leaf_hash(entry)
    levels = [row]
    merkle.extend_levels(levels)

    def mirror(nodes: list[merkle.Node]) -> list[bytes]:
        return [bytes(levels[lv][i * 32 : i * 32 + 32]) for lv, i in nodes]

    if merkle.tree_root(new.size, mirror) != new.root:
        raise IntegrityError(f"peer {peer.name}: its entries do not hash to its signed root")

    imported = []
    for index, entry in enumerate(new_entries, start=old_size):
        try:
            event = entries.parse_entry(entry)
        except (IntegrityError, TlogError):
            continue  # not an IMEI event (another kind of log): mirrored, not imported
        if event["type"] in IMPORTED_TYPES:
            imported.append({"peer": peer.name, "index": index, "event": event})
    pdir.mkdir(parents=True, exist_ok=True)
    with (pdir / "leaves").open("r+b" if leaves_file.is_file() else "wb") as fh:
        fh.truncate(old_size * 32)
        fh.seek(old_size * 32)
        fh.write(bytes(row[old_size * 32 :]))
    if imported:
        with (pdir / "imported.jsonl").open("a") as fh:
            fh.write("".join(entries.canonical_json(rec) + "\n" for rec in imported))
    write_atomic(pdir / "checkpoint", msg)
    return FollowResult(new.size, len(new_entries), len(imported))


def _fetch_entries(fetch: _Fetcher, start: int, end: int) -> list[bytes]:
    out: list[bytes] = []
    for n in range(start // WIDTH, (end - 1) // WIDTH + 1):
        width = min(WIDTH, end - n * WIDTH)
        tile = Tile(ENTRIES, n, width)
        bundle = decode_bundle(fetch.tile(tile), f"peer {tile.path}")
        if len(bundle) < width:
            raise IntegrityError(f"peer {tile.path}: {len(bundle)} entries, want {width}")
        lo = max(start - n * WIDTH, 0)
        out.extend(bundle[lo:width])
    return out


def _keep_fork(pdir: Path, old: bytes | None, new: bytes, size: int) -> None:
    evidence = b"# checkpoint seen before\n" + (old or b"") + b"# checkpoint seen now\n" + new
    write_atomic(pdir / f"fork-{size}.txt", evidence)


def foreign_events(ledger_dir: Path, imei: str) -> list[dict[str, Any]]:
    """Imported peer events about an IMEI, oldest first, each {peer, index, event}."""
    entries.validate_imei(imei, "imei")
    out = []
    for path in sorted((Path(ledger_dir) / "peers").glob("*/imported.jsonl")):
        with path.open() as fh:
            for line in fh:
                record = json.loads(line)
                if imei in record["event"].get("imeis", ()):
                    out.append(record)
    return out


__all__ = [
    "IMPORTED_TYPES",
    "FollowResult",
    "ForkError",
    "Peer",
    "add_peer",
    "follow",
    "foreign_events",
    "load_peer",
]
