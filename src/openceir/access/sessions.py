"""Server-side web sessions: a random cookie token, stored only as its SHA-256.

A session ends after `IDLE` without a request or `ABSOLUTE` after sign-in, whichever comes
first; signing in always starts a new one (rotation), and signing out deletes it. Each
session has its own CSRF secret.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, select

from openceir.access.roles import Principal
from openceir.access.users import principal_of
from openceir.store.session import session_scope
from openceir.store.users import UserRow, WebSessionRow

IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=12)
TOUCH_EVERY = timedelta(seconds=60)
"""A request refreshes `last_seen_at` at most this often (one write per minute, not per hit)."""


@dataclass(frozen=True)
class WebSession:
    """A live session: who it is and the secret its CSRF tokens derive from."""

    principal: Principal
    csrf_secret: str
    created_at: datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def start(
    engine: Engine,
    principal: Principal,
    *,
    replaces: str | None = None,
    client: str | None = None,
    now: datetime | None = None,
) -> str:
    """Open a session for a signed-in principal and return its cookie token.

    The session the browser had before (`replaces`), signed in or not, is deleted.
    """
    now = now or datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    with session_scope(engine) as session:
        if replaces:
            session.execute(
                delete(WebSessionRow).where(WebSessionRow.token_sha256 == _digest(replaces))
            )
        session.execute(delete(WebSessionRow).where(WebSessionRow.expires_at <= now))
        session.add(
            WebSessionRow(
                token_sha256=_digest(token),
                user_id=principal.user_id,
                csrf_secret=secrets.token_hex(32),
                created_at=now,
                last_seen_at=now,
                expires_at=now + ABSOLUTE,
                client=(client or "")[:64] or None,
            )
        )
    return token


def load(engine: Engine, token: str | None, *, now: datetime | None = None) -> WebSession | None:
    """The live session of this cookie token, or None (unknown, expired, user disabled)."""
    if not token or len(token) > 128:
        return None
    now = now or datetime.now(UTC)
    with session_scope(engine) as session:
        row = session.get(WebSessionRow, _digest(token))
        if row is None:
            return None
        last_seen = _aware(row.last_seen_at)
        if _aware(row.expires_at) <= now or last_seen + IDLE <= now:
            session.delete(row)
            return None
        user = session.get(UserRow, row.user_id)
        if user is None or user.disabled:
            session.delete(row)
            return None
        if now - last_seen >= TOUCH_EVERY:
            row.last_seen_at = now
        return WebSession(principal_of(user), row.csrf_secret, _aware(row.created_at))


def end(engine: Engine, token: str | None) -> None:
    """Delete this session (sign-out); nothing happens for an unknown token."""
    if token:
        with session_scope(engine) as session:
            session.execute(
                delete(WebSessionRow).where(WebSessionRow.token_sha256 == _digest(token))
            )


def count_for(engine: Engine, username: str) -> int:
    """How many sessions this user has open (for tests and the admin page)."""
    with session_scope(engine) as session:
        rows = session.scalars(
            select(WebSessionRow.token_sha256)
            .join(UserRow, UserRow.id == WebSessionRow.user_id)
            .where(UserRow.username == username)
        ).all()
        return len(rows)


__all__ = ["ABSOLUTE", "IDLE", "WebSession", "count_for", "end", "load", "start"]
