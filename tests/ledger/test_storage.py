"""Ledger files: atomic writes, tile fallback to wider tiles, superseded partials."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from openceir.errors import IntegrityError, NotFound
from openceir.ledger.storage import LedgerFiles, write_atomic, write_many_atomic
from openceir.tlog.tiles import ENTRIES, Tile, encode_bundle


def test_write_atomic_replaces_content_with_mode_and_leaves_no_temp(tmp_path: Path) -> None:
    path = tmp_path / "a" / "secret"
    write_atomic(path, b"one", mode=0o600)
    write_atomic(path, b"two", mode=0o600)
    assert path.read_bytes() == b"two"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["secret"]


def test_write_many_writes_every_file(tmp_path: Path) -> None:
    items = [(tmp_path / "x" / str(i), bytes([i]) * 3) for i in range(20)]
    write_many_atomic(items)
    assert [p.read_bytes() for p, _ in items] == [d for _, d in items]
    assert not [p for p in (tmp_path / "x").iterdir() if p.name.startswith(".")]


def test_read_tile_falls_back_to_full_or_wider_tiles(tmp_path: Path) -> None:
    files = LedgerFiles(tmp_path)
    hashes = bytes(range(32)) * 5
    files.write_tiles([(Tile(0, 0, 5), hashes)])
    assert files.read_tile(Tile(0, 0, 3)) == ("tile/0/000.p/5", hashes[: 3 * 32])
    bundle = encode_bundle([b"a", b"bb", b"ccc"])
    files.write_tiles([(Tile(ENTRIES, 0), bundle)])  # a "full" bundle (for the test)
    name, data = files.read_tile(Tile(ENTRIES, 0, 2))
    assert (name, data) == ("tile/entries/000", encode_bundle([b"a", b"bb"]))
    with pytest.raises(NotFound, match=r"tile/0/001\.p/2 is missing"):
        files.read_tile(Tile(0, 1, 2))
    with pytest.raises(IntegrityError, match="holds 3 entries, want at least 9"):
        files.read_tile(Tile(ENTRIES, 0, 9))


def test_remove_partials_keeps_only_the_named_width(tmp_path: Path) -> None:
    files = LedgerFiles(tmp_path)
    files.write_tiles([(Tile(0, 0, w), b"\0" * 32 * w) for w in (1, 2, 3)])
    files.remove_partials(0, 0, keep=3)
    assert sorted(p.name for p in (tmp_path / "tile/0/000.p").iterdir()) == ["3"]
    files.write_tiles([(Tile(0, 0), b"\0" * 32 * 256)])
    files.remove_partials(0, 0)
    assert not (tmp_path / "tile/0/000.p").exists()
    assert (tmp_path / "tile/0/000").is_file()


def test_missing_ledger_file_is_not_found_naming_it(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="ledger file checkpoint is missing"):
        LedgerFiles(tmp_path).read("checkpoint")
