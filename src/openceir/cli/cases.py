"""`openceir cases`: lost and stolen phone cases for police and staff."""

from __future__ import annotations

import getpass
import json
import time
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from openceir.cli import _context
from openceir.cli._context import console

app = typer.Typer(
    help="Lost and stolen phones: cases, trace alerts, recovery, unblocking, bulk filing.",
    no_args_is_help=True,
)
STATION = typer.Option(None, help="Only this police station's cases.")
REGION = typer.Option(None, help="Only this region's cases (a nodal officer's view).")
AS_JSON = typer.Option(False, "--json", help="Print JSON.")


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _scope(station: str | None, region: str | None) -> Any:
    from openceir.cases import Scope

    return Scope(station=station, region=region)


def _table(title: str, rows: list[dict[str, Any]], columns: list[str]) -> None:
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for r in rows:
        values = [r.get(c) for c in columns]
        table.add_row(*(", ".join(v) if isinstance(v, list) else str(v or "") for v in values))
    console.print(table)


@app.command("list")
def list_cmd(
    station: str = STATION,
    region: str = REGION,
    status: str = typer.Option(None, help="open, recovered, closed or reversed."),
    search: str = typer.Option(None, help="An IMEI or a request ID."),
    as_json: bool = AS_JSON,
) -> None:
    """List cases, newest first.

    Example: openceir cases list --station central --status open
    """
    from openceir.cases import list_cases

    rows = list_cases(_context.engine(), _scope(station, region), status=status, search=search)
    if as_json:
        typer.echo(json.dumps(rows))
        return
    _table("Cases", rows, ["request_id", "status", "mode", "imeis", "station", "created_at"])


@app.command("show")
def show_cmd(
    request_id: str = typer.Argument(..., help="The request ID."), as_json: bool = AS_JSON
):
    """Show one case: the report, its history and its trace alerts (the read is audited).

    Example: openceir cases show RQ-7K3M-Q9XD
    """
    from openceir.cases import show_case

    case = show_case(_context.engine(), request_id, _actor())
    if as_json:
        typer.echo(json.dumps(case))
        return
    for key, value in case.items():
        if key not in ("history", "alerts") and value not in (None, [], ""):
            typer.echo(f"{key}: {', '.join(value) if isinstance(value, list) else value}")
    for h in case["history"]:
        typer.echo(f"  {h['at']}  {h['action']:<8} {h['actor']}")
    _table("Alerts", case["alerts"], ["raised_at", "imei", "operator", "msisdn", "imsi"])


@app.command("alerts")
def alerts_cmd(
    station: str = STATION,
    region: str = REGION,
    limit: int = typer.Option(50, help="At most this many."),
    as_json: bool = AS_JSON,
) -> None:
    """List trace alerts, newest first (the read is audited).

    Example: openceir cases alerts --station central
    """
    from openceir.cases import list_alerts

    rows = list_alerts(_context.engine(), _actor(), _scope(station, region), limit=limit)
    if as_json:
        typer.echo(json.dumps(rows))
        return
    columns = ["raised_at", "request_id", "imei", "operator", "msisdn", "imsi", "sightings"]
    _table("Trace alerts", rows, columns)


def _done(case: Any) -> None:
    from openceir.cases import publish_pending

    publish_pending(_context.engine(), _context.settings())
    typer.echo(f"{case.request_id}: {case.status}{', blocked' if case.blocked else ''}")


@app.command("recover")
def recover_cmd(
    request_id: str = typer.Argument(..., help="The request ID."),
    unblock: bool = typer.Option(False, "--unblock", help="Lift the block at once."),
) -> None:
    """Mark a case's phone recovered (tracing stops; with --unblock the block is lifted).

    Example: openceir cases recover RQ-7K3M-Q9XD --unblock
    """
    from openceir.cases import recover

    _done(recover(_context.engine(), _context.settings(), request_id, _actor(), unblock=unblock))


@app.command("unblock")
def unblock_cmd(request_id: str = typer.Argument(..., help="The request ID.")) -> None:
    """Unblock a case's phone and close the case (as police or staff).

    Example: openceir cases unblock RQ-7K3M-Q9XD
    """
    from openceir.cases import unblock

    _done(unblock(_context.engine(), _context.settings(), request_id, _actor()))


@app.command("close")
def close_cmd(
    request_id: str = typer.Argument(..., help="The request ID."),
    reason: str = typer.Option(..., help="Why the case is closed."),
) -> None:
    """Close a case (its block is lifted).

    Example: openceir cases close RQ-7K3M-Q9XD --reason "owner withdrew the complaint"
    """
    from openceir.cases import close

    _done(close(_context.engine(), _context.settings(), request_id, _actor(), reason))


@app.command("reverse")
def reverse_cmd(
    request_id: str = typer.Argument(..., help="The request ID."),
    reason: str = typer.Option(..., help="Why the report was false."),
) -> None:
    """Reverse a false report (staff): the case ends and its block is lifted.

    Example: openceir cases reverse RQ-7K3M-Q9XD --reason "reporter does not own the phone"
    """
    from openceir.cases import reverse

    _done(reverse(_context.engine(), _context.settings(), request_id, _actor(), reason))


@app.command("import-bulk")
def import_bulk_cmd(
    path: Path = typer.Argument(..., help="A CSV of reports (see docs/cases.md)."),
    station: str = typer.Option(None, help="The station of rows that name none."),
    as_json: bool = AS_JSON,
) -> None:
    """File many reports from a CSV, each row checked and filed on its own.

    Example: openceir cases import-bulk station7.csv --station central
    """
    from openceir.cases import import_bulk, publish_pending

    engine, settings = _context.engine(), _context.settings()
    results = import_bulk(engine, settings, path, actor=_actor(), channel="police", station=station)
    publish_pending(engine, settings)
    if as_json:
        typer.echo(json.dumps([r.as_dict() for r in results]))
    else:
        for r in results:
            if r.error:
                typer.echo(f"line {r.line}: error: {r.error}")
            else:
                linked = " (linked to an open case)" if r.linked else ""
                typer.echo(f"line {r.line}: {r.request_id}{linked}")
                for w in r.warnings:
                    typer.echo(f"line {r.line}: warning: {w}")
    bad = sum(1 for r in results if r.error)
    typer.echo(f"{len(results) - bad} filed, {bad} refused")
    if bad:
        raise typer.Exit(1)


@app.command("worker")
def worker_cmd(
    interval: float = typer.Option(1.0, help="Seconds between passes."),
    once: bool = typer.Option(False, "--once", help="One pass, then exit."),
) -> None:
    """Publish case changes, trace (check events and dumps) and send messages, in a loop.

    Example: openceir cases worker --interval 2
    """
    from openceir.cases import publish_pending, trace
    from openceir.notify import flush

    engine, settings = _context.engine(), _context.settings()
    while True:
        published = publish_pending(engine, settings)
        alerts = trace.scan(engine, settings)
        sent = flush(engine, settings)
        if once:
            typer.echo(f"published {published.changes}, alerts {alerts}, messages {sent.sent}")
            return
        time.sleep(interval)
