"""`openceir demo`: run the whole CEIR on synthetic data with embedded defaults."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.table import Table

from openceir.cli import _context
from openceir.cli._context import console
from openceir.cli._servers import Ports, log_dir, running
from openceir.demo import run_demo
from openceir.errors import ConfigError
from openceir.settings import DataPaths


def register(app: typer.Typer) -> None:
    """Add the `demo` command to the root app."""

    @app.command("demo")
    def demo(
        data_dir: Path = typer.Option(
            None,
            "--data-dir",
            help="Where to put the demo (default: OPENCEIR_DATA_DIR, else ./ceir-data).",
        ),
        serve: bool = typer.Option(
            False,
            "--serve",
            help="Then run the web app, N5g-eir and S13 on 127.0.0.1 until Ctrl-C.",
        ),
        web_port: int = typer.Option(8000, "--web-port", help="Web app port with --serve."),
        eir_port: int = typer.Option(8080, "--eir-port", help="N5g-eir port with --serve."),
        s13_port: int = typer.Option(3868, "--s13-port", help="Diameter S13 port with --serve."),
    ) -> None:
        """Set up a demo CEIR on synthetic data in the data dir and run the pipeline.

        With --serve, the web app, the N5g-eir API and the S13 peer then serve the demo data.

        Example: openceir demo --data-dir /tmp/ceir-demo --serve
        """
        settings = _context.settings()
        target = (data_dir or settings.data_dir).resolve()
        with console.status("Running the demo…") as status:
            report = run_demo(
                target,
                database_url=settings.database_url,
                progress=lambda step: status.update(f"Demo: {step}…"),
            )
        table = Table(title=f"openceir demo in {report.data_dir}")
        table.add_column("step")
        table.add_column("outcome")
        for step, outcome in report.steps:
            table.add_row(step, outcome)
        console.print(table)
        _print_accounts(report.accounts)
        env = f"OPENCEIR_DATA_DIR={report.data_dir}"
        console.print("Try:", markup=False)
        for line in (
            "openceir explain 490154203237518",
            "openceir eir check imei-490154203237518",
            "openceir lists verify " + str(DataPaths(report.data_dir).lists / "<run>"),
            "openceir ledger verify",
            "openceir serve   # then GET /api/handles/21.T99999/TAC.<tac>, /ledger/checkpoint",
            "openceir eir serve --bind 127.0.0.1:8080",
        ):
            console.print(f"  {env} {line}", markup=False, soft_wrap=True)
        if serve:
            _serve(report.data_dir, Ports(web_port, eir_port, s13_port))


def _print_accounts(accounts) -> None:
    """The demo's portal accounts: one per role (the admin's second factor as a TOTP secret)."""
    if not accounts:
        return
    table = Table(title="Portal accounts (demo only)")
    for column in ("user", "role", "scope", "password", "TOTP secret"):
        table.add_column(column)
    for account in accounts:
        table.add_row(
            account.username,
            account.role,
            account.scope,
            account.password,
            account.totp_secret or "",
        )
    console.print(table)


def _serve(data_dir: Path, ports: Ports) -> None:
    """Run every server on the demo data until Ctrl-C."""
    with running(data_dir, ports) as procs:
        console.print(
            f"Serving the demo (logs in {log_dir(data_dir)}); Ctrl-C stops:", markup=False
        )
        for line in (
            f"portal   http://127.0.0.1:{ports.web}/  (sign in with an account above)",
            f"N5g-eir  http://127.0.0.1:{ports.eir}/n5g-eir-eic/v1/equipment-status"
            "?pei=imei-490154203237518",
            f"S13      127.0.0.1:{ports.s13} (Diameter, TCP)",
        ):
            console.print(f"  {line}", markup=False, soft_wrap=True)
        try:
            while all(p.poll() is None for p in procs.values()):
                time.sleep(0.5)
        except KeyboardInterrupt:
            return
        stopped = sorted(name for name, p in procs.items() if p.poll() is not None)
        raise ConfigError(f"server stopped unexpectedly: {', '.join(stopped)} (see the logs)")
