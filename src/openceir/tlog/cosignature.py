"""Witness cosignatures, C2SP tlog-cosignature v1 (Ed25519): keys, signing, verifying.

A cosignature is a signed-note signature line `— <witness name> base64(key id || u64 BE time
|| Ed25519 signature)`, where the key id is SHA-256(name || 0x0A || 0x04 || public key)[:4]
and the signature covers `cosignature/v1\\ntime <time>\\n` followed by the checkpoint body.
Keys are vkeys with signature type 0x04 and private keys
`PRIVATE+KEY+<name>+<hex id>+<base64(0x04 || seed)>`.

A log counts as *published* at a size once a quorum of the witnesses it trusts cosigned its
checkpoint (`is_published`), which stops it from showing different trees to different people.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from openceir.tlog import checkpoint as cp
from openceir.tlog import note

ALG_COSIGNATURE_V1 = 0x04


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
        raise note.MalformedNoteError("cosignature: malformed key")
    return parts


def _decode_key(name: str, hex_id: str, data: str) -> bytes:
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise note.MalformedNoteError(f"cosignature: malformed key for {name}") from None
    if len(raw) != 33 or raw[0] != ALG_COSIGNATURE_V1 or len(hex_id) != 8:
        raise note.MalformedNoteError(f"cosignature: key for {name} is not a cosignature/v1 key")
    return raw[1:]


def parse_cosigner_vkey(text: str) -> CosignatureVerifier:
    """Parse a witness vkey (type 0x04), checking its key id; the inverse of `.vkey`."""
    name, hex_id, data = _key_parts(text, 3)
    public = _decode_key(name, hex_id, data)
    verifier = CosignatureVerifier(name, note.key_id(name, ALG_COSIGNATURE_V1, public), public)
    if f"{verifier.key_id:08x}" != hex_id:
        raise note.MalformedNoteError(f"cosignature: key for {name} has a wrong key id")
    return verifier


def parse_cosigner_skey(text: str) -> Cosigner:
    """Parse a witness private key written by `Cosigner.skey`."""
    parts = _key_parts(text, 5)
    if parts[:2] != ["PRIVATE", "KEY"]:
        raise note.MalformedNoteError("cosignature: malformed private key")
    name, hex_id, data = parts[2:]
    cosigner = Cosigner(name, _decode_key(name, hex_id, data))
    if f"{cosigner.verifier.key_id:08x}" != hex_id:
        raise note.MalformedNoteError(f"cosignature: key for {name} has a wrong key id")
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


__all__ = [
    "ALG_COSIGNATURE_V1",
    "CosignatureVerifier",
    "Cosigner",
    "cosignature_times",
    "cosigned_message",
    "generate_cosigner",
    "is_published",
    "parse_cosigner_skey",
    "parse_cosigner_vkey",
]
