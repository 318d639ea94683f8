"""`openceir report`: the country and operator reports of a month, and the stored figures."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from openceir.cli import _context
from openceir.cli._context import console
from openceir.errors import InputError

app = typer.Typer(
    help="Monthly reports for the country or one operator: HTML, CSV, JSON or PDF.",
    no_args_is_help=True,
)

MONTH = typer.Option(..., "--month", help="The month reported, YYYY-MM.")
FORMAT = typer.Option("html", "--format", "-f", help="html, csv, json or pdf.")
OUT = typer.Option(None, "--out", "-o", help="Write to FILE (default: standard output).")


def _write(body: bytes, out: Path | None, fmt: str) -> None:
    """To `out` atomically (temporary file, then rename), else to standard output."""
    if out is None:
        if fmt == "pdf":
            raise InputError("a PDF report needs --out FILE", field="--out")
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_bytes(body)
    os.replace(tmp, out)
    console.print(f"Wrote {out} ({len(body):,} bytes)", markup=False)


def _report(kind: str, month: str, fmt: str, out: Path | None, operator: str | None) -> None:
    from openceir.reports import render, report

    if fmt not in render.FORMATS:
        raise InputError(
            f"unknown format {fmt!r} (known: {', '.join(render.FORMATS)})", field="--format"
        )
    data = report.build(_context.settings(), _context.engine(), kind, month, operator)
    _write(render.render(data, fmt), out, fmt)


@app.command("country")
def country(month: str = MONTH, fmt: str = FORMAT, out: Path | None = OUT) -> None:
    """The country report of a month: counts, compliance, conditions, models, duplicates.

    Example: openceir report country --month 2026-11 --format pdf --out country-2026-11.pdf
    """
    _report("country", month, fmt, out, None)


@app.command("operator")
def operator(
    operator_id: str = typer.Argument(..., help="The operator's id (openceir operators list)."),
    month: str = MONTH,
    fmt: str = FORMAT,
    out: Path | None = OUT,
) -> None:
    """One operator's report of a month: its own figures only.

    Example: openceir report operator alpha --month 2026-11 --format csv --out alpha.csv
    """
    _report("operator", month, fmt, out, operator_id)


@app.command("compute")
def compute(
    run: int | None = typer.Option(None, "--run", help="Run id (default: the latest run)."),
) -> None:
    """Compute (again) the stored figures of a classification run.

    Example: openceir report compute --run 3
    """
    from openceir.reports import aggregates, figures

    settings, engine = _context.settings(), _context.engine()
    run_id = run if run is not None else figures.latest_run(settings, engine)
    summary = aggregates.compute(settings, engine, run_id)
    console.print(
        f"Run {run_id} ({summary['as_of']}): {summary['figures']} figures for "
        f"{', '.join(summary['months']) or 'no lake month'}",
        markup=False,
    )
