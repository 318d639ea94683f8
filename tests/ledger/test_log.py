"""The durable log: C2SP files on disk, reopening, crash safety and proofs from the tiles."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from openceir.errors import ConfigError, InputError, IntegrityError
from openceir.ledger.log import Log
from openceir.tlog import checkpoint, merkle, note, tiles
from openceir.tlog.tiles import ENTRIES, Tile

VECTORS = Path(__file__).resolve().parents[1] / "data" / "vectors" / "tiles"
TESSERA = VECTORS / "tessera-testdata-log"
ORIGIN = "ceir.testland.example/log"


def _entries(n: int, start: int = 0) -> list[bytes]:
    return [f"entry {i}".encode() for i in range(start, start + n)]


def _expected_root(entries: list[bytes]) -> bytes:
    levels = [bytearray(b"".join(merkle.leaf_hash(e) for e in entries))]
    merkle.extend_levels(levels)
    return merkle.tree_root(
        len(entries),
        merkle.memory_reader(
            [[bytes(row[i : i + 32]) for i in range(0, len(row), 32)] for row in levels]
        ),
    )


def _files(root: Path) -> set[str]:
    return {
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and p.name not in ("lock",) and not p.name.startswith(".")
    }


def test_rebuilding_the_tessera_log_gives_byte_identical_checkpoints_and_tiles(
    tmp_path: Path,
) -> None:
    skey = note.parse_skey((VECTORS / "tessera-testdata-log.TEST-ONLY.skey").read_text())
    log = Log.create(tmp_path, skey.name, key=skey)
    assert log.checkpoint() == (TESSERA / "checkpoint.0").read_bytes()
    names = tiles.decode_bundle((TESSERA / "tile/entries/000.p/15").read_bytes())
    for size, entry in enumerate(names, start=1):
        assert log.append([entry]) == [size - 1]
        assert log.checkpoint() == (TESSERA / f"checkpoint.{size}").read_bytes()
    assert (tmp_path / "tile/0/000.p/15").read_bytes() == (TESSERA / "tile/0/000.p/15").read_bytes()
    assert (tmp_path / "tile/entries/000.p/15").read_bytes() == (
        TESSERA / "tile/entries/000.p/15"
    ).read_bytes()
    assert not (tmp_path / "tile/0/000.p/14").exists()  # superseded partials are dropped


def test_append_writes_full_and_partial_tiles_and_a_verifiable_checkpoint(tmp_path: Path) -> None:
    log = Log.create(tmp_path, ORIGIN)
    entries = _entries(600)
    assert log.append(entries[:100]) == list(range(100))
    assert log.append(entries[100:]) == list(range(100, 600))
    assert _files(tmp_path) == {
        "checkpoint", "log.skey", "log.vkey",
        "tile/0/000", "tile/0/001", "tile/0/002.p/88", "tile/1/000.p/2",
        "tile/entries/000", "tile/entries/001", "tile/entries/002.p/88",
    }  # fmt: skip
    cp, _ = checkpoint.open_checkpoint(log.checkpoint(), log.verifier)
    assert (cp.origin, cp.size, cp.root) == (ORIGIN, 600, _expected_root(entries))
    assert (tmp_path / "checkpoint").read_bytes() == log.checkpoint()
    assert stat.S_IMODE(os.stat(tmp_path / "log.skey").st_mode) == 0o600


def test_reopened_log_continues_the_same_tree(tmp_path: Path) -> None:
    Log.create(tmp_path, ORIGIN).append(_entries(300))
    log = Log.open(tmp_path)
    assert log.size == 300
    assert log.entry(299) == b"entry 299"
    log.append(_entries(5, 300))
    assert log.root() == _expected_root(_entries(305))
    assert Log.open(tmp_path).root(300) == _expected_root(_entries(300))


def test_crash_before_the_checkpoint_leaves_the_previous_tree(tmp_path: Path) -> None:
    log = Log.create(tmp_path, ORIGIN)
    log.append(_entries(250))
    before = (tmp_path / "checkpoint").read_bytes()
    log.append(_entries(20, 250))  # writes tile/0/000 and tile/0/001.p/14 ...
    (tmp_path / "checkpoint").write_bytes(before)  # ... as if it died before the checkpoint
    (tmp_path / "tile/0/000.p/250").unlink(missing_ok=True)  # only the wider tiles remain
    again = Log.open(tmp_path)
    assert again.size == 250
    again.append([b"other"])
    assert again.root() == _expected_root([*_entries(250), b"other"])
    assert again.entry(250) == b"other"


def test_proofs_from_memory_equal_proofs_from_the_tile_files(tmp_path: Path) -> None:
    log = Log.create(tmp_path, ORIGIN)
    log.append(_entries(700))

    def read_tile(tile: Tile) -> bytes:
        return log.files.read_tile(tile)[1]

    for size in (1, 255, 256, 257, 700):
        reader = tiles.tile_hash_reader(size, read_tile)
        root = log.root(size)
        assert merkle.tree_root(size, reader) == root
        for index in {0, size // 2, size - 1}:
            proof = log.inclusion_proof(index, size)
            assert proof == merkle.inclusion_proof(index, size, reader)
            merkle.verify_inclusion(index, size, log.leaf_hash(index), proof, root)
        proof = log.consistency_proof(size, 700)
        assert proof == merkle.consistency_proof(size, 700, tiles.tile_hash_reader(700, read_tile))
        merkle.verify_consistency(size, 700, proof, root, log.root())


def test_out_of_range_requests_are_input_errors(tmp_path: Path) -> None:
    log = Log.create(tmp_path, ORIGIN)
    log.append(_entries(3))
    with pytest.raises(InputError, match="entry index 3 is not in a log of 3 entries"):
        log.entry(3)
    with pytest.raises(InputError, match="tree size 4"):
        log.inclusion_proof(0, 4)
    with pytest.raises(InputError, match="above 65535"):
        log.append([b"x" * 65536])


def test_read_only_copy_cannot_append_and_create_refuses_to_overwrite(tmp_path: Path) -> None:
    Log.create(tmp_path, ORIGIN).append(_entries(2))
    (tmp_path / "log.skey").unlink()
    log = Log.open(tmp_path)
    assert log.entry(1) == b"entry 1"
    with pytest.raises(ConfigError, match="read-only"):
        log.append([b"x"])
    with pytest.raises(ConfigError, match="already exists"):
        Log.create(tmp_path, ORIGIN)
    with pytest.raises(ConfigError, match="ledger init"):
        Log.open(tmp_path / "nothing")


def test_second_writer_sees_the_first_writers_entries(tmp_path: Path) -> None:
    a = Log.create(tmp_path, ORIGIN)
    b = Log.open(tmp_path)
    a.append([b"from a"])
    assert b.append([b"from b"]) == [1]
    assert Log.open(tmp_path).root() == _expected_root([b"from a", b"from b"])


def test_open_rejects_tiles_that_disagree_with_the_checkpoint(tmp_path: Path) -> None:
    Log.create(tmp_path, ORIGIN).append(_entries(10))
    tile = tmp_path / "tile/0/000.p/10"
    data = bytearray(tile.read_bytes())
    data[5] ^= 1
    tile.write_bytes(bytes(data))
    with pytest.raises(IntegrityError, match="ledger verify"):
        Log.open(tmp_path)


def test_entry_bundle_index_matches_tiles_layout() -> None:
    assert Tile(ENTRIES, 2, 88).path == "tile/entries/002.p/88"
