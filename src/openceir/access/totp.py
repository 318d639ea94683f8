"""Time-based one-time passwords (RFC 6238) through pyotp, with replay refusal.

A code is accepted once: `verify` returns the 30-second step it matched, and the caller stores
it; a later code must match a later step. One step of clock drift either way is allowed.
"""

from __future__ import annotations

import hmac
import time

import pyotp

STEP = 30
ISSUER = "openceir"


def new_secret() -> str:
    """A fresh base32 TOTP secret (160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, username: str) -> str:
    """The `otpauth://` URI an authenticator app reads (as text or QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def code_at(secret: str, when: float | None = None) -> str:
    """The code for `when` (now by default): what an authenticator app shows."""
    return pyotp.TOTP(secret).at(time.time() if when is None else when)


def verify(secret: str, code: str, last_step: int, now: float | None = None) -> int | None:
    """The step `code` matches (drift ±1) if later than `last_step`, else None."""
    code = code.strip().replace(" ", "")
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if now is None else now
    current = int(now // STEP)
    for step in (current - 1, current, current + 1):
        if step > last_step and hmac.compare_digest(totp.at(step * STEP), code):
            return step
    return None


__all__ = ["code_at", "new_secret", "provisioning_uri", "verify"]
