"""Password and secret hashing with argon2id (RFC 9106), through argon2-cffi.

One hasher for user passwords and OAuth2 client secrets. `verify` never raises on a wrong
secret; `dummy_verify` spends the same time for an unknown name, so timing tells nothing.
"""

from __future__ import annotations

import hmac
import secrets

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from openceir.errors import InputError

MIN_PASSWORD = 12
_HASHER = PasswordHasher(type=Type.ID)
_DUMMY = _HASHER.hash("not a password anyone has")


def hash_secret(secret: str) -> str:
    """The argon2id hash (PHC string) of `secret`."""
    return _HASHER.hash(secret)


def is_hash(value: str) -> bool:
    """Whether `value` looks like an argon2id PHC string rather than a plain secret."""
    return value.startswith("$argon2id$")


def verify(stored: str, secret: str) -> bool:
    """Whether `secret` matches `stored` (an argon2id hash, or a legacy plain secret)."""
    if not is_hash(stored):
        return hmac.compare_digest(stored.encode(), secret.encode())
    try:
        return _HASHER.verify(stored, secret)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def dummy_verify(secret: str) -> None:
    """Spend one verification's time on nothing (unknown user or client)."""
    verify(_DUMMY, secret)


def check_password(password: str) -> str:
    """`password` if it is long enough to be a password, else an InputError saying so."""
    if len(password) < MIN_PASSWORD:
        raise InputError(
            f"password has {len(password)} characters, at least {MIN_PASSWORD} are needed",
            field="password",
        )
    return password


def new_secret(nbytes: int = 24) -> str:
    """A random URL-safe secret (client secrets, generated passwords)."""
    return secrets.token_urlsafe(nbytes)


__all__ = ["check_password", "dummy_verify", "hash_secret", "is_hash", "new_secret", "verify"]
