"""`openceir demo`: run the whole CEIR on synthetic data with embedded defaults."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from openceir.cli import _context
from openceir.cli._context import console
from openceir.demo import run_demo


def register(app: typer.Typer) -> None:
    """Add the `demo` command to the root app."""

    @app.command("demo")
    def demo(
        data_dir: Path = typer.Option(
            None,
            "--data-dir",
            help="Where to put the demo (default: OPENCEIR_DATA_DIR, else ./ceir-data).",
        ),
    ) -> None:
        """Set up a demo CEIR on synthetic data in the data dir and run the pipeline.

        Example: openceir demo --data-dir /tmp/ceir-demo
        """
        target = (data_dir or _context.settings().data_dir).resolve()
        with console.status("Running the demo…") as status:
            report = run_demo(target, progress=lambda step: status.update(f"Demo: {step}…"))
        table = Table(title=f"openceir demo in {report.data_dir}")
        table.add_column("step")
        table.add_column("outcome")
        for step, outcome in report.steps:
            table.add_row(step, outcome)
        console.print(table)
        env = f"OPENCEIR_DATA_DIR={report.data_dir}"
        console.print("Try:", markup=False)
        for line in (
            "openceir explain 490154203237518",
            "openceir eir check imei-490154203237518",
            "openceir lists verify " + str(report.data_dir / "lists" / "<run>"),
            "openceir ledger verify",
            "openceir serve   # then GET /api/handles/21.T99999/TAC.<tac>, /ledger/checkpoint",
            "openceir eir serve --bind 127.0.0.1:8080",
        ):
            console.print(f"  {env} {line}", markup=False, soft_wrap=True)
