"""`openceir clients`: OAuth2 machine clients of the web API and N5g-eir."""

from __future__ import annotations

import typer
from rich.table import Table

from openceir.cli import _context
from openceir.cli._context import console
from openceir.cli.users import actor

app = typer.Typer(
    help="OAuth2 machine clients (EIRs, AMFs): add, list, rotate and revoke.",
    no_args_is_help=True,
)


@app.command("add")
def add_cmd(
    client_id: str = typer.Argument(..., help="The client id, e.g. alpha-eir."),
    scope: list[str] = typer.Option(
        ..., "--scope", help="ceir-lists, ceir-admin or n5g-eir-eic; repeat for several."
    ),
    operator: str | None = typer.Option(None, "--operator", help="The operator it acts for."),
) -> None:
    """Add a client; prints its secret once (the store keeps only a hash).

    Example: openceir clients add alpha-eir --scope ceir-lists --operator alpha
    """
    from openceir.access.clients import add_client

    if operator is not None:
        _context.settings().operator(operator)
    secret = add_client(_context.engine(), actor(), client_id, scope, operator)
    console.print(f"Added client {client_id} ({' '.join(scope)}).")
    console.print(f"Client secret (shown once): {secret}", markup=False)


@app.command("list")
def list_cmd() -> None:
    """List the clients: the store's, and any only in a legacy oauth-clients.toml.

    Example: openceir clients list
    """
    from openceir.access.clients import list_clients

    table = Table(title="OAuth2 clients")
    for column in ("id", "operator", "scopes", "state", "from"):
        table.add_column(column)
    rows = list_clients(_context.engine(), _context.settings())
    for c in rows:
        table.add_row(
            c.id,
            c.operator or "",
            " ".join(c.scopes),
            "revoked" if c.revoked else "active",
            c.source,
        )
    console.print(table)
    if not rows:
        console.print("No clients yet: openceir clients add ID --scope ceir-lists")


@app.command("rotate")
def rotate_cmd(client_id: str = typer.Argument(..., help="The client id.")) -> None:
    """Give a client a new secret; the old one stops working at once.

    Example: openceir clients rotate alpha-eir
    """
    from openceir.access.clients import rotate_client

    secret = rotate_client(_context.engine(), actor(), client_id)
    console.print(f"New secret for {client_id} (shown once): {secret}", markup=False)


@app.command("revoke")
def revoke_cmd(client_id: str = typer.Argument(..., help="The client id.")) -> None:
    """Revoke a client: no new tokens (issued ones expire within their lifetime).

    Example: openceir clients revoke alpha-eir
    """
    from openceir.access.clients import revoke_client

    revoke_client(_context.engine(), actor(), client_id)
    console.print(f"Client {client_id} is revoked.")
