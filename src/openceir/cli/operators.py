"""`openceir operators`: the country's mobile operators, as configured."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from openceir.cli import _context
from openceir.cli._context import console

app = typer.Typer(help="The country's mobile operators, as configured.", no_args_is_help=True)


@app.command("list")
def list_cmd(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the configured operators and their MCC-MNC codes.

    Example: openceir operators list --json
    """
    settings = _context.settings()
    if as_json:
        rows = [op.model_dump() for op in settings.operators]
        typer.echo(json.dumps({"region": settings.region.model_dump(), "operators": rows}))
        return
    table = Table(title=f"Operators of {settings.region.name}")
    for column in ("id", "name", "MCC-MNC"):
        table.add_column(column)
    for op in settings.operators:
        table.add_row(op.id, op.name, ", ".join(op.mcc_mnc))
    console.print(table)
    if not settings.operators:
        console.print("No operators configured: add [[operators]] to openceir.toml.", markup=False)
