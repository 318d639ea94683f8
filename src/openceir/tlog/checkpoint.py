"""Checkpoints, C2SP tlog-checkpoint v1: the signed statement of a log's size and root.

The body is the note text

    <origin>
    <tree size, decimal, no leading zeros>
    <root hash, standard base64 of 32 bytes>
    [extension lines, each non-empty]

and the checkpoint is that text as a signed note (see `note`), signed by the log's key,
whose name is the origin. `parse` is strict and `format` canonical: a body that does not
round-trip byte for byte is rejected, so two different bodies never mean the same tree.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from dataclasses import dataclass

from openceir.tlog import note
from openceir.tlog.merkle import HASH_SIZE, MAX_SIZE

_SIZE = re.compile(r"0|[1-9][0-9]{0,19}")
MAX_BODY = 1 << 16


class MalformedCheckpointError(note.NoteError):
    """A checkpoint body that is not canonical C2SP tlog-checkpoint text."""


@dataclass(frozen=True)
class Checkpoint:
    """A log's origin, tree size, root hash and optional extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def format(self) -> str:
        """The canonical checkpoint body (note text), ending in a newline."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode()]
        return "\n".join([*lines, *self.extensions]) + "\n"


def parse(text: str) -> Checkpoint:
    """Parse a checkpoint body strictly; raise MalformedCheckpointError on any deviation."""
    if len(text) > MAX_BODY or not text.endswith("\n"):
        raise MalformedCheckpointError("checkpoint: body must be short and end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise MalformedCheckpointError("checkpoint: needs origin, size and root hash lines")
    origin, size_text, root_text, *extensions = lines
    if not origin or any(c < " " for c in origin):
        raise MalformedCheckpointError("checkpoint: empty or invalid origin line")
    if not _SIZE.fullmatch(size_text) or int(size_text) > MAX_SIZE:
        raise MalformedCheckpointError(f"checkpoint: tree size {size_text[:24]!r} is not canonical")
    try:
        root = base64.b64decode(root_text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise MalformedCheckpointError("checkpoint: root hash is not base64") from None
    if len(root) != HASH_SIZE or base64.b64encode(root).decode() != root_text:
        raise MalformedCheckpointError("checkpoint: root hash is not 32 bytes of canonical base64")
    if any(not line for line in extensions):
        raise MalformedCheckpointError("checkpoint: empty extension line")
    return Checkpoint(origin, int(size_text), root, tuple(extensions))


def sign(checkpoint: Checkpoint, signer: note.Signer) -> bytes:
    """The checkpoint as a note signed by the log key (whose name must be the origin)."""
    if signer.name != checkpoint.origin:
        raise MalformedCheckpointError(
            f"checkpoint: log key {signer.name!r} does not match origin {checkpoint.origin!r}"
        )
    return note.sign(checkpoint.format(), signer)


def open_checkpoint(
    msg: bytes, log_key: note.Verifier, witnesses: Iterable[note.NoteVerifier] = ()
) -> tuple[Checkpoint, note.Note]:
    """Verify a signed checkpoint by its log's key and parse its body.

    Signatures by `witnesses` are verified too when present; the log's own signature is
    required, and the origin must equal the log key's name.
    """
    opened = note.open_note(msg, [log_key, *witnesses])
    if not any(s.name == log_key.name and s.key_id == log_key.key_id for s in opened.sigs):
        raise note.UnverifiedNoteError(opened)
    cp = parse(opened.text)
    if cp.origin != log_key.name:
        raise MalformedCheckpointError(
            f"checkpoint: origin {cp.origin!r} is not the log key's name {log_key.name!r}"
        )
    return cp, opened


__all__ = ["Checkpoint", "MalformedCheckpointError", "open_checkpoint", "parse", "sign"]
