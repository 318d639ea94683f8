"""`openceir notify`: the outbox of messages (SMS, e-mail, console): send, list, retry."""

from __future__ import annotations

import json
import threading

import typer
from rich.table import Table

from openceir.cli import _context
from openceir.cli._context import console

app = typer.Typer(
    help="Messages to send (SMS, e-mail, console): the outbox, sent and retried.",
    no_args_is_help=True,
)


@app.command("flush")
def flush_cmd(
    loop: bool = typer.Option(False, "--loop", help="Keep sending until interrupted."),
    interval: float = typer.Option(1.0, help="Seconds between passes with --loop."),
) -> None:
    """Send the messages that are due; failures are retried later with back-off.

    Example: openceir notify flush --loop --interval 2
    """
    from openceir.notify import flush
    from openceir.notify.outbox import run_worker

    settings, engine = _context.settings(), _context.engine()
    if loop:
        stop = threading.Event()
        try:
            run_worker(engine, settings, interval=interval, stop=stop)
        except KeyboardInterrupt:
            stop.set()
        return
    result = flush(engine, settings)
    typer.echo(f"sent {result.sent}, to retry {result.retried}, failed {result.failed}")


@app.command("list")
def list_cmd(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the messages not sent yet (pending and failed), oldest first.

    Example: openceir notify list --json
    """
    from openceir.notify import pending

    rows = [
        {
            "id": m.id,
            "kind": m.kind,
            "address": m.address,
            "template": m.template,
            "status": m.status,
            "attempts": m.attempts,
            "last_error": m.last_error,
        }
        for m in pending(_context.engine())
    ]
    if as_json:
        typer.echo(json.dumps(rows))
        return
    table = Table(title="Messages not sent yet")
    for column in ("id", "kind", "address", "template", "status", "attempts", "last error"):
        table.add_column(column)
    for r in rows:
        table.add_row(*(str(r[k] or "") for k in r))
    console.print(table)


@app.command("retry")
def retry_cmd() -> None:
    """Put every failed message back in the queue, due now.

    Example: openceir notify retry
    """
    from openceir.notify import retry_failed

    typer.echo(f"{retry_failed(_context.engine())} messages queued again")
