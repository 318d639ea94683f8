"""tlog's own exception tree: it imports nothing of openceir, so it brings its own errors.

    TlogError                     root: bad outside input to a tlog function
    ├── ProofError                a Merkle proof that does not verify, or cannot exist (merkle)
    ├── HashReaderError           a HashReader or TileReader that broke its contract (merkle)
    ├── NoteError                 a note, key or signature that is malformed or does not verify
    │   ├── MalformedNoteError    text that is not a well-formed note or key (note)
    │   ├── MalformedCheckpointError   a checkpoint body that is not canonical (checkpoint)
    │   ├── UnknownVerifierError  no known key has this name and id (note)
    │   ├── InvalidSignatureError a known key's signature that fails (note)
    │   └── UnverifiedNoteError   no known key signed the note (note)
    ├── TileError                 tile data whose length or framing is off (tiles)
    ├── InvalidTilePath           a path outside the tlog-tiles grammar (tiles; a ValueError)
    ├── EntryTooLarge             an entry above 65535 bytes (tiles; a ValueError)
    └── WitnessError              a rejected add-checkpoint request, with its HTTP status (witness)

Messages start with the module's name (`merkle: ...`, `note: ...`). Applications map the
root to their own families: openceir treats a TlogError as an integrity failure, and an
InvalidTilePath or EntryTooLarge as bad input.
"""

from __future__ import annotations


class TlogError(Exception):
    """Root of every error tlog raises for bad input, a bad proof or a bad signature."""


class ProofError(TlogError):
    """A Merkle proof that does not verify, or a request for one that cannot exist."""


class HashReaderError(TlogError):
    """A HashReader or TileReader returned the wrong number of hashes or a node it lacks."""


class TileError(TlogError):
    """A hash tile or entry bundle whose bytes do not have the length or framing required."""


class InvalidTilePath(TlogError, ValueError):
    """A path that does not name a tile or entry bundle in canonical tlog-tiles form."""


class EntryTooLarge(TlogError, ValueError):
    """An entry longer than an entry bundle can frame (65535 bytes)."""


__all__ = [
    "EntryTooLarge",
    "HashReaderError",
    "InvalidTilePath",
    "ProofError",
    "TileError",
    "TlogError",
]
