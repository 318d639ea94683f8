"""`openceir classify` and `openceir explain`: run the rules, explain one IMEI's decisions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.table import Table

from openceir.cli import _context
from openceir.cli._context import console
from openceir.errors import InputError
from openceir.settings import DataPaths


def _date(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{value!r} is not a date, expected YYYY-MM-DD", field="--date") from None


def _rules(path: Path | None):
    from openceir.classify import rules

    settings = _context.settings()
    search = [Path.cwd(), settings.data_dir]
    return rules.load(path, search=search)


def binding_reader(data_dir: Path):
    """The manufacturer binding of an IMEI from the ledger in `data_dir`, if there is one."""
    from openceir.ledger.events import ImeiLedger
    from openceir.ledger.storage import LedgerFiles

    path = DataPaths(data_dir).ledger
    return ImeiLedger.open(path).manufacturer_binding if LedgerFiles(path).exists() else None


def classify_command(
    date: str | None = typer.Option(None, "--date", help="Run date YYYY-MM-DD (default today)."),
    conditions: list[str] = typer.Option(
        [], "--conditions", "-c", help="Run only these conditions (repeatable)."
    ),
    rules_file: Path | None = typer.Option(
        None,
        "--rules",
        help="Rule file (default: ./openceir.yaml, <data>/openceir.yaml, built-in).",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Evaluate and report; change nothing."),
    accept_changes: bool = typer.Option(
        False, "--accept-changes", help="Accept rules or operators changed since the last run."
    ),
    engine_name: str = typer.Option(
        "duckdb", "--engine", help="Analytics engine: duckdb, or spark (needs openceir[spark])."
    ),
    spark_master: str | None = typer.Option(
        None,
        "--spark-master",
        help="Spark master URL for --engine spark (default: setting spark_master, local[2]).",
    ),
) -> None:
    """Classify the IMEIs seen in the lake and on the registers.

    Example: openceir classify --date 2026-11-28 --dry-run

    Example: openceir classify --engine spark --spark-master spark://head:7077
    """
    from openceir.classify import run

    rules = _rules(rules_file)
    engine = _context.engine()
    as_of = _date(date)
    settings = _context.settings()
    with console.status("classifying") as status:
        result = run.classify(
            settings,
            engine,
            rules,
            as_of=as_of,
            conditions=[c for item in conditions for c in item.split(",") if c] or None,
            dry_run=dry_run,
            accept_changes=accept_changes,
            backend=engine_name,
            spark_master=spark_master,
            progress=lambda stage: status.update(f"classifying: {stage}"),
            binding_of=binding_reader(settings.data_dir),
        )
    title = f"classification run {result.run_id} for {result.as_of}"
    table = Table(title=title + (" (dry run: nothing changed)" if dry_run else ""))
    for col in ("condition", "matched", "seen", "new", "closed", "clones told apart", "note"):
        table.add_column(col)
    for c in result.conditions:
        ch = c.changes
        table.add_row(
            c.label,
            str(c.matched),
            str(c.seen),
            str(ch.get("opened", "-")),
            str(ch.get("closed", "-")),
            str(c.clones_decided),
            c.refused or "",
        )
    console.print(table)
    if not dry_run:
        # Composition point: classify (layer 4) knows nothing of reports (layer 7).
        from openceir.reports import aggregates

        with console.status("computing the report figures"):
            summary = aggregates.compute(_context.settings(), engine, result.run_id)
        console.print(
            f"Report figures of run {result.run_id}: {summary['figures']} figures for "
            f"{', '.join(summary['months']) or 'no lake month'}",
            markup=False,
        )
    refused = [c.label for c in result.conditions if c.refused]
    if refused:
        console.print(f"Not published (safety check): {', '.join(refused)}")


def explain_command(
    imei: str = typer.Argument(..., help="The IMEI (14-16 digits, or the raw text reported)."),
) -> None:
    """Explain every condition an IMEI meets or met, its block date and the evidence.

    Example: openceir explain 356868000041414
    """
    from openceir.classify.explain import explain
    from openceir.classify.run import ensure_schema

    engine = _context.engine()
    ensure_schema(engine)
    with engine.connect() as conn:
        paragraphs = explain(conn, imei)
    console.print("\n\n".join(paragraphs), markup=False)


def register(app: typer.Typer) -> None:
    """Add `classify` and `explain` to the root app."""
    app.command("classify")(classify_command)
    app.command("explain")(explain_command)
