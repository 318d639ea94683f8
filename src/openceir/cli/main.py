"""Entry point: builds the Typer app and turns user errors into one line and exit code 1."""

from __future__ import annotations

import sys

import typer

from openceir import __version__
from openceir.cli import classify as classify_cli
from openceir.cli import db, demo, identify, importer, lake, ledger, operators, serve, simulate
from openceir.cli import eir as eir_cli
from openceir.cli import keys as keys_cli
from openceir.cli import lists as lists_cli
from openceir.cli._context import err_console
from openceir.errors import OpenceirError

app = typer.Typer(
    name="openceir",
    help="openceir, a Central Equipment Identity Register.\n\nExample: openceir demo",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"openceir {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """openceir, a Central Equipment Identity Register."""


app.add_typer(db.app, name="db")
app.add_typer(operators.app, name="operators")
app.add_typer(importer.app, name="import")
app.add_typer(lake.app, name="lake")
app.add_typer(ledger.app, name="ledger")
app.add_typer(eir_cli.app, name="eir")
app.add_typer(lists_cli.app, name="lists")
app.add_typer(keys_cli.app, name="keys")
identify.register(app)
demo.register(app)
simulate.register(app)
serve.register(app)
classify_cli.register(app)


def run(argv: list[str] | None = None) -> None:
    """Run the CLI; an OpenceirError becomes `Error: …` on stderr and exit status 1.

    Usage errors exit 2 (click's standalone handling); anything else is a bug and keeps
    its traceback.
    """
    try:
        app(args=argv, prog_name="openceir")
    except OpenceirError as exc:
        err_console.print(f"Error: {exc}", soft_wrap=True, markup=False)
        sys.exit(1)
