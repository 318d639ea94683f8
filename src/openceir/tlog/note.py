"""Signed notes, C2SP signed-note v1 (the format of Go's golang.org/x/mod/sumdb/note).

A note is UTF-8 text ending in a newline, a blank line, then one or more signature lines
`— <key name> <base64(key id || signature)>` (the dash is U+2014). Text contains no ASCII
control character but newline. A key id is the first 4 bytes (big-endian) of
SHA-256(key name || 0x0A || algorithm byte || public key); the algorithm byte for Ed25519
is 0x01 and the signature covers the note text exactly.

Keys are strings: a verifier key (vkey) is `<name>+<hex key id>+<base64(0x01 || public key)>`,
a signer key (skey) is `PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || 32-byte seed)>`.

Opening a note checks every signature by a known key and keeps the others as unverified;
a note that no known key signed is an `UnverifiedNoteError`, a wrong signature by a known key
an `InvalidSignatureError`. Duplicate signatures are dropped; at most 100 are accepted.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from openceir.tlog.errors import TlogError

ALG_ED25519 = 0x01
SIG_PREFIX = "— "
MAX_SIGNATURES = 100
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")


class NoteError(TlogError):
    """A note, key or signature that is malformed or does not verify."""


class MalformedNoteError(NoteError):
    """Text that is not a well-formed signed note or key."""


class UnknownVerifierError(NoteError):
    """No known verifier key has this name and key id."""

    def __init__(self, name: str, key_id: int) -> None:
        self.name, self.key_id = name, key_id
        super().__init__(f"note: unknown key {name}+{key_id:08x}")


class InvalidSignatureError(NoteError):
    """A known key's signature that does not verify: the note was altered or forged."""

    def __init__(self, name: str, key_id: int) -> None:
        self.name, self.key_id = name, key_id
        super().__init__(f"note: invalid signature by key {name}+{key_id:08x}")


class UnverifiedNoteError(NoteError):
    """A well-formed note that no known key signed; `note` holds what was parsed."""

    def __init__(self, note: Note) -> None:
        self.note = note
        names = ", ".join(s.name for s in note.unverified) or "nobody"
        super().__init__(f"note: no known key signed this note (signed by {names})")


def _valid_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def key_id(name: str, alg: int, public_key: bytes) -> int:
    """The 32-bit key id: the first 4 bytes of SHA-256(name || 0x0A || alg || key)."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def _b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise MalformedNoteError("note: invalid base64") from None


class NoteVerifier(Protocol):
    """Anything that checks one kind of signature line: a key name, a key id and `verify`."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def verify(self, message: bytes, signature: bytes) -> bool:
        """True when `signature` (the line's bytes after the key id) signs `message`."""
        ...


@dataclass(frozen=True)
class Verifier:
    """An Ed25519 verifier key with its name and key id."""

    name: str
    key_id: int
    public_key: bytes

    def verify(self, message: bytes, signature: bytes) -> bool:
        """True when `signature` is this key's Ed25519 signature of `message`."""
        try:
            self._key.verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True

    @cached_property
    def _key(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.public_key)

    @property
    def vkey(self) -> str:
        """The key in C2SP vkey form."""
        data = base64.b64encode(bytes([ALG_ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.key_id:08x}+{data}"


@dataclass(frozen=True)
class Signer:
    """An Ed25519 signer key with its name and key id; never log or print one."""

    name: str
    key_id: int
    seed: bytes = field(repr=False)

    def sign(self, message: bytes) -> bytes:
        """The Ed25519 signature of `message` (deterministic, 64 bytes)."""
        return self._key.sign(message)

    @cached_property
    def _key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    @property
    def verifier(self) -> Verifier:
        """The matching verifier key."""
        public = self._key.public_key().public_bytes_raw()
        return Verifier(self.name, self.key_id, public)

    @property
    def skey(self) -> str:
        """The key in Go note private-key form (keep it secret)."""
        data = base64.b64encode(bytes([ALG_ED25519]) + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.key_id:08x}+{data}"


def _parse_key_parts(name: str, hex_id: str, data: str, what: str) -> tuple[int, bytes]:
    if not _valid_name(name) or len(hex_id) != 8:
        raise MalformedNoteError(f"note: malformed {what} key")
    try:
        kid = int(hex_id, 16)
    except ValueError:
        raise MalformedNoteError(f"note: malformed {what} key id {hex_id!r}") from None
    raw = _b64decode(data)
    if len(raw) != 33 or raw[0] != ALG_ED25519:
        raise MalformedNoteError(f"note: {what} key for {name} is not an Ed25519 key")
    return kid, raw[1:]


def parse_vkey(text: str) -> Verifier:
    """Parse a vkey `<name>+<hex id>+<base64 key>`, checking the id matches the key."""
    parts = text.strip().split("+", 2)
    if len(parts) != 3:
        raise MalformedNoteError("note: malformed verifier key")
    name, hex_id, data = parts
    kid, public = _parse_key_parts(name, hex_id, data, "verifier")
    if key_id(name, ALG_ED25519, public) != kid:
        raise MalformedNoteError(f"note: verifier key for {name} has a wrong key id")
    return Verifier(name, kid, public)


def parse_skey(text: str) -> Signer:
    """Parse a signer key `PRIVATE+KEY+<name>+<hex id>+<base64 seed>`."""
    parts = text.strip().split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise MalformedNoteError("note: malformed signer key")
    name, hex_id, data = parts[2:]
    kid, seed = _parse_key_parts(name, hex_id, data, "signer")
    signer = Signer(name, kid, seed)
    if key_id(name, ALG_ED25519, signer.verifier.public_key) != kid:
        raise MalformedNoteError(f"note: signer key for {name} has a wrong key id")
    return signer


def generate_key(name: str) -> Signer:
    """A fresh random Ed25519 signer key named `name`."""
    if not _valid_name(name):
        raise MalformedNoteError(f"note: key name {name!r} must be non-empty, no spaces, no '+'")
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes_raw()
    return Signer(name, key_id(name, ALG_ED25519, private.public_key().public_bytes_raw()), seed)


@dataclass(frozen=True)
class Signature:
    """One signature line of a note."""

    name: str
    key_id: int
    base64: str

    @property
    def line(self) -> str:
        """The signature line, with its trailing newline."""
        return f"{SIG_PREFIX}{self.name} {self.base64}\n"


@dataclass(frozen=True)
class Note:
    """A parsed note: its text and its verified and unverified signatures."""

    text: str
    sigs: tuple[Signature, ...] = ()
    unverified: tuple[Signature, ...] = ()


def _check_text(text: str) -> None:
    if _CONTROL.search(text):
        raise MalformedNoteError("note: text contains a control character")


def _split(msg: bytes) -> tuple[str, list[Signature]]:
    """Split a note into its text and signature lines, checking the wire format only."""
    try:
        decoded = msg.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedNoteError("note: not valid UTF-8") from None
    _check_text(decoded)
    at = decoded.rfind("\n\n")
    if at < 0:
        raise MalformedNoteError("note: no blank line before the signatures")
    text, block = decoded[: at + 1], decoded[at + 2 :]
    if not block or not block.endswith("\n"):
        raise MalformedNoteError("note: signature block must end with a newline")
    sigs: list[Signature] = []
    for line in block[:-1].split("\n"):
        if not line.startswith(SIG_PREFIX):
            raise MalformedNoteError(f"note: malformed signature line {line[:40]!r}")
        name, _, b64 = line[len(SIG_PREFIX) :].partition(" ")
        if not _valid_name(name) or not b64 or " " in b64:
            raise MalformedNoteError(f"note: malformed signature line {line[:40]!r}")
        raw = _b64decode(b64)
        if len(raw) < 5:
            raise MalformedNoteError(f"note: signature by {name} is too short")
        sigs.append(Signature(name, int.from_bytes(raw[:4], "big"), b64))
        if len(sigs) > MAX_SIGNATURES:
            raise MalformedNoteError(f"note: more than {MAX_SIGNATURES} signatures")
    return text, sigs


def parse(msg: bytes) -> Note:
    """Parse a note without verifying anything: every signature is unverified."""
    text, sigs = _split(msg)
    return Note(text, (), tuple(dict.fromkeys(sigs)))


def open_note(msg: bytes, verifiers: Iterable[NoteVerifier]) -> Note:
    """Parse a note and verify each signature by a known key; see the module docstring."""
    known: dict[tuple[str, int], NoteVerifier] = {(v.name, v.key_id): v for v in verifiers}
    text, sigs = _split(msg)
    data = text.encode()
    verified: dict[tuple[str, int], Signature] = {}
    unverified: dict[Signature, None] = {}
    for sig in sigs:
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None:
            unverified[sig] = None
            continue
        if (sig.name, sig.key_id) in verified:
            continue
        if not verifier.verify(data, _b64decode(sig.base64)[4:]):
            raise InvalidSignatureError(sig.name, sig.key_id)
        verified[(sig.name, sig.key_id)] = sig
    result = Note(text, tuple(verified.values()), tuple(unverified))
    if not verified:
        raise UnverifiedNoteError(result)
    return result


def sign(text: str, *signers: Signer) -> bytes:
    """A note of `text` (which must end in a newline) signed by each signer, in order."""
    if not text.endswith("\n"):
        raise MalformedNoteError("note: text must end with a newline")
    _check_text(text)
    data = text.encode()
    lines = []
    for signer in signers:
        raw = signer.key_id.to_bytes(4, "big") + signer.sign(data)
        lines.append(Signature(signer.name, signer.key_id, base64.b64encode(raw).decode()).line)
    return (text + "\n" + "".join(lines)).encode()


__all__ = [
    "InvalidSignatureError",
    "MalformedNoteError",
    "Note",
    "NoteError",
    "NoteVerifier",
    "Signature",
    "Signer",
    "UnknownVerifierError",
    "UnverifiedNoteError",
    "Verifier",
    "generate_key",
    "key_id",
    "open_note",
    "parse",
    "parse_skey",
    "parse_vkey",
    "sign",
]
