"""The witness protocol, C2SP tlog-witness v1: the add-checkpoint request and its checks.

Request body: `old <size>\\n` + up to 63 base64 proof lines + `\\n` + the signed checkpoint.
The answer is a cosignature line (see `cosignature`). `open_request` checks what needs no
state (framing, known log, its signature, old <= size); `check_consistency` checks the
request against the size and root the witness last cosigned. Both raise `WitnessError`,
whose `status` is the HTTP status the spec requires: 400 malformed or old > size, 403 no
trusted log signature, 404 unknown origin, 409 old size is not the last cosigned one (body:
that size, content type `text/x.tlog.size`) or same size with another root, 422 the
consistency proof does not verify. Keeping the state and the lock is the caller's job.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping

from openceir.tlog import checkpoint as cp
from openceir.tlog import merkle, note
from openceir.tlog.errors import ProofError, TlogError

MAX_PROOF_LINES = 63
SIZE_CONTENT_TYPE = "text/x.tlog.size"


class WitnessError(TlogError):
    """A rejected add-checkpoint request; `status` is the HTTP status the spec requires."""

    def __init__(self, status: int, message: str, body: str | None = None) -> None:
        self.status = status
        self.body = body
        super().__init__(f"witness: {message}")


def format_request(old: int, proof: Iterable[bytes], signed_checkpoint: bytes) -> bytes:
    """The body of an add-checkpoint request; the inverse of `parse_request`."""
    lines = [f"old {old}\n", *(base64.b64encode(h).decode() + "\n" for h in proof), "\n"]
    return "".join(lines).encode() + signed_checkpoint


def parse_request(body: bytes) -> tuple[int, list[bytes], bytes]:
    """Split an add-checkpoint body into (old size, proof hashes, checkpoint); 400 if malformed."""
    head, sep, rest = body.partition(b"\n\n")
    if not sep:
        raise WitnessError(400, "request has no blank line before the checkpoint")
    lines = head.decode("ascii", "replace").split("\n")
    first = lines[0]
    digits = first[4:]
    if (
        not first.startswith("old ")
        or not digits.isascii()
        or not digits.isdigit()
        or len(digits) > 20
        or (digits.startswith("0") and digits != "0")
        or int(digits) > merkle.MAX_SIZE
    ):
        raise WitnessError(400, "first line must be `old <size>` without leading zeros")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise WitnessError(400, f"more than {MAX_PROOF_LINES} consistency proof lines")
    proof = []
    for line in lines[1:]:
        try:
            h = base64.b64decode(line, validate=True)
        except (binascii.Error, ValueError):
            raise WitnessError(400, "a consistency proof line is not base64") from None
        if len(h) != merkle.HASH_SIZE:
            raise WitnessError(400, "a consistency proof hash is not 32 bytes")
        proof.append(h)
    return int(digits), proof, rest


def open_request(
    body: bytes, logs: Mapping[str, note.Verifier]
) -> tuple[int, list[bytes], cp.Checkpoint]:
    """Parse a request and verify its checkpoint by the known log key of its origin."""
    old, proof, msg = parse_request(body)
    try:
        origin = msg.split(b"\n", 1)[0].decode()
    except UnicodeDecodeError:
        raise WitnessError(400, "checkpoint origin is not UTF-8") from None
    log_key = logs.get(origin)
    if log_key is None:
        raise WitnessError(404, f"unknown log {origin!r}")
    try:
        checkpoint, _ = cp.open_checkpoint(msg, log_key)
    except (cp.MalformedCheckpointError, note.MalformedNoteError) as exc:
        raise WitnessError(400, str(exc)) from None
    except note.NoteError:
        raise WitnessError(403, f"no valid signature by the key of {origin!r}") from None
    if old > checkpoint.size:
        raise WitnessError(400, f"old size {old} is above the checkpoint size {checkpoint.size}")
    return old, proof, checkpoint


def check_consistency(
    old: int, proof: list[bytes], checkpoint: cp.Checkpoint, size: int, root: bytes | None
) -> None:
    """Check a request against the witness's last cosigned (size, root); (0, None) if none."""
    if old != size:
        raise WitnessError(409, f"last cosigned size is {size}, not {old}", body=f"{size}\n")
    if old == 0:
        if proof:
            raise WitnessError(400, "the consistency proof must be empty from size 0")
    elif old == checkpoint.size:
        if checkpoint.root != root or proof:
            raise WitnessError(409, f"same size {old} with a different root: a fork")
    else:
        try:
            merkle.verify_consistency(old, checkpoint.size, proof, root or b"", checkpoint.root)
        except ProofError as exc:
            raise WitnessError(422, str(exc)) from None


__all__ = [
    "MAX_PROOF_LINES",
    "SIZE_CONTENT_TYPE",
    "WitnessError",
    "check_consistency",
    "format_request",
    "open_request",
    "parse_request",
]
