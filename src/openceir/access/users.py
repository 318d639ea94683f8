"""User accounts: add, list, disable, reset a password, set a role, and sign in.

Every change is written to the audit log in the same transaction. Sign-in never says which
of name, password or code was wrong, nor whether the account exists or is locked: after
`LOCK_AFTER` failures an account is locked for a time that doubles with each further
failure (at most `MAX_LOCK`), and an unknown name costs the same hashing time as a known one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from openceir.access import passwords, totp
from openceir.access.roles import TOTP_REQUIRED, Principal, check_scope
from openceir.errors import InputError, NotFound
from openceir.store import audit
from openceir.store.session import session_scope
from openceir.store.users import UserRow, WebSessionRow

LOCK_AFTER = 5
FIRST_LOCK = timedelta(minutes=1)
MAX_LOCK = timedelta(hours=1)
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
SIGN_IN_FAILED = "Sign-in failed: check your user name, password and one-time code."


class SignInFailed(Exception):
    """Sign-in refused; the message is the same whatever the reason (no enumeration)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason  # for the audit log only, never shown
        super().__init__(SIGN_IN_FAILED)


@dataclass(frozen=True)
class NewCredentials:
    """What a new or reset account's holder needs once: password and, if any, TOTP secret."""

    username: str
    role: str
    password: str
    totp_secret: str | None
    totp_uri: str | None


@dataclass(frozen=True)
class UserView:
    """An account as listed (no secrets)."""

    username: str
    display_name: str
    role: str
    scope: str
    disabled: bool
    totp: bool
    locked_until: datetime | None
    last_sign_in_at: datetime | None


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; the store writes UTC only."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def principal_of(row: UserRow) -> Principal:
    """The principal a signed-in user acts as."""
    return Principal(
        actor=f"user:{row.username}",
        role=row.role,
        operator=row.operator_id,
        station=row.station,
        region=row.region,
        organisation=row.organisation,
        user_id=row.id,
        name=row.display_name or row.username,
    )


def _get(session: Session, username: str) -> UserRow:
    row = session.scalar(select(UserRow).where(UserRow.username == username))
    if row is None:
        raise NotFound(f"no user {username!r}: `openceir users list` shows the accounts")
    return row


def _scope_text(row: UserRow) -> str:
    parts = [
        f"{name} {value}"
        for name, value in (
            ("operator", row.operator_id),
            ("station", row.station),
            ("region", row.region),
            ("organisation", row.organisation),
        )
        if value
    ]
    return ", ".join(parts)


def add_user(
    engine: Engine,
    actor: str,
    username: str,
    role: str,
    *,
    password: str | None = None,
    display_name: str = "",
    operator: str | None = None,
    station: str | None = None,
    region: str | None = None,
    organisation: str | None = None,
    with_totp: bool | None = None,
) -> NewCredentials:
    """Create an account; a password and (for admins always) a TOTP secret are generated."""
    if not USERNAME.match(username):
        raise InputError(
            f"user name {username!r}: use 2-64 lower-case letters, digits, '.', '_' or '-'",
            field="username",
        )
    check_scope(role, operator, station, region)
    password = passwords.check_password(password) if password else passwords.new_secret(12)
    secret = totp.new_secret() if (with_totp or role in TOTP_REQUIRED) else None
    with session_scope(engine) as session:
        if session.scalar(select(UserRow.id).where(UserRow.username == username)):
            raise InputError(f"user {username!r} already exists", field="username")
        session.add(
            UserRow(
                username=username,
                display_name=display_name,
                role=role,
                operator_id=operator,
                station=station,
                region=region,
                organisation=organisation,
                password_hash=passwords.hash_secret(password),
                totp_secret=secret,
                totp_last_step=0,
                disabled=False,
                failed_sign_ins=0,
            )
        )
        audit.record(session, actor, "user.add", f"user:{username}", role=role, totp=bool(secret))
    uri = totp.provisioning_uri(secret, username) if secret else None
    return NewCredentials(username, role, password, secret, uri)


def list_users(engine: Engine) -> list[UserView]:
    """Every account, by user name."""
    with session_scope(engine) as session:
        rows = session.scalars(select(UserRow).order_by(UserRow.username)).all()
        return [
            UserView(
                r.username,
                r.display_name,
                r.role,
                _scope_text(r),
                r.disabled,
                r.totp_secret is not None,
                _aware(r.locked_until),
                _aware(r.last_sign_in_at),
            )
            for r in rows
        ]


def set_disabled(engine: Engine, actor: str, username: str, disabled: bool = True) -> None:
    """Disable (or enable) an account; disabling ends its sessions."""
    with session_scope(engine) as session:
        row = _get(session, username)
        row.disabled = disabled
        if disabled:
            session.execute(delete(WebSessionRow).where(WebSessionRow.user_id == row.id))
        audit.record(
            session, actor, "user.disable" if disabled else "user.enable", f"user:{username}"
        )


def reset_password(
    engine: Engine,
    actor: str,
    username: str,
    password: str | None = None,
    *,
    reset_totp: bool = False,
) -> NewCredentials:
    """A new password (generated unless given), the lock lifted, every session ended."""
    password = passwords.check_password(password) if password else passwords.new_secret(12)
    with session_scope(engine) as session:
        row = _get(session, username)
        row.password_hash = passwords.hash_secret(password)
        row.password_changed_at = datetime.now(UTC)
        row.failed_sign_ins, row.locked_until = 0, None
        if reset_totp or (row.role in TOTP_REQUIRED and row.totp_secret is None):
            row.totp_secret, row.totp_last_step = totp.new_secret(), 0
        session.execute(delete(WebSessionRow).where(WebSessionRow.user_id == row.id))
        audit.record(session, actor, "user.reset-password", f"user:{username}", totp=reset_totp)
        secret, role = row.totp_secret if reset_totp else None, row.role
    uri = totp.provisioning_uri(secret, username) if secret else None
    return NewCredentials(username, role, password, secret, uri)


def set_role(
    engine: Engine,
    actor: str,
    username: str,
    role: str,
    *,
    operator: str | None = None,
    station: str | None = None,
    region: str | None = None,
) -> NewCredentials | None:
    """Change an account's role and scope; its sessions end. Returns a TOTP secret if one was
    needed and created (an admin without one)."""
    check_scope(role, operator, station, region)
    with session_scope(engine) as session:
        row = _get(session, username)
        before = (row.role, _scope_text(row))
        row.role, row.operator_id, row.station, row.region = role, operator, station, region
        created = None
        if role in TOTP_REQUIRED and row.totp_secret is None:
            row.totp_secret, row.totp_last_step = totp.new_secret(), 0
            created = row.totp_secret
        session.execute(delete(WebSessionRow).where(WebSessionRow.user_id == row.id))
        audit.record(
            session,
            actor,
            "user.set-role",
            f"user:{username}",
            before=list(before),
            after=[role, _scope_text(row)],
        )
    if created is None:
        return None
    return NewCredentials(username, role, "", created, totp.provisioning_uri(created, username))


def authenticate(
    engine: Engine,
    username: str,
    password: str,
    code: str = "",
    *,
    client: str | None = None,
    now: datetime | None = None,
) -> Principal:
    """The principal for these credentials, or SignInFailed (audited either way)."""
    now = _now(now)
    username = username.strip().lower()
    with session_scope(engine) as session:
        row = session.scalar(select(UserRow).where(UserRow.username == username))
        reason = None
        if row is None:
            passwords.dummy_verify(password)
            reason = "unknown user"
        elif (locked := _aware(row.locked_until)) is not None and locked > now:
            passwords.dummy_verify(password)
            reason = "locked"
        elif not passwords.verify(row.password_hash, password):
            reason = "wrong password"
        elif row.disabled:
            reason = "disabled"
        elif row.totp_secret is not None:
            step = totp.verify(row.totp_secret, code, row.totp_last_step, now.timestamp())
            if step is None:
                reason = "wrong one-time code"
            else:
                row.totp_last_step = step
        elif row.role in TOTP_REQUIRED:
            reason = "second factor required but not set up"
        if reason is not None:
            if row is not None and reason != "locked":
                row.failed_sign_ins += 1
                if row.failed_sign_ins >= LOCK_AFTER:
                    backoff = FIRST_LOCK * 2 ** (row.failed_sign_ins - LOCK_AFTER)
                    row.locked_until = now + min(backoff, MAX_LOCK)
            audit.record(
                session,
                f"user:{username}"[:200],
                "sign-in.failed",
                None,
                reason=reason,
                client=client,
            )
            failure = SignInFailed(reason)
        else:
            assert row is not None
            row.failed_sign_ins, row.locked_until, row.last_sign_in_at = 0, None, now
            audit.record(session, f"user:{username}", "sign-in", None, client=client)
            return principal_of(row)
    raise failure


__all__ = [
    "LOCK_AFTER",
    "SIGN_IN_FAILED",
    "NewCredentials",
    "SignInFailed",
    "UserView",
    "add_user",
    "authenticate",
    "list_users",
    "principal_of",
    "reset_password",
    "set_disabled",
    "set_role",
]
