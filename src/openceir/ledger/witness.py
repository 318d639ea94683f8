"""Witnesses, C2SP tlog-witness and tlog-cosignature/v1 (Ed25519): cosigning checkpoints.

A witness keeps, per log origin, the latest checkpoint it cosigned. `add-checkpoint`
submits a new checkpoint with a consistency proof from that size; the witness checks the
log's signature, the proof (or, at equal size, the root), records the new size and returns
a cosignature. A log counts as *published* at a size once a quorum of the witnesses it
trusts cosigned it, which stops it from showing different trees to different people.

Request body:  `old <size>\\n` + up to 63 base64 proof lines + `\\n` + the signed checkpoint.
Response: cosignature lines `— <witness name> base64(key id || u64 BE time || signature)`,
where the key id is SHA-256(name || 0x0A || 0x04 || public key)[:4] and the signature covers
`cosignature/v1\\ntime <time>\\n` followed by the checkpoint body.

Status codes (`WitnessError.status`): 400 malformed or old > size, 403 no trusted log
signature, 404 unknown origin, 409 old size is not the last cosigned one (body: that size)
or same size with another root, 422 consistency proof does not verify.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from openceir.errors import IntegrityError, NotFound
from openceir.ledger import checkpoint as cp
from openceir.ledger import merkle, note
from openceir.ledger.log import Log
from openceir.ledger.storage import write_atomic

ALG_COSIGNATURE_V1 = 0x04
MAX_PROOF_LINES = 63
SIZE_CONTENT_TYPE = "text/x.tlog.size"


class WitnessError(IntegrityError):
    """A rejected add-checkpoint request; `status` is the HTTP status the spec requires."""

    def __init__(self, status: int, message: str, body: str | None = None) -> None:
        self.status = status
        self.body = body
        super().__init__(f"witness: {message}")


def cosigned_message(body: str, timestamp: int) -> bytes:
    """The bytes a tlog-cosignature/v1 signature covers for a checkpoint body."""
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


@dataclass(frozen=True)
class CosignatureVerifier:
    """A witness's Ed25519 cosignature/v1 public key (a note verifier for cosignature lines)."""

    name: str
    key_id: int
    public_key: bytes

    def verify(self, message: bytes, signature: bytes) -> bool:
        """True when `signature` (u64 time || Ed25519 sig) cosigns the note text `message`."""
        if len(signature) != 72:
            return False
        timestamp = int.from_bytes(signature[:8], "big")
        if timestamp >= 1 << 63:
            return False
        try:
            self._key.verify(signature[8:], cosigned_message(message.decode(), timestamp))
        except (InvalidSignature, UnicodeDecodeError):
            return False
        return True

    @cached_property
    def _key(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.public_key)

    @property
    def vkey(self) -> str:
        """The key as a vkey with signature type 0x04."""
        data = base64.b64encode(bytes([ALG_COSIGNATURE_V1]) + self.public_key).decode()
        return f"{self.name}+{self.key_id:08x}+{data}"


@dataclass(frozen=True)
class Cosigner:
    """A witness's private cosigning key; never log or print one."""

    name: str
    seed: bytes = field(repr=False)

    @cached_property
    def _key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    @property
    def verifier(self) -> CosignatureVerifier:
        """The matching public key."""
        public = self._key.public_key().public_bytes_raw()
        return CosignatureVerifier(
            self.name, note.key_id(self.name, ALG_COSIGNATURE_V1, public), public
        )

    def cosign(self, body: str, timestamp: int) -> str:
        """The cosignature line (with newline) for a checkpoint body at `timestamp`."""
        sig = self._key.sign(cosigned_message(body, timestamp))
        kid = self.verifier.key_id.to_bytes(4, "big")
        raw = kid + timestamp.to_bytes(8, "big") + sig
        return f"{note.SIG_PREFIX}{self.name} {base64.b64encode(raw).decode()}\n"

    @property
    def skey(self) -> str:
        """The private key as `PRIVATE+KEY+<name>+<hex id>+<base64(0x04 || seed)>`."""
        data = base64.b64encode(bytes([ALG_COSIGNATURE_V1]) + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id:08x}+{data}"


def generate_cosigner(name: str) -> Cosigner:
    """A fresh random cosigning key named `name`."""
    note.generate_key(name)  # validates the name
    return Cosigner(name, Ed25519PrivateKey.generate().private_bytes_raw())


def _key_parts(text: str, count: int) -> list[str]:
    parts = text.strip().split("+", count - 1)
    if len(parts) != count:
        raise note.MalformedNoteError("witness: malformed key")
    return parts


def _decode_key(name: str, hex_id: str, data: str) -> bytes:
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise note.MalformedNoteError(f"witness: malformed key for {name}") from None
    if len(raw) != 33 or raw[0] != ALG_COSIGNATURE_V1 or len(hex_id) != 8:
        raise note.MalformedNoteError(f"witness: key for {name} is not a cosignature/v1 key")
    return raw[1:]


def parse_cosigner_vkey(text: str) -> CosignatureVerifier:
    """Parse a witness vkey (type 0x04), checking its key id."""
    name, hex_id, data = _key_parts(text, 3)
    public = _decode_key(name, hex_id, data)
    verifier = CosignatureVerifier(name, note.key_id(name, ALG_COSIGNATURE_V1, public), public)
    if f"{verifier.key_id:08x}" != hex_id:
        raise note.MalformedNoteError(f"witness: key for {name} has a wrong key id")
    return verifier


def parse_cosigner_skey(text: str) -> Cosigner:
    """Parse a witness private key written by `Cosigner.skey`."""
    parts = _key_parts(text, 5)
    if parts[:2] != ["PRIVATE", "KEY"]:
        raise note.MalformedNoteError("witness: malformed private key")
    name, hex_id, data = parts[2:]
    cosigner = Cosigner(name, _decode_key(name, hex_id, data))
    if f"{cosigner.verifier.key_id:08x}" != hex_id:
        raise note.MalformedNoteError(f"witness: key for {name} has a wrong key id")
    return cosigner


def cosignature_times(msg: bytes, witnesses: Iterable[CosignatureVerifier]) -> dict[str, int]:
    """The witnesses (name -> timestamp) whose cosignatures on this checkpoint verify."""
    known = {(w.name, w.key_id): w for w in witnesses}
    parsed = note.parse(msg)
    text = parsed.text
    out = {}
    for sig in parsed.unverified:
        w = known.get((sig.name, sig.key_id))
        raw = base64.b64decode(sig.base64)
        if w is not None and w.verify(text.encode(), raw[4:]):
            out[w.name] = int.from_bytes(raw[4:12], "big")
    return out


def is_published(
    msg: bytes, log_key: note.Verifier, witnesses: Iterable[CosignatureVerifier], quorum: int
) -> bool:
    """True when the log signed this checkpoint and at least `quorum` witnesses cosigned it."""
    witnesses = list(witnesses)
    cp.open_checkpoint(msg, log_key, witnesses)
    return len(cosignature_times(msg, witnesses)) >= quorum


def format_request(old: int, proof: Iterable[bytes], signed_checkpoint: bytes) -> bytes:
    """The body of an add-checkpoint request."""
    lines = [f"old {old}\n", *(base64.b64encode(h).decode() + "\n" for h in proof), "\n"]
    return "".join(lines).encode() + signed_checkpoint


def parse_request(body: bytes) -> tuple[int, list[bytes], bytes]:
    """Split an add-checkpoint body into (old size, proof hashes, checkpoint); 400 if malformed."""
    head, sep, rest = body.partition(b"\n\n")
    if not sep:
        raise WitnessError(400, "request has no blank line before the checkpoint")
    lines = head.decode("ascii", "replace").split("\n")
    first = lines[0]
    if (
        not first.startswith("old ")
        or not first[4:].isdigit()
        or (first[4:].startswith("0") and first[4:] != "0")
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
    return int(first[4:]), proof, rest


WITNESS_SKEY = "witness.skey"
WITNESS_LOGS = "logs.vkeys"
WITNESS_STATE = "state.json"


def init_witness(directory: Path, name: str, logs: Iterable[str]) -> CosignatureVerifier:
    """Create a witness in `directory` for the logs with these vkeys; returns its public key."""
    directory = Path(directory)
    if (directory / WITNESS_SKEY).exists():
        raise IntegrityError(f"a witness key already exists in {directory}")
    keys = [note.parse_vkey(k).vkey for k in logs]
    cosigner = generate_cosigner(name)
    write_atomic(directory / WITNESS_SKEY, (cosigner.skey + "\n").encode(), mode=0o600)
    write_atomic(directory / WITNESS_LOGS, "".join(k + "\n" for k in keys).encode())
    return cosigner.verifier


class Witness:
    """A witness for a set of logs, its state (latest cosigned size and root per origin) on disk."""

    def __init__(self, cosigner: Cosigner, logs: Iterable[note.Verifier], state_file: Path) -> None:
        self.cosigner = cosigner
        self.logs = {log.name: log for log in logs}
        self.state_file = state_file
        self._lock = threading.Lock()

    @classmethod
    def open(cls, directory: Path) -> Witness:
        """The witness kept in `directory`: witness.skey, logs.vkeys (one per line), state.json."""
        directory = Path(directory)
        try:
            cosigner = parse_cosigner_skey((directory / WITNESS_SKEY).read_text())
            vkeys = (directory / WITNESS_LOGS).read_text().split()
        except FileNotFoundError:
            raise NotFound(f"no witness configured in {directory}") from None
        return cls(cosigner, [note.parse_vkey(k) for k in vkeys], directory / WITNESS_STATE)

    def _state(self) -> dict[str, dict[str, object]]:
        if not self.state_file.is_file():
            return {}
        return json.loads(self.state_file.read_text())

    def latest(self, origin: str) -> tuple[int, bytes | None]:
        """The size and root this witness last cosigned for a log (0, None if never)."""
        entry = self._state().get(origin)
        if not entry:
            return 0, None
        return int(entry["size"]), base64.b64decode(str(entry["root"]))

    def add_checkpoint(self, body: bytes, now: int | None = None) -> str:
        """Handle an add-checkpoint request: the cosignature line, or a WitnessError."""
        old, proof, msg = parse_request(body)
        try:
            origin = msg.split(b"\n", 1)[0].decode()
        except UnicodeDecodeError:
            raise WitnessError(400, "checkpoint origin is not UTF-8") from None
        log_key = self.logs.get(origin)
        if log_key is None:
            raise WitnessError(404, f"unknown log {origin!r}")
        try:
            checkpoint, _ = cp.open_checkpoint(msg, log_key)
        except cp.MalformedCheckpointError as exc:
            raise WitnessError(400, str(exc)) from None
        except note.MalformedNoteError as exc:
            raise WitnessError(400, str(exc)) from None
        except note.NoteError:
            raise WitnessError(403, f"no valid signature by the key of {origin!r}") from None
        if old > checkpoint.size:
            raise WitnessError(
                400, f"old size {old} is above the checkpoint size {checkpoint.size}"
            )
        with self._lock:
            state = self._state()
            size, root = self.latest(origin)
            if old != size:
                raise WitnessError(
                    409, f"last cosigned size is {size}, not {old}", body=f"{size}\n"
                )
            if old == 0:
                if proof:
                    raise WitnessError(400, "the consistency proof must be empty from size 0")
            elif old == checkpoint.size:
                if checkpoint.root != root or proof:
                    raise WitnessError(409, f"same size {old} with a different root: a fork")
            else:
                try:
                    merkle.verify_consistency(
                        old, checkpoint.size, proof, root or b"", checkpoint.root
                    )
                except merkle.ProofError as exc:
                    raise WitnessError(422, str(exc)) from None
            state[origin] = {
                "size": checkpoint.size,
                "root": base64.b64encode(checkpoint.root).decode(),
            }
            write_atomic(self.state_file, (json.dumps(state, sort_keys=True) + "\n").encode())
        timestamp = int(time.time()) if now is None else now
        return self.cosigner.cosign(checkpoint.format(), timestamp)


def request_cosignature(
    client: httpx.Client, url: str, log: Log, witness_key: CosignatureVerifier
) -> str:
    """Ask the witness at `url` (its add-checkpoint URL) to cosign the log's checkpoint.

    Starts from the size the witness reports (a 409 tells it), sends the consistency
    proof from there, and checks the returned cosignature against `witness_key`.
    """
    msg = log.checkpoint()
    size = cp.parse(note.parse(msg).text).size
    old = 0
    for _ in range(2):
        proof = log.consistency_proof(old, size) if 0 < old < size else []
        response = client.post(url, content=format_request(old, proof, msg))
        if response.status_code == 409 and response.headers.get("content-type", "").startswith(
            SIZE_CONTENT_TYPE
        ):
            old = int(response.text.strip())
            if old > size:
                raise IntegrityError(
                    f"witness {witness_key.name} has seen size {old}, above our {size}: a fork?"
                )
            continue
        if response.status_code != 200:
            raise IntegrityError(
                f"witness {witness_key.name} refused the checkpoint: "
                f"{response.status_code} {response.text.strip()[:200]}"
            )
        lines = [line + "\n" for line in response.text.splitlines() if line]
        cosigned = (msg.decode() + "".join(lines)).encode()
        if witness_key.name not in cosignature_times(cosigned, [witness_key]):
            raise IntegrityError(f"witness {witness_key.name} returned no valid cosignature")
        return next(
            line for line in lines if line.startswith(f"{note.SIG_PREFIX}{witness_key.name} ")
        )
    raise IntegrityError(f"witness {witness_key.name} keeps reporting another size")


def publish(
    log: Log,
    witnesses: Iterable[tuple[str, CosignatureVerifier]],
    quorum: int,
    client: httpx.Client,
) -> bytes:
    """Collect cosignatures from witnesses and add them to the checkpoint; needs a quorum.

    Witnesses that fail are skipped; fewer than `quorum` cosignatures is an IntegrityError
    naming the failures (the cosignatures obtained are still added).
    """
    lines, failures = [], []
    for url, key in witnesses:
        try:
            lines.append(request_cosignature(client, url, log, key))
        except (IntegrityError, httpx.HTTPError) as exc:
            failures.append(f"{key.name}: {exc}")
    updated = log.add_cosignatures(lines) if lines else log.checkpoint()
    if len(lines) < quorum:
        raise IntegrityError(
            f"only {len(lines)} of the {quorum} witness cosignatures needed; " + "; ".join(failures)
        )
    return updated


__all__ = [
    "ALG_COSIGNATURE_V1",
    "SIZE_CONTENT_TYPE",
    "CosignatureVerifier",
    "Cosigner",
    "Witness",
    "WitnessError",
    "cosignature_times",
    "cosigned_message",
    "format_request",
    "generate_cosigner",
    "init_witness",
    "is_published",
    "parse_cosigner_skey",
    "parse_cosigner_vkey",
    "parse_request",
    "publish",
    "request_cosignature",
]
