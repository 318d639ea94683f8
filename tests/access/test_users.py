"""Accounts on SQLite and PostgreSQL: scopes, lockout with back-off, no enumeration, audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from openceir.access import totp, users
from openceir.errors import InputError, NotFound
from openceir.store.migrate import upgrade
from openceir.store.models import AuditEntry
from openceir.store.session import connect, session_scope
from openceir.store.users import UserRow

PASSWORD = "correct horse battery"


@pytest.fixture
def engine(settings):
    engine = connect(settings.sqlalchemy_url)
    upgrade(engine)
    return engine


def test_add_stores_an_argon2id_hash_and_audits(engine) -> None:
    creds = users.add_user(engine, "cli:test", "ada", "operator", operator="alpha")
    assert len(creds.password) >= 12 and creds.totp_secret is None
    with session_scope(engine) as session:
        row = session.scalar(select(UserRow))
        assert (
            row.password_hash.startswith("$argon2id$") and creds.password not in row.password_hash
        )
        audit = session.scalars(select(AuditEntry)).all()
        assert [(a.actor, a.action, a.target) for a in audit] == [
            ("cli:test", "user.add", "user:ada")
        ]
    who = users.authenticate(engine, "ada", creds.password)
    assert (who.role, who.operator, who.actor) == ("operator", "alpha", "user:ada")


@pytest.mark.parametrize(
    ("role", "scope", "message"),
    [
        ("operator", {}, "needs --operator"),
        ("police", {}, "needs --station"),
        ("analyst", {"operator": "alpha"}, "only for the operator role"),
        ("boss", {}, "is not one of"),
    ],
)
def test_roles_need_their_scope_and_only_theirs(engine, role, scope, message) -> None:
    with pytest.raises(InputError, match=message):
        users.add_user(engine, "t", "bob", role, **scope)


def test_bad_names_short_passwords_and_duplicates_are_refused(engine) -> None:
    with pytest.raises(InputError, match="user name"):
        users.add_user(engine, "t", "Bob Smith", "analyst")
    with pytest.raises(InputError, match="at least 12"):
        users.add_user(engine, "t", "bob", "analyst", password="short")
    users.add_user(engine, "t", "bob", "analyst")
    with pytest.raises(InputError, match="already exists"):
        users.add_user(engine, "t", "bob", "analyst")
    with pytest.raises(NotFound, match="no user 'carol'"):
        users.set_disabled(engine, "t", "carol")


def test_admin_always_gets_a_second_factor_and_needs_it(engine) -> None:
    creds = users.add_user(engine, "t", "root", "admin", password=PASSWORD)
    assert creds.totp_secret and creds.totp_uri.startswith("otpauth://totp/openceir:root")
    with pytest.raises(users.SignInFailed) as no_code:
        users.authenticate(engine, "root", PASSWORD)
    assert no_code.value.reason == "wrong one-time code"
    now = datetime.now(UTC)
    code = totp.code_at(creds.totp_secret, now.timestamp())
    assert users.authenticate(engine, "root", PASSWORD, code, now=now).role == "admin"


def test_lockout_doubles_and_the_reason_is_never_in_the_message(engine) -> None:
    users.add_user(engine, "t", "eve", "analyst", password=PASSWORD)
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    for _ in range(users.LOCK_AFTER):
        with pytest.raises(users.SignInFailed):
            users.authenticate(engine, "eve", "nope nope nope", now=now)
    with pytest.raises(users.SignInFailed) as locked:
        users.authenticate(engine, "eve", PASSWORD, now=now + timedelta(seconds=59))
    with pytest.raises(users.SignInFailed) as unknown:
        users.authenticate(engine, "mallory", PASSWORD, now=now)
    assert str(locked.value) == str(unknown.value) == users.SIGN_IN_FAILED
    assert (locked.value.reason, unknown.value.reason) == ("locked", "unknown user")
    later = now + timedelta(minutes=1, seconds=1)
    with pytest.raises(users.SignInFailed):  # a sixth failure: locked for two minutes now
        users.authenticate(engine, "eve", "still wrong!!", now=later)
    with pytest.raises(users.SignInFailed):
        users.authenticate(engine, "eve", PASSWORD, now=later + timedelta(minutes=1, seconds=59))
    who = users.authenticate(engine, "eve", PASSWORD, now=later + timedelta(minutes=2, seconds=1))
    assert who.actor == "user:eve"
    with session_scope(engine) as session:
        actions = [a.action for a in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions.count("sign-in.failed") == users.LOCK_AFTER + 4 and actions[-1] == "sign-in"


def test_reset_password_lifts_the_lock_and_set_role_changes_scope(engine) -> None:
    users.add_user(engine, "t", "pat", "police", station="central", region="capital")
    creds = users.reset_password(engine, "t", "pat")
    assert users.authenticate(engine, "pat", creds.password).station == "central"
    made = users.set_role(engine, "t", "pat", "admin")
    assert made is not None and made.totp_secret
    listed = {u.username: u for u in users.list_users(engine)}
    assert listed["pat"].role == "admin" and listed["pat"].totp and listed["pat"].scope == ""
