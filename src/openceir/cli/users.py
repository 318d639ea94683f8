"""`openceir users`: people's accounts for the portal (roles, passwords, second factor)."""

from __future__ import annotations

import getpass

import typer
from rich.table import Table

from openceir.cli import _context
from openceir.cli._context import console

app = typer.Typer(
    help="People's accounts for the portal: add, list, disable, reset a password, set a role.",
    no_args_is_help=True,
)

ROLE_HELP = "admin, analyst, operator, police, customs or importer."


def actor() -> str:
    """Who the audit log names for a change made from the command line."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _show(creds) -> None:
    if creds.password:
        console.print(f"Password for {creds.username}: {creds.password}", markup=False)
    if creds.totp_secret:
        console.print(f"TOTP secret (enter it in an authenticator app): {creds.totp_secret}")
        console.print(f"TOTP URI: {creds.totp_uri}", markup=False, soft_wrap=True)
    console.print("Shown once: hand them over safely.")


@app.command("add")
def add_cmd(
    username: str = typer.Argument(..., help="Lower-case user name."),
    role: str = typer.Option(..., "--role", help=ROLE_HELP),
    name: str = typer.Option("", "--name", help="The person's name, as pages show it."),
    operator: str | None = typer.Option(None, "--operator", help="Operator id (operator role)."),
    station: str | None = typer.Option(None, "--station", help="Police station (police role)."),
    region: str | None = typer.Option(
        None, "--region", help="Region (police; alone, a nodal officer who sees the region)."
    ),
    organisation: str | None = typer.Option(None, "--organisation", help="Importer's company."),
    totp: bool = typer.Option(
        False, "--totp", help="Give the account a second factor (admins always get one)."
    ),
) -> None:
    """Add an account; prints a generated password (and TOTP secret) once.

    Example: openceir users add ada --role operator --operator alpha --name "Ada N." --totp
    """
    from openceir.access.users import add_user

    settings = _context.settings()
    if operator is not None:
        settings.operator(operator)  # ConfigError naming the known ones
    creds = add_user(
        _context.engine(),
        actor(),
        username,
        role,
        display_name=name,
        operator=operator,
        station=station,
        region=region,
        organisation=organisation,
        with_totp=totp or None,
    )
    console.print(f"Added {username} ({role}).")
    _show(creds)


@app.command("list")
def list_cmd() -> None:
    """List the accounts (never their secrets).

    Example: openceir users list
    """
    from openceir.access.users import list_users

    table = Table(title="Accounts")
    for column in ("user", "name", "role", "scope", "2nd factor", "state", "last sign-in"):
        table.add_column(column)
    rows = list_users(_context.engine())
    for u in rows:
        state = "disabled" if u.disabled else ("locked" if u.locked_until else "active")
        last = u.last_sign_in_at.strftime("%Y-%m-%d %H:%M") if u.last_sign_in_at else "never"
        table.add_row(
            u.username, u.display_name, u.role, u.scope, "yes" if u.totp else "no", state, last
        )
    console.print(table)
    if not rows:
        console.print("No accounts yet: openceir users add NAME --role admin")


@app.command("disable")
def disable_cmd(
    username: str = typer.Argument(..., help="The account."),
    enable: bool = typer.Option(False, "--enable", help="Enable it again instead."),
) -> None:
    """Disable an account (its sessions end at once), or enable it again.

    Example: openceir users disable ada
    """
    from openceir.access.users import set_disabled

    set_disabled(_context.engine(), actor(), username, not enable)
    console.print(f"{username} is {'enabled' if enable else 'disabled'}.")


@app.command("reset-password")
def reset_password_cmd(
    username: str = typer.Argument(..., help="The account."),
    totp: bool = typer.Option(False, "--totp", help="Also give it a new second-factor secret."),
) -> None:
    """Give an account a new generated password, lift its lock, end its sessions.

    Example: openceir users reset-password ada --totp
    """
    from openceir.access.users import reset_password

    _show(reset_password(_context.engine(), actor(), username, reset_totp=totp))


@app.command("set-role")
def set_role_cmd(
    username: str = typer.Argument(..., help="The account."),
    role: str = typer.Option(..., "--role", help=ROLE_HELP),
    operator: str | None = typer.Option(None, "--operator", help="Operator id (operator role)."),
    station: str | None = typer.Option(None, "--station", help="Police station (police role)."),
    region: str | None = typer.Option(None, "--region", help="Region (police role)."),
) -> None:
    """Change an account's role and scope; its sessions end.

    Example: openceir users set-role ada --role police --station central --region capital
    """
    from openceir.access.users import set_role

    if operator is not None:
        _context.settings().operator(operator)
    created = set_role(
        _context.engine(),
        actor(),
        username,
        role,
        operator=operator,
        station=station,
        region=region,
    )
    console.print(f"{username} is now {role}.")
    if created is not None:
        _show(created)
