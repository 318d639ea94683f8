"""Tiles, C2SP tlog-tiles v1: a log's hashes and entries as static, cacheable files.

A tile at level L and index N holds up to 256 hashes of tree level 8*L: the nodes
N*256 .. N*256+W-1, 32 bytes each, concatenated. It is *full* at width 256 and then never
changes; a *partial* tile (width W < 256) is the right edge of the tree at some size.
Entry bundles are the level-0 tiles' data: each entry as a big-endian uint16 length and its
bytes. Paths:

    tile/<L>/<N>            a full hash tile         tile/0/x001/x234/067
    tile/<L>/<N>.p/<W>      a partial hash tile      tile/1/000.p/3
    tile/entries/<N>[.p/<W>] an entry bundle         tile/entries/000.p/15

N is written in 3-digit groups, every group but the last prefixed by 'x', so directory
listings stay small: 1234067 is `x001/x234/067`. A tree of size S has, at level L,
S >> 8L hashes: (S >> 8L) // 256 full tiles and, if the rest is non-zero, one partial.

Bounds: a tree has at most 2**64 - 1 leaves, so a tile index is below MAX_INDEX = 2**56
(at most six groups) and a path at most MAX_PATH characters; `parse_tile_path` checks the
length before anything else, so a hostile path costs nothing, and rejects every
non-canonical spelling (leading zero groups, `.p/256`, zero-padded widths or levels).
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from openceir.tlog.errors import EntryTooLarge, HashReaderError, InvalidTilePath, TileError
from openceir.tlog.merkle import HASH_SIZE, HashReader, Node, perfect_root

HEIGHT = 8
WIDTH = 1 << HEIGHT
MAX_LEVEL = 63
MAX_ENTRY = 0xFFFF
ENTRIES = -1  # the level value of an entry bundle
MAX_INDEX = 1 << 56  # tile indexes are below this: 2**64 leaves / 256 per tile
MAX_PATH = len("tile/entries/x072/x057/x594/x037/x927/935.p/255")

_PATH = re.compile(
    r"tile/(entries|0|[1-9][0-9]?)/((?:x[0-9]{3}/){0,5}[0-9]{3})(?:\.p/([1-9][0-9]{0,2}))?"
)


@dataclass(frozen=True, order=True)
class Tile:
    """A tile's coordinates: level (ENTRIES for an entry bundle), index and width (1..256)."""

    level: int
    index: int
    width: int = WIDTH

    @property
    def full(self) -> bool:
        """True for a full (immutable) tile."""
        return self.width == WIDTH

    @property
    def path(self) -> str:
        """The tile's C2SP path, e.g. `tile/0/x001/000.p/7`."""
        return tile_path(self)


def _encode_index(n: int) -> str:
    groups = f"{n:03d}"
    pad = -len(groups) % 3
    groups = "0" * pad + groups
    parts = [groups[i : i + 3] for i in range(0, len(groups), 3)]
    return "/".join([*("x" + p for p in parts[:-1]), parts[-1]])


def tile_path(tile: Tile) -> str:
    """The path of a tile; the inverse of `parse_tile_path`. ValueError for an invalid tile."""
    if (
        not (tile.level == ENTRIES or 0 <= tile.level <= MAX_LEVEL)
        or not 1 <= tile.width <= WIDTH
        or not 0 <= tile.index < MAX_INDEX
    ):
        raise ValueError(f"tiles: invalid tile {tile}")
    level = "entries" if tile.level == ENTRIES else str(tile.level)
    suffix = "" if tile.full else f".p/{tile.width}"
    return f"tile/{level}/{_encode_index(tile.index)}{suffix}"


def parse_tile_path(path: str) -> Tile:
    """The tile named by a path; InvalidTilePath for anything non-canonical or out of range.

    The inverse of `tile_path`: only the canonical spelling of a tile is accepted, at most
    MAX_PATH characters, with index below MAX_INDEX.
    """
    m = _PATH.fullmatch(path) if len(path) <= MAX_PATH else None
    if not m:
        raise InvalidTilePath(f"not a tile path: {path[:80]!r}")
    level_text, index_text, width_text = m.groups()
    level = ENTRIES if level_text == "entries" else int(level_text)
    groups = index_text.replace("x", "").split("/")
    if len(groups) > 1 and groups[0] == "000":
        raise InvalidTilePath(f"tile index has a leading zero group: {path[:80]!r}")
    width = int(width_text) if width_text else WIDTH
    index = int("".join(groups))
    if level > MAX_LEVEL or (width_text and width >= WIDTH) or index >= MAX_INDEX:
        raise InvalidTilePath(f"tile level, index or width out of range: {path[:80]!r}")
    return Tile(level, index, width)


def level_count(size: int, level: int) -> int:
    """How many hashes of tile level `level` a tree of `size` leaves has: size >> 8*level."""
    return size >> (HEIGHT * level)


def tiles_for_size(size: int, level: int) -> list[Tile]:
    """The tiles of one level (ENTRIES for bundles) that make up a tree of `size` leaves."""
    count = level_count(size, 0 if level == ENTRIES else level)
    tiles = [Tile(level, n) for n in range(count // WIDTH)]
    if count % WIDTH:
        tiles.append(Tile(level, count // WIDTH, count % WIDTH))
    return tiles


def tile_levels(size: int) -> int:
    """The number of hash-tile levels a tree of `size` leaves has (0 for the empty tree)."""
    levels = 0
    while level_count(size, levels):
        levels += 1
    return levels


def encode_bundle(entries: Sequence[bytes]) -> bytes:
    """An entry bundle: each entry as uint16-BE length then its bytes."""
    out = bytearray()
    for entry in entries:
        if len(entry) > MAX_ENTRY:
            raise EntryTooLarge(f"tiles: entry of {len(entry)} bytes exceeds {MAX_ENTRY}")
        out += struct.pack(">H", len(entry))
        out += entry
    return bytes(out)


def decode_bundle(data: bytes, name: str = "entry bundle") -> list[bytes]:
    """The entries of a bundle; IntegrityError naming `name` if it is truncated."""
    entries, at = [], 0
    while at < len(data):
        if at + 2 > len(data):
            raise TileError(f"{name}: truncated length at byte {at}")
        (n,) = struct.unpack_from(">H", data, at)
        if at + 2 + n > len(data):
            raise TileError(f"{name}: entry {len(entries)} is truncated")
        entries.append(data[at + 2 : at + 2 + n])
        at += 2 + n
    return entries


def split_hashes(data: bytes, tile: Tile) -> list[bytes]:
    """The hashes of a hash tile's bytes; IntegrityError naming the tile if its length is off."""
    if len(data) != tile.width * HASH_SIZE:
        raise TileError(f"{tile.path}: {len(data)} bytes, want {tile.width * HASH_SIZE}")
    return [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]


TileReader = Callable[[Tile], bytes]


def tile_hash_reader(size: int, read_tile: TileReader) -> HashReader:
    """A HashReader for the tree of `size` leaves served from hash tiles.

    A node at level 8L + r is the root of 2**r consecutive hashes of one level-L tile, so
    each read costs at most one tile fetch and 2**r - 1 hashes. Tiles are fetched at the
    width the tree of `size` has, and each at most once per call.
    """

    def read(nodes: Sequence[Node]) -> list[bytes]:
        cache: dict[Tile, list[bytes]] = {}
        out = []
        for level, index in nodes:
            tl, r = divmod(level, HEIGHT)
            first = index << r
            n, off = divmod(first, WIDTH)
            count = level_count(size, tl)
            if first + (1 << r) > count:
                raise HashReaderError(f"tiles: node ({level}, {index}) is not in a tree of {size}")
            tile = Tile(tl, n, min(WIDTH, count - n * WIDTH))
            hashes = cache.get(tile)
            if hashes is None:
                hashes = cache[tile] = split_hashes(read_tile(tile), tile)
            row = hashes[off : off + (1 << r)]
            out.append(perfect_root(row))
        return out

    return read


__all__ = [
    "ENTRIES",
    "HEIGHT",
    "MAX_INDEX",
    "MAX_PATH",
    "WIDTH",
    "InvalidTilePath",
    "Tile",
    "TileReader",
    "decode_bundle",
    "encode_bundle",
    "level_count",
    "parse_tile_path",
    "split_hashes",
    "tile_hash_reader",
    "tile_levels",
    "tile_path",
    "tiles_for_size",
]
