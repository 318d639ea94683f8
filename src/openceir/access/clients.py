"""OAuth2 machine clients kept in the store: add, list, rotate, revoke, and look up.

A client's secret is shown once, when it is made or rotated, and stored as an argon2id hash.
The token signing key is `<data dir>/oauth-signing.key` (made on first use, mode 0600); a
`<data dir>/oauth-clients.toml` of the older hand-edited form is still read, as a migration
path: its signing key and clients keep working, and a client in the store wins over one of
the same id in the file.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError, ProgrammingError

from openceir.access import keyfile, passwords
from openceir.access.tokens import SCOPES, Authority, Client, read_clients_file
from openceir.errors import InputError, NotFound
from openceir.settings import Settings
from openceir.store import audit
from openceir.store.session import connect, session_scope
from openceir.store.users import OAuthClientRow

CLIENTS_FILE = "oauth-clients.toml"
KEY_FILE = "oauth-signing.key"
log = logging.getLogger(__name__)
CLIENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")


@dataclass(frozen=True)
class ClientView:
    """A client as listed (no secret)."""

    id: str
    operator: str | None
    scopes: tuple[str, ...]
    created_at: datetime
    rotated_at: datetime | None
    revoked: bool
    source: str


def _check(client_id: str, scopes: list[str]) -> None:
    if not CLIENT_ID.match(client_id):
        raise InputError(
            f"client id {client_id!r}: use 2-64 letters, digits, '.', '_' or '-'", field="id"
        )
    for scope in scopes:
        if scope not in SCOPES:
            raise InputError(f"scope {scope!r} is not one of {', '.join(SCOPES)}", field="scope")
    if not scopes:
        raise InputError("a client needs at least one --scope", field="scope")


def add_client(
    engine: Engine, actor: str, client_id: str, scopes: list[str], operator: str | None = None
) -> str:
    """Create a client and return its secret (shown once)."""
    _check(client_id, scopes)
    secret = passwords.new_secret(32)
    with session_scope(engine) as session:
        if session.get(OAuthClientRow, client_id) is not None:
            raise InputError(f"client {client_id!r} already exists", field="id")
        session.add(
            OAuthClientRow(
                id=client_id,
                secret_hash=passwords.hash_secret(secret),
                operator_id=operator,
                scopes=list(scopes),
            )
        )
        audit.record(
            session, actor, "client.add", f"client:{client_id}", scopes=scopes, operator=operator
        )
    return secret


def rotate_client(engine: Engine, actor: str, client_id: str) -> str:
    """Give a client a new secret (the old one stops working now) and return it."""
    secret = passwords.new_secret(32)
    with session_scope(engine) as session:
        row = session.get(OAuthClientRow, client_id)
        if row is None or row.revoked_at is not None:
            raise NotFound(f"no active client {client_id!r}: `openceir clients list` shows them")
        row.secret_hash, row.rotated_at = passwords.hash_secret(secret), datetime.now(UTC)
        audit.record(session, actor, "client.rotate", f"client:{client_id}")
    return secret


def revoke_client(engine: Engine, actor: str, client_id: str) -> None:
    """Revoke a client: it gets no new tokens (tokens already issued expire on their own)."""
    with session_scope(engine) as session:
        row = session.get(OAuthClientRow, client_id)
        if row is None:
            raise NotFound(f"no client {client_id!r}: `openceir clients list` shows them")
        if row.revoked_at is None:
            row.revoked_at = datetime.now(UTC)
            audit.record(session, actor, "client.revoke", f"client:{client_id}")


def list_clients(engine: Engine, settings: Settings | None = None) -> list[ClientView]:
    """The store's clients, then those only in the legacy TOML file, by id."""
    with session_scope(engine) as session:
        views = [
            ClientView(
                r.id,
                r.operator_id,
                tuple(r.scopes),
                r.created_at,
                r.rotated_at,
                r.revoked_at is not None,
                "store",
            )
            for r in session.scalars(select(OAuthClientRow).order_by(OAuthClientRow.id))
        ]
    if settings is not None:
        path = Path(settings.data_dir) / CLIENTS_FILE
        if path.is_file():
            known = {v.id for v in views}
            views += [
                ClientView(
                    c.id,
                    c.operator,
                    c.scopes,
                    datetime.fromtimestamp(path.stat().st_mtime, UTC),
                    None,
                    False,
                    CLIENTS_FILE,
                )
                for c in read_clients_file(path)[1]
                if c.id not in known
            ]
    return views


def _store_row(engine: Engine, client_id: str) -> OAuthClientRow | None:
    """The store's row for this client; None when absent or the store has no clients table."""
    try:
        with session_scope(engine) as session:
            return session.get(OAuthClientRow, client_id)
    except (OperationalError, ProgrammingError):
        log.warning("the store has no OAuth2 clients table: run `openceir db upgrade`")
        return None


def lookup_in_store(engine: Engine) -> Callable[[str], Client | None]:
    """A client lookup for `Authority`: the active store client with this id, or None."""

    def lookup(client_id: str) -> Client | None:
        row = _store_row(engine, client_id)
        if row is None or row.revoked_at is not None:
            return None
        return Client(row.id, row.secret_hash, row.operator_id, tuple(row.scopes))

    return lookup


def signing_key(data_dir: Path) -> bytes:
    """The token signing key of this data dir, made (random, mode 0600) on first use."""
    return keyfile.read_or_create(Path(data_dir) / KEY_FILE)


def load_authority(settings: Settings, engine: Engine | None = None) -> Authority:
    """The authority for this data dir: store clients, then legacy TOML clients."""
    engine = engine or connect(settings.sqlalchemy_url, check=False)
    path = Path(settings.data_dir) / CLIENTS_FILE
    if not path.is_file():
        return Authority(signing_key(settings.data_dir), lookup_in_store(engine))
    key, file_clients, lifetime = read_clients_file(path)
    table = {c.id: c for c in file_clients}

    def lookup(client_id: str) -> Client | None:
        row = _store_row(engine, client_id)
        if row is None:
            return table.get(client_id)
        if row.revoked_at is not None:
            return None
        return Client(row.id, row.secret_hash, row.operator_id, tuple(row.scopes))

    return Authority(key, lookup, lifetime)


__all__ = [
    "CLIENTS_FILE",
    "KEY_FILE",
    "ClientView",
    "add_client",
    "list_clients",
    "load_authority",
    "lookup_in_store",
    "revoke_client",
    "rotate_client",
    "signing_key",
]
