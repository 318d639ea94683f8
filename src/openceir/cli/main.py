"""Entry point: builds the Typer app and turns user errors into one line and exit code 1.

Command modules load on first use (`LazyGroup`): `openceir --help` and `openceir identify`
do not pay for DuckDB, Ibis and pandas, which only some commands need.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click
import typer
import typer.main
from typer.core import TyperGroup

from openceir import __version__
from openceir.cli._context import err_console
from openceir.errors import OpenceirError
from openceir.tlog import TlogError

# name -> (module, Typer sub-app attribute or None when the module has `register(app)`,
#          the one-line summary shown by `openceir --help`; a test keeps it equal to the
#          command's own help).
COMMANDS: dict[str, tuple[str, str | None, str]] = {
    "identify": (
        "openceir.cli.identify",
        None,
        "Say what an identifier is: IMEI, IMEISV, MEID, ESN, MAC/EUI-64, IMSI or MSISDN.",
    ),
    "demo": (
        "openceir.cli.demo",
        None,
        "Set up a demo CEIR on synthetic data in the data dir and run the pipeline.",
    ),
    "simulate": (
        "openceir.cli.simulate",
        None,
        "Write a synthetic national mobile network: operator dumps, registers, ground truth.",
    ),
    "serve": (
        "openceir.cli.serve",
        None,
        "Serve the web app: portal, REST API under /api/v1, Handle resolution, ledger files.",
    ),
    "classify": (
        "openceir.cli.classify",
        None,
        "Classify the IMEIs seen in the lake and on the registers.",
    ),
    "explain": (
        "openceir.cli.classify",
        None,
        "Explain every condition an IMEI meets or met, its block date and the evidence.",
    ),
    "evaluate": (
        "openceir.cli.evaluate",
        None,
        "Score clone and counterfeit decisions on a simulated world, beside DIRBS's rules.",
    ),
    "db": ("openceir.cli.db", "app", "Create, migrate and inspect the operational store."),
    "operators": (
        "openceir.cli.operators",
        "app",
        "The country's mobile operators, as configured.",
    ),
    "import": (
        "openceir.cli.importer",
        "app",
        "Import operator dumps, the TAC catalog and register lists (CSV, .csv.gz or .zip).",
    ),
    "lake": ("openceir.cli.lake", "app", "The network-data lake (Parquet): status and retention."),
    "ledger": (
        "openceir.cli.ledger",
        "app",
        "The global IMEI ledger: a signed, append-only Merkle log of IMEI events.",
    ),
    "eir": (
        "openceir.cli.eir",
        "app",
        "The real-time EIR: serve N5g-eir and S13, check one device, build snapshots, audit.",
    ),
    "lists": (
        "openceir.cli.lists",
        "app",
        "Output lists for operators' EIRs: blacklist, notifications, exceptions and more.",
    ),
    "keys": ("openceir.cli.keys", "app", "The CEIR's list-signing key (Ed25519)."),
    "registry": (
        "openceir.cli.registry",
        "app",
        "Device registration: type approvals, registration requests, travellers.",
    ),
    "kym": (
        "openceir.cli.kym",
        "app",
        "Know Your Mobile: is a phone valid, approved, registered, stolen, blocked?",
    ),
    "users": (
        "openceir.cli.users",
        "app",
        "People's accounts for the portal: add, list, disable, reset a password, set a role.",
    ),
    "clients": (
        "openceir.cli.clients",
        "app",
        "OAuth2 machine clients (EIRs, AMFs): add, list, rotate and revoke.",
    ),
    "cases": (
        "openceir.cli.cases",
        "app",
        "Lost and stolen phones: cases, trace alerts, recovery, unblocking, bulk filing.",
    ),
    "notify": (
        "openceir.cli.notify",
        "app",
        "Messages to send (SMS, e-mail, console): the outbox, sent and retried.",
    ),
    "report": (
        "openceir.cli.report",
        "app",
        "Monthly reports for the country or one operator: HTML, CSV, JSON or PDF.",
    ),
}


def load_command(name: str) -> click.Command:
    """Import the module behind root command `name` and build its click command.

    The module is mounted on a bare root exactly as it would be on the real one, so its
    help renders the same (plain text, no Rich boxes).
    """
    module_name, attr, _ = COMMANDS[name]
    module = importlib.import_module(module_name)
    holder = typer.Typer(
        add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None
    )
    if attr is None:
        module.register(holder)
    else:
        holder.add_typer(getattr(module, attr), name=name)
    return typer.main.get_group(holder).commands[name]


def _shorten(text: str, limit: int) -> str:
    """`text` cut at a word boundary to fit `limit` characters, with "..." when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 3].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "..."


class LazyGroup(TyperGroup):
    """The root group: lists every command from `COMMANDS`, imports one only when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*COMMANDS, *(n for n in self.commands if n not in COMMANDS)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.commands[cmd_name] = load_command(cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: Any) -> None:
        """The command table from the summaries, so `--help` imports no command module."""
        limit = formatter.width - 6 - max(len(n) for n in COMMANDS)
        rows = [(name, _shorten(summary, limit)) for name, (_, _, summary) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


app = typer.Typer(
    name="openceir",
    cls=LazyGroup,
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


def run(argv: list[str] | None = None) -> None:
    """Run the CLI; an OpenceirError becomes `Error: …` on stderr and exit status 1.

    Usage errors exit 2 (click's standalone handling); anything else is a bug and keeps
    its traceback.
    """
    try:
        app(args=argv, prog_name="openceir")
    except (OpenceirError, TlogError) as exc:  # tlog stands alone: its own error root
        err_console.print(f"Error: {exc}", soft_wrap=True, markup=False)
        sys.exit(1)
