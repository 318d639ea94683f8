"""The portal through the real app: a migrated store, accounts, and signed-in clients."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from openceir.access import sessions, totp, users
from openceir.settings import Settings
from openceir.store.migrate import upgrade
from openceir.store.session import connect, session_scope
from openceir.store.users import UserRow
from openceir.web import create_app
from openceir.web.portal.guard import SESSION_COOKIE

PASSWORD = "correct horse battery"
UNLIMITED = {"public": "100000/minute", "sign-in": "100000/minute"}
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')

ACCOUNTS: dict[str, tuple[str, dict[str, str]]] = {
    "admin": ("admin", {}),
    "analyst": ("analyst", {}),
    "operator": ("operator", {"operator": "alpha"}),
    "operator-other": ("operator", {"operator": "beta"}),
    "police": ("police", {"station": "central", "region": "capital"}),
    "police-other": ("police", {"station": "harbour", "region": "coast"}),
    "police-nodal": ("police", {"region": "capital"}),
    "customs": ("customs", {}),
    "importer": ("importer", {}),
}
"""Who the route matrix asks as: each role, and a role of the wrong operator or station."""


def route_table(app: Any) -> list[tuple[str, str, bool]]:
    """(method, path template, in the OpenAPI document) of every route the app serves.

    Mounts count as one GET; HEAD is left out. Walks included routers on FastAPI versions
    that keep them as their own objects.
    """
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # FastAPI without lazy included routers: app.routes is flat
        contexts: Any = app.routes
    else:
        contexts = iter_route_contexts(app.routes)
    found = []
    for route in contexts:
        path = route.path
        methods = getattr(route, "methods", None)
        if methods is None:
            found.append(("GET", path, False))
            continue
        for method in methods:
            if method != "HEAD":
                found.append((method, path, bool(getattr(route, "include_in_schema", False))))
    return sorted(set(found))


def csrf_of(html: str) -> str:
    """The CSRF token of the first form in a page."""
    found = CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


@dataclass
class Portal:
    """The app, its store, and helpers to make accounts and clients."""

    settings: Settings
    engine: Engine
    app: Any
    secrets: dict[str, str | None]

    def client(self, **headers: str) -> TestClient:
        """A browser-like client (no redirects followed, asks for HTML)."""
        base = {"accept": "text/html", **headers}
        return TestClient(
            self.app, base_url="http://testserver", headers=base, follow_redirects=False
        )

    def account(self, name: str) -> str:
        """Make the `ACCOUNTS` entry `name` (once) and return its user name."""
        if name not in self.secrets:
            role, scope = ACCOUNTS[name]
            creds = users.add_user(self.engine, "test", name, role, password=PASSWORD, **scope)
            self.secrets[name] = creds.totp_secret
        return name

    def session_for(self, name: str) -> TestClient:
        """A client with a fresh session of account `name` (no password hashing)."""
        self.account(name)
        with session_scope(self.engine) as session:
            row = session.scalar(select(UserRow).where(UserRow.username == name))
            who = users.principal_of(row)
        client = self.client()
        client.cookies.set(SESSION_COOKIE, sessions.start(self.engine, who))
        return client

    def sign_in(
        self,
        client: TestClient,
        name: str,
        password: str = PASSWORD,
        code: str | None = None,
        next: str = "/home",
    ):
        """Post the sign-in form as a person would (CSRF token from the page)."""
        token = csrf_of(client.get("/sign-in").text)
        secret = self.secrets.get(name)
        if code is None:
            code = totp.code_at(secret) if secret else ""
        return client.post(
            "/sign-in",
            data={
                "csrf_token": token,
                "username": name,
                "password": password,
                "code": code,
                "next": next,
            },
        )


def make_portal(settings: Settings, **kwargs: Any) -> Portal:
    """A portal app over a freshly migrated store."""
    engine = connect(settings.sqlalchemy_url)
    upgrade(engine)
    kwargs.setdefault("rate_limits", UNLIMITED)
    return Portal(settings, engine, create_app(settings, engine=engine, **kwargs), {})


@pytest.fixture
def portal(settings: Settings) -> Iterator[Portal]:
    """The portal on SQLite and PostgreSQL, with rate limits out of the way."""
    yield make_portal(settings)
