"""C2SP tlog-tiles: paths, bundles, and the tessera test log recomputed from its tiles."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from openceir.tlog import checkpoint, merkle, note, tiles
from openceir.tlog.tiles import ENTRIES, Tile

TILES = Path(__file__).resolve().parents[1] / "data" / "vectors" / "tiles"
LOG = TILES / "tessera-testdata-log"
NAMES = "one two three four five six seven eit nain ten ileven twelf threeten fourten fivten"

PATHS = [
    (Tile(0, 0), "tile/0/000"),
    (Tile(0, 5, 7), "tile/0/005.p/7"),
    (Tile(1, 1234067), "tile/1/x001/x234/067"),
    (Tile(2, 1000, 255), "tile/2/x001/000.p/255"),
    (Tile(ENTRIES, 0, 15), "tile/entries/000.p/15"),
    (Tile(ENTRIES, 999), "tile/entries/999"),
    (Tile(63, 10**9), "tile/63/x001/x000/x000/000"),
    (Tile(0, 10**16), "tile/0/x010/x000/x000/x000/x000/000"),
]


@pytest.mark.parametrize(("tile", "path"), PATHS)
def test_tile_path_and_parse_are_inverse(tile: Tile, path: str) -> None:
    assert tiles.tile_path(tile) == path
    assert tiles.parse_tile_path(path) == tile


@pytest.mark.parametrize(
    "path",
    [
        "tile/0/1",
        "tile/0/0000",
        "tile/0/x000/001",
        "tile/0/001/002",
        "tile/0/x001",
        "tile/0/000.p/0",
        "tile/0/000.p/256",
        "tile/0/000.p/007",
        "tile/00/000",
        "tile/64/000",
        "tile/entries/000.p/",
        "tile/-1/000",
        "tile/0/000/",
        "/tile/0/000",
        "tile/0/000.p/1/",
    ],
)
def test_invalid_tile_paths_are_rejected(path: str) -> None:
    with pytest.raises(tiles.InvalidTilePath):
        tiles.parse_tile_path(path)


LONG = {
    "820 groups (file name too long)": "tile/0/" + "x001/" * 820 + "000",
    "1434 groups (int digit limit)": "tile/0/" + "x001/" * 1434 + "000",
    "entries, 820 groups": "tile/entries/" + "x001/" * 820 + "000.p/1",
    "index 2**56, beyond any uint64 tree": "tile/0/x072/x057/x594/x037/x927/936",
    "seven groups": "tile/0/x001/x000/x000/x000/x000/x000/000",
    "a megabyte": "tile/0/" + "x001/" * 200_000 + "000",
}


@pytest.mark.parametrize("path", LONG.values(), ids=LONG.keys())
def test_overlong_tile_paths_are_invalid_not_a_crash(path: str) -> None:
    with pytest.raises(tiles.InvalidTilePath) as info:
        tiles.parse_tile_path(path)
    assert len(str(info.value)) < 200


def test_largest_tile_index_is_accepted() -> None:
    largest = (1 << 56) - 1
    path = tiles.tile_path(Tile(0, largest))
    assert path == "tile/0/x072/x057/x594/x037/x927/935"
    assert tiles.parse_tile_path(path) == Tile(0, largest)
    with pytest.raises(ValueError):
        tiles.tile_path(Tile(0, largest + 1))


def test_tiles_for_size_lists_full_then_partial() -> None:
    assert tiles.tiles_for_size(0, 0) == []
    assert tiles.tiles_for_size(256, 0) == [Tile(0, 0)]
    assert tiles.tiles_for_size(600, 0) == [Tile(0, 0), Tile(0, 1), Tile(0, 2, 88)]
    assert tiles.tiles_for_size(600, 1) == [Tile(1, 0, 2)]
    assert tiles.tiles_for_size(600, ENTRIES) == [
        Tile(ENTRIES, 0),
        Tile(ENTRIES, 1),
        Tile(ENTRIES, 2, 88),
    ]
    assert [tiles.tile_levels(n) for n in (0, 1, 255, 256, 65535, 65536)] == [0, 1, 1, 2, 2, 3]


def test_bundle_round_trip_and_truncation_is_named() -> None:
    entries = [b"", b"a", b"x" * 300]
    data = tiles.encode_bundle(entries)
    assert data[:5] == b"\x00\x00\x00\x01a"
    assert tiles.decode_bundle(data) == entries
    with pytest.raises(tiles.TileError, match="my bundle: entry 2 is truncated"):
        tiles.decode_bundle(data[:-1], "my bundle")
    with pytest.raises(tiles.EntryTooLarge):
        tiles.encode_bundle([b"x" * 65536])


def _read_tile(tile: Tile) -> bytes:
    return (LOG / tile.path).read_bytes()


def test_tessera_bundles_hold_the_documented_entries() -> None:
    bundle = tiles.decode_bundle(_read_tile(Tile(ENTRIES, 0, 15)))
    assert bundle == [n.encode() for n in NAMES.split()]


@pytest.mark.parametrize("size", range(1, 16))
def test_tessera_roots_from_tiles_match_signed_checkpoints(size: int) -> None:
    key = note.parse_vkey((TILES / "tessera-testdata-log.vkey").read_text())
    cp, _ = checkpoint.open_checkpoint((LOG / f"checkpoint.{size}").read_bytes(), key)
    assert cp.size == size
    entries = tiles.decode_bundle(_read_tile(Tile(ENTRIES, 0, size)))
    hashes = tiles.split_hashes(_read_tile(Tile(0, 0, size)), Tile(0, 0, size))
    assert [merkle.leaf_hash(e) for e in entries] == hashes
    assert merkle.tree_root(size, tiles.tile_hash_reader(size, _read_tile)) == cp.root


def test_tessera_checkpoints_re_sign_byte_identical() -> None:
    signer = note.parse_skey((TILES / "tessera-testdata-log.TEST-ONLY.skey").read_text())
    for size in range(16):
        msg = (LOG / f"checkpoint.{size}").read_bytes()
        cp = checkpoint.parse(note.parse(msg).text)
        assert checkpoint.sign(cp, signer) == msg
    assert (LOG / "checkpoint").read_bytes() == (LOG / "checkpoint.15").read_bytes()


def test_empty_tessera_checkpoint_has_the_empty_root() -> None:
    cp = checkpoint.parse(note.parse((LOG / "checkpoint.0").read_bytes()).text)
    assert (cp.size, cp.root) == (0, merkle.EMPTY_ROOT)


def test_tile_reader_serves_proofs_that_verify_and_rejects_a_changed_tile() -> None:
    size = 15
    root = checkpoint.parse(note.parse((LOG / "checkpoint").read_bytes()).text).root
    reader = tiles.tile_hash_reader(size, _read_tile)
    leaf = merkle.leaf_hash(b"seven")
    merkle.verify_inclusion(6, size, leaf, merkle.inclusion_proof(6, size, reader), root)

    def tampered(tile: Tile) -> bytes:
        data = bytearray(_read_tile(tile))
        data[32 * 3] ^= 0x80
        return bytes(data)

    bad = merkle.inclusion_proof(6, size, tiles.tile_hash_reader(size, tampered))
    with pytest.raises(merkle.ProofError):
        merkle.verify_inclusion(6, size, leaf, bad, root)
    assert base64.b64encode(root).decode() == "rKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs="


def test_tile_of_wrong_length_is_named() -> None:
    with pytest.raises(tiles.TileError, match=r"tile/0/000\.p/3: 64 bytes, want 96"):
        tiles.split_hashes(b"\x00" * 64, Tile(0, 0, 3))
