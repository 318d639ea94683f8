"""`openceir db`: create, migrate and inspect the operational store."""

from __future__ import annotations

import typer

from openceir.cli import _context
from openceir.cli._context import console
from openceir.store.migrate import current_revision, head_revisions, sync_operators, upgrade

app = typer.Typer(help="Create, migrate and inspect the operational store.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_cmd() -> None:
    """Create or migrate the store to the newest schema and sync the configured operators.

    Example: OPENCEIR_DATABASE_URL=postgresql://ceir@127.0.0.1/ceir openceir db upgrade
    """
    settings = _context.settings()
    engine = _context.engine()
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    counts = sync_operators(engine, settings)
    url = engine.url.render_as_string(hide_password=True)
    if before == after:
        console.print(f"Store {url} is up to date at {', '.join(sorted(after))}.")
    else:
        was = ", ".join(sorted(before)) or "empty"
        console.print(f"Store {url} migrated from {was} to {', '.join(sorted(after))}.")
    console.print(
        f"Operators: {counts['added']} added, {counts['updated']} updated, "
        f"{counts['retired']} retired."
    )


@app.command("status")
def status_cmd() -> None:
    """Show the store's URL and whether its schema is current; exit 1 if it is behind.

    Example: openceir db status
    """
    engine = _context.engine()
    current, heads = current_revision(engine), head_revisions()
    url = engine.url.render_as_string(hide_password=True)
    console.print(f"Store:    {url}")
    console.print(f"Schema:   {', '.join(sorted(current)) or 'empty (run: openceir db upgrade)'}")
    console.print(f"Newest:   {', '.join(sorted(heads))}")
    if current != heads:
        console.print("Status:   behind; run: openceir db upgrade")
        raise typer.Exit(1)
    console.print("Status:   up to date")
