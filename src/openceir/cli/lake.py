"""`openceir lake`: what the network-data lake holds, and retention."""

from __future__ import annotations

import json
from datetime import date

import typer
from rich.table import Table

from openceir import lake as _lake
from openceir.cli import _context
from openceir.cli._context import console
from openceir.ingest.pipeline import reconcile

app = typer.Typer(
    help="The network-data lake (Parquet): status and retention.", no_args_is_help=True
)


@app.command("status")
def status_cmd(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Show the lake's partitions (dataset, operator, month) with files, rows and size.

    Finishes any lake switch an interrupted import left committed but not applied.

    Example: openceir lake status --json
    """
    settings = _context.settings()
    applied = reconcile(settings, _context.engine())
    rows = _lake.status(settings.data_dir)
    if as_json:
        typer.echo(json.dumps({"reconciled_jobs": applied, "partitions": rows}))
        return
    if applied:
        console.print(f"Switched in interrupted import jobs: {', '.join(map(str, applied))}.")
    table = Table(title=f"Lake {_lake.lake_dir(settings.data_dir)}")
    for column in ("dataset", "operator", "month", "files", "rows", "MB"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["dataset"],
            row["operator"],
            row["month"],
            str(row["files"]),
            str(row["rows"]),
            f"{row['bytes'] / 1e6:.1f}",
        )
    console.print(table, markup=False)
    if not rows:
        console.print(
            "The lake is empty: import a dump with `openceir import operator`.", markup=False
        )


@app.command("prune")
def prune_cmd(
    months: int = typer.Option(..., "--months", help="Months to keep, the current one included."),
) -> None:
    """Delete network data older than the last N months (whole months, every operator).

    Example: openceir lake prune --months 6
    """
    settings = _context.settings()
    dropped = _lake.prune(settings.data_dir, months)
    if not dropped:
        console.print(
            f"Nothing older than {_lake.cutoff_month(date.today(), months)} to prune.", markup=False
        )
        return
    for dataset, operator, month in dropped:
        console.print(f"Pruned {dataset} {operator} {month}", markup=False)
    console.print(f"Pruned {len(dropped)} partitions.", markup=False)
