"""Demo accounts: one per role, with known passwords, for `openceir demo` only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select

from openceir.access import roles, users
from openceir.settings import Settings
from openceir.store.session import session_scope
from openceir.store.users import UserRow

DEMO_PASSWORD = "demo-password-1"


@dataclass(frozen=True)
class DemoAccount:
    """A demo account to print: name, role and scope, password, TOTP secret if any."""

    username: str
    role: str
    scope: str
    password: str
    totp_secret: str | None


def demo_accounts(settings: Settings) -> list[tuple[str, str, dict[str, str]]]:
    """(user name, role, scope) of the demo accounts: one per role; police as station and region."""
    operator = settings.operators[0].id if settings.operators else "alpha"
    return [
        ("admin", roles.ADMIN, {}),
        ("analyst", roles.ANALYST, {}),
        (f"operator-{operator}", roles.OPERATOR, {"operator": operator}),
        ("police", roles.POLICE, {"station": "central", "region": "capital"}),
        ("police-nodal", roles.POLICE, {"region": "capital"}),
        ("customs", roles.CUSTOMS, {}),
        ("importer", roles.IMPORTER, {}),
    ]


def create_demo_users(engine: Engine, settings: Settings) -> list[DemoAccount]:
    """Create the demo accounts that do not exist yet (idempotent) and return them all.

    Passwords are `DEMO_PASSWORD`; the admin gets a TOTP secret (printed, for an app).
    """
    made: list[DemoAccount] = []
    for username, role, scope in demo_accounts(settings):
        with session_scope(engine) as session:
            row = session.scalar(select(UserRow).where(UserRow.username == username))
            existing = (row.totp_secret,) if row is not None else None
        if existing is None:
            creds = users.add_user(
                engine,
                "demo",
                username,
                role,
                password=DEMO_PASSWORD,
                display_name=f"Demo {role}",
                **scope,
            )
            secret = creds.totp_secret
        else:
            secret = existing[0]
        text = ", ".join(f"{k} {v}" for k, v in scope.items())
        made.append(DemoAccount(username, role, text, DEMO_PASSWORD, secret))
    return made


__all__ = ["DEMO_PASSWORD", "DemoAccount", "create_demo_users", "demo_accounts"]
