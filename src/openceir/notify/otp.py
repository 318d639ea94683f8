"""One-time codes proving control of an MSISDN or an e-mail address.

A code is `otp_length` digits from `secrets`, sent through the outbox and kept only as an
HMAC-SHA256 (key: `<data dir>/keys/otp-hmac.key`, made on first use) bound to the request's
token, so a copy of the store reveals no code. A code expires after `otp_ttl_seconds`, allows
`otp_max_attempts` wrong guesses, and can be re-sent `otp_max_sends - 1` times (each re-send
replaces the code), not more often than every `otp_resend_seconds`. Codes compare in constant
time (`hmac.compare_digest`).

Two steps, so a wrong guess is counted even when the caller's transaction rolls back:
`verify` checks the code in its own transaction and marks the request verified; `consume`
marks it used inside the caller's transaction (the report it proves), once only.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from openceir.errors import InputError
from openceir.notify.outbox import enqueue
from openceir.settings import Settings
from openceir.store.models import utcnow
from openceir.store.notify import OneTimeCode
from openceir.store.session import session_scope

KEY_FILE = Path("keys") / "otp-hmac.key"
TEMPLATE = "otp_code"


@dataclass(frozen=True)
class Challenge:
    """A code request as the requester may see it: its token, expiry and re-sends left."""

    token: str
    expires_at: datetime
    sends_left: int


def hmac_key(settings: Settings) -> bytes:
    """The store's code-hashing key, created atomically on first use (mode 0600)."""
    path = settings.data_dir / KEY_FILE
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)  # fails when another process made it first: theirs wins
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return bytes.fromhex(path.read_text().strip())


def code_hash(key: bytes, token: str, code: str) -> str:
    """HMAC-SHA256 of the code bound to its request token (hex)."""
    return hmac.new(key, f"{token}:{code}".encode(), hashlib.sha256).hexdigest()


def new_code(length: int) -> str:
    """A uniformly random code of `length` decimal digits."""
    return f"{secrets.randbelow(10**length):0{length}d}"


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def issue(
    session: Session,
    settings: Settings,
    purpose: str,
    kind: str,
    address: str,
    *,
    language: str | None = None,
    now: datetime | None = None,
) -> Challenge:
    """Send a code to `address` for `purpose`; a live request for the same is re-sent instead.

    Raises InputError when the re-send limit or interval says no (naming when to retry).
    """
    cfg = settings.notify
    now = now or utcnow()
    live = session.scalar(
        select(OneTimeCode)
        .where(
            OneTimeCode.purpose == purpose,
            OneTimeCode.kind == kind,
            OneTimeCode.address == address,
            OneTimeCode.used_at.is_(None),
            OneTimeCode.expires_at > now,
        )
        .order_by(OneTimeCode.id.desc())
        .limit(1)
    )
    code = new_code(cfg.otp_length)
    key = hmac_key(settings)
    if live is None:
        token = secrets.token_urlsafe(18)
        live = OneTimeCode(
            token=token,
            purpose=purpose,
            kind=kind,
            address=address,
            code_hash=code_hash(key, token, code),
            created_at=now,
            sent_at=now,
            expires_at=now + timedelta(seconds=cfg.otp_ttl_seconds),
            attempts=0,
            sends=1,
        )
        session.add(live)
    else:
        if live.sends >= cfg.otp_max_sends:
            until = _aware(live.expires_at).strftime("%H:%M UTC")
            raise InputError(
                f"{cfg.otp_max_sends} codes were already sent to this address; "
                f"ask again after {until}",
                field="address",
            )
        wait = cfg.otp_resend_seconds - (now - _aware(live.sent_at)).total_seconds()
        if wait > 0:
            raise InputError(
                f"a code was sent moments ago; ask again in {int(wait) + 1} s", field="address"
            )
        live.code_hash = code_hash(key, live.token, code)
        live.sends += 1
        live.attempts = 0
        live.verified_at = None
        live.sent_at = now
        live.expires_at = now + timedelta(seconds=cfg.otp_ttl_seconds)
    minutes = max(1, cfg.otp_ttl_seconds // 60)
    enqueue(
        session,
        settings,
        kind,
        address,
        TEMPLATE,
        {"code": code, "minutes": minutes, "purpose": purpose},
        language=language,
        reference=f"otp:{live.token[:12]}",
    )
    return Challenge(live.token, live.expires_at, cfg.otp_max_sends - live.sends)


def verify(
    engine: Engine,
    settings: Settings,
    token: str,
    code: str,
    *,
    purpose: str,
    now: datetime | None = None,
) -> str:
    """Check `code` for request `token` in its own transaction; returns the proven address.

    Wrong, expired, used, exhausted or unknown requests raise InputError naming the field;
    a wrong guess is counted before the error is raised.
    """
    cfg = settings.notify
    now = now or utcnow()
    code = (code or "").strip()
    with session_scope(engine) as session:
        row = session.scalar(
            select(OneTimeCode).where(OneTimeCode.token == token).with_for_update()
        )
        if row is None or row.purpose != purpose:
            raise InputError("no such code request; ask for a new code", field="code_token")
        if row.used_at is not None:
            raise InputError("this code was already used; ask for a new one", field="code")
        if _aware(row.expires_at) <= now:
            raise InputError("the code has expired; ask for a new one", field="code")
        if row.attempts >= cfg.otp_max_attempts:
            raise InputError("too many wrong codes; ask for a new one", field="code")
        expected = row.code_hash
        given = code_hash(hmac_key(settings), row.token, code)
        if not hmac.compare_digest(expected, given):
            row.attempts += 1
            left = cfg.otp_max_attempts - row.attempts
            error = InputError(
                f"wrong code; {left} {'try' if left == 1 else 'tries'} left"
                if left
                else "wrong code; no tries left, ask for a new one",
                field="code",
            )
        else:
            row.verified_at = now
            return row.address
    raise error


def consume(session: Session, token: str, *, purpose: str) -> str:
    """Mark a verified request used, in the caller's transaction; returns its address.

    Raises InputError unless `verify` accepted the code and nothing used it yet (a replay).
    """
    done = session.execute(
        update(OneTimeCode)
        .where(
            OneTimeCode.token == token,
            OneTimeCode.purpose == purpose,
            OneTimeCode.verified_at.is_not(None),
            OneTimeCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    if done.rowcount != 1:
        raise InputError(
            "the code was not verified or was already used; ask for a new one", field="code"
        )
    return session.scalar(select(OneTimeCode.address).where(OneTimeCode.token == token)) or ""


def prove(
    engine: Engine, session: Session, settings: Settings, token: str, code: str, *, purpose: str
) -> str:
    """`verify` then `consume`: the address a code proves, used up with the caller's change."""
    verify(engine, settings, token, code, purpose=purpose)
    return consume(session, token, purpose=purpose)
