"""`openceir import`: operator dumps, the TAC catalog and the register lists, and the job log."""

from __future__ import annotations

import inspect
import json
from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from openceir.cli import _context
from openceir.cli._context import console
from openceir.errors import ConfigError, InputError
from openceir.ingest import SOURCES, SPECS, ImportResult, run_import
from openceir.ingest import batch as _batch
from openceir.ingest import jobs as _jobs

app = typer.Typer(
    help="Import operator dumps, the TAC catalog and register lists (CSV, .csv.gz or .zip).\n\n"
    "Example: openceir import operator alpha alpha_20261101_20261101.csv.gz",
    no_args_is_help=True,
)

_LIST_ONLY = ("conflicting_rows", "list_shrink", "list_growth")
OPERATOR_CHECKS = tuple(name for name in SPECS if name not in _LIST_ONLY)
"""Checks a dump import runs (every check but the list-only ones), in `SPECS` order."""
LIST_CHECKS = ("invalid_rows", *_LIST_ONLY)


def _thresholds(values: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in values:
        name, sep, number = item.partition("=")
        try:
            if not sep:
                raise ValueError
            out[name.strip().replace("-", "_")] = float(number)
        except ValueError:
            raise InputError(
                f"{item!r}: expected NAME=NUMBER, e.g. unclean_imei=0.1", field="threshold"
            ) from None
    return out


def _render(result: ImportResult) -> None:
    console.print(result.message, markup=False)
    if result.status != "succeeded" or not result.checks:
        return
    table = Table(title="Checks")
    for column in ("check", "value", "threshold", "result"):
        table.add_column(column)
    for check in result.checks:
        value = check["value"]
        shown = "" if value is None else f"{value:.4g}"
        if check["not_run"]:
            outcome = check["not_run"]
        elif check["disabled"]:
            outcome = "disabled"
        else:
            outcome = "passed" if check["passed"] else "FAILED"
        table.add_row(check["name"], shown, f"{check['threshold']:g}", outcome)
    console.print(table)
    console.print(f"Took {result.seconds:.1f} s.", markup=False)


def _run(kind: str, file: Path, options: dict[str, Any], checks: tuple[str, ...]) -> None:
    disabled = [name for name in checks if options.get(f"disable_{name}")]
    settings = _context.settings()
    engine = _context.engine()
    with console.status(f"Importing {file.name}") as status:
        result = run_import(
            settings,
            kind,
            file,
            operator_id=options.get("operator_id"),
            delta=bool(options.get("delta")),
            disable=disabled,
            thresholds=_thresholds(options.get("threshold") or []),
            engine=engine,
            today=options.get("today"),
            progress=lambda stage: status.update(f"{file.name}: {stage}"),
        )
    _render(result)


def _run_many(
    planned: list[_batch.Planned], options: dict[str, Any], checks: tuple[str, ...]
) -> None:
    """Import several files, one job each, under one progress bar; a table at the end.

    Exits 1 (after importing the others) when any file failed, naming each with its error.
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    disabled = [name for name in checks if options.get(f"disable_{name}")]
    sizes = {item.path: item.path.stat().st_size for item in planned}
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.fields[files]} files"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("importing", total=sum(sizes.values()) or 1, files=len(planned))
        done = [0]

        def progress(item: _batch.Planned, stage: str) -> None:
            if stage == "done":
                done[0] += 1
                bar.update(task, advance=sizes[item.path])
                bar.update(task, description=f"{done[0]}/{len(planned)} files")
            else:
                bar.update(task, description=f"{item.path.name}: {stage}")

        outcomes = _batch.import_many(
            _context.settings(),
            planned,
            engine=_context.engine(),
            disable=disabled,
            thresholds=_thresholds(options.get("threshold") or []),
            delta=bool(options.get("delta")),
            today=options.get("today"),
            progress=progress,
        )
    table = Table(title="Imports")
    table.add_column("file", overflow="fold")
    for column in ("kind", "operator", "status"):
        table.add_column(column)
    for column in ("rows", "job", "seconds"):
        table.add_column(column, justify="right")
    for o in outcomes:
        r = o.result
        table.add_row(
            o.planned.path.name,
            o.planned.kind,
            o.planned.operator_id or "",
            o.status if o.status != "failed" else "[red]FAILED[/red]",
            f"{r.rows_valid:,}" if r and o.status == "imported" else "",
            str(r.job_id) if r and r.job_id is not None else "",
            f"{r.seconds:.1f}" if r else "",
        )
    console.print(table)
    for o in outcomes:
        if o.error is not None:
            console.print(f"FAILED {o.planned.path}: {o.error}", markup=False, soft_wrap=True)
    console.print(_batch.summary(outcomes), markup=False, soft_wrap=True)
    if any(o.status == "failed" for o in outcomes):
        raise typer.Exit(1)


def _disable_params(checks: tuple[str, ...]) -> list[inspect.Parameter]:
    return [
        inspect.Parameter(
            f"disable_{name}",
            inspect.Parameter.KEYWORD_ONLY,
            default=typer.Option(
                False,
                f"--disable-{name.replace('_', '-')}",
                help=f"Skip the {name} check ({SPECS[name].description}).",
            ),
            annotation=bool,
        )
        for name in checks
    ]


THRESHOLD = inspect.Parameter(
    "threshold",
    inspect.Parameter.KEYWORD_ONLY,
    default=typer.Option(
        None,
        "--threshold",
        metavar="NAME=VALUE",
        help="Override a check's threshold (repeatable), e.g. --threshold unclean_imei=0.1.",
    ),
    annotation=list[str] | None,
)
TODAY = inspect.Parameter(
    "today",
    inspect.Parameter.KEYWORD_ONLY,
    default=typer.Option(
        None, "--date", help="Date register changes take effect (YYYY-MM-DD; default today)."
    ),
    annotation=str | None,
)


def _parse_today(options: dict[str, Any]) -> None:
    """Turn the --date text of `options` into a date in place (one-line error if not one)."""
    raw = options.get("today")
    if raw:
        try:
            options["today"] = date.fromisoformat(raw)
        except ValueError:
            raise InputError(f"{raw!r}: expected YYYY-MM-DD", field="date") from None


FILE = inspect.Parameter(
    "file",
    inspect.Parameter.POSITIONAL_OR_KEYWORD,
    default=typer.Argument(..., help="The file: .csv, .csv.gz or .zip holding one CSV."),
    annotation=Path,
)


FILES = inspect.Parameter(
    "files",
    inspect.Parameter.POSITIONAL_OR_KEYWORD,
    default=typer.Argument(
        ...,
        metavar="FILE",
        help="Dumps: .csv, .csv.gz or .zip files, directories (every such file below) "
        "or quoted globs ('alpha_202611*.csv.gz').",
    ),
    annotation=list[Path],
)


def _operator_command() -> None:
    def command(**options: Any) -> None:
        paths = options["files"]
        if len(paths) == 1 and Path(paths[0]).is_file():
            _run("operator", Path(paths[0]), options, OPERATOR_CHECKS)
            return
        planned = _batch.plan_files("operator", paths, options["operator_id"])
        _run_many(planned, options, OPERATOR_CHECKS)

    operator = inspect.Parameter(
        "operator_id",
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        default=typer.Argument(..., help="The operator's configured id."),
        annotation=str,
    )
    command.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [operator, FILES, *_disable_params(OPERATOR_CHECKS), THRESHOLD]
    )
    command.__doc__ = (
        "Import operator data dumps (date,imei,imsi,msisdn,rat[,imeisv,cell,lat,lon,time]) "
        "into the lake, merging each day into its month. A DIRBS-style name "
        "<op>_<YYYYMMDD>_<YYYYMMDD> sets the expected date range. Several files, a "
        "directory or a glob: each file is its own atomic job; a failed file is reported "
        "and the others still import (exit 1 if any failed).\n\n"
        f"Example: {SOURCES['operator'].example}\n\n"
        "Example: openceir import operator alpha incoming/operators/alpha/"
    )
    app.command("operator")(command)


def _list_command(kind: str) -> None:
    source = SOURCES[kind]

    def command(**options: Any) -> None:
        _parse_today(options)
        _run(kind, options["file"], options, LIST_CHECKS)

    delta = inspect.Parameter(
        "delta",
        inspect.Parameter.KEYWORD_ONLY,
        default=typer.Option(
            False,
            "--delta",
            help="The file is a delta with a change_type column "
            "(add/remove/update); otherwise it is the full list and is diffed.",
        ),
        annotation=bool,
    )
    command.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [FILE, delta, TODAY, *_disable_params(LIST_CHECKS), THRESHOLD]
    )
    columns = ",".join((*source.required, *source.optional))
    dirbs = f" (DIRBS {source.dirbs_kind})" if source.dirbs_kind else ""
    command.__doc__ = (
        f"Import the {source.title}{dirbs}: columns {columns}.\n\nExample: {source.example}"
    )

    app.command(kind)(command)


def _all_command() -> None:
    both = tuple(dict.fromkeys((*OPERATOR_CHECKS, *LIST_CHECKS)))

    def command(**options: Any) -> None:
        _parse_today(options)
        directory = options["directory"]
        planned, unknown = _batch.plan_directory(directory)
        settings = _context.settings()
        wanted = sorted({p.operator_id for p in planned if p.operator_id})
        missing = [op for op in wanted if op not in {o.id for o in settings.operators}]
        declared = directory / "openceir.toml"
        if missing and declared.is_file() and not settings.operators:
            raise ConfigError(
                f"no operators are configured, and {declared} (written by openceir simulate) "
                f"declares them; run: OPENCEIR_CONFIG={declared} openceir db upgrade, then "
                "this command again with the same OPENCEIR_CONFIG"
            )
        if not planned:
            raise InputError(
                "nothing to import: no register list (tac_catalog, stolen, ...) and no "
                "operator dump named <op>_<YYYYMMDD>_<YYYYMMDD>",
                source=str(directory),
            )
        if unknown:
            shown = ", ".join(str(p.relative_to(directory)) for p in unknown[:5])
            more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
            console.print(
                f"Skipping {len(unknown)} files not named like an import: {shown}{more}",
                markup=False,
                soft_wrap=True,
            )
        _run_many(planned, options, both)

    directory = inspect.Parameter(
        "directory",
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        default=typer.Argument(
            ..., help="The directory, e.g. what openceir simulate wrote.", file_okay=False
        ),
        annotation=Path,
    )
    command.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [directory, TODAY, *_disable_params(both), THRESHOLD]
    )
    command.__doc__ = (
        "Import every file in a directory: the TAC catalog first, then the register lists "
        "(stolen, registration, pairing, exempt/golden_list, barred, barred_tac, "
        "monitoring), then operator dumps named <op>_<YYYYMMDD>_<YYYYMMDD> in date order, "
        "each for the operator its name starts with. Each file is its own atomic job; "
        "files already imported are skipped; a failed file is reported and the others "
        "still import (exit 1 if any failed). Other files (simulate's truth/) are listed "
        "and left alone.\n\n"
        "Example: openceir import all incoming/"
    )
    app.command("all")(command)


_operator_command()
_all_command()
for _kind in SOURCES:
    if _kind != "operator":
        _list_command(_kind)


@app.command("jobs")
def jobs_cmd(
    limit: int = typer.Option(20, "--limit", help="How many jobs, newest first."),
    kind: str | None = typer.Option(None, "--kind", help="Only jobs of this kind."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List recent import jobs: file, status, rows, and the error of failed ones.

    Example: openceir import jobs --limit 5 --kind operator
    """
    from openceir.ingest.pipeline import ensure_schema

    engine = _context.engine()
    ensure_schema(engine)
    rows = _jobs.recent(engine, limit, kind)
    if as_json:
        out = [
            {
                "id": j.id,
                "kind": j.kind,
                "operator_id": j.operator_id,
                "source_file": j.source_file,
                "sha256": j.sha256,
                "status": j.status,
                "started_at": j.started_at.isoformat(),
                "finished_at": j.finished_at.isoformat() if j.finished_at else None,
                "rows_read": j.rows_read,
                "rows_valid": j.rows_valid,
                "rows_rejected": j.rows_rejected,
                "checks": j.checks,
                "error": j.error,
            }
            for j in rows
        ]
        typer.echo(json.dumps(out))
        return
    table = Table(title="Import jobs")
    for column in ("id", "kind", "operator", "file", "status", "rows", "rejected", "error"):
        table.add_column(column)
    for j in rows:
        table.add_row(
            str(j.id),
            j.kind,
            j.operator_id or "",
            j.source_file,
            j.status,
            str(j.rows_read),
            str(j.rows_rejected),
            (j.error or "")[:120],
        )
    console.print(table)
