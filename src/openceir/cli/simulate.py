"""`openceir simulate`: write a synthetic national network's dumps, registers and truth."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from openceir.cli import _context
from openceir.cli._context import console
from openceir.errors import InputError
from openceir.settings import Operator, Settings
from openceir.simulate import FORMATS, Rates, SimulationSummary, simulate
from openceir.simulate.network import made_up_operators


def parse_start(value: str | None, days: int, today: dt.date) -> dt.date:
    """The first day: YYYY-MM-DD, or by default `days` days before today (ending yesterday)."""
    if value is None:
        return today - dt.timedelta(days=days)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{value!r} is not a date, expected YYYY-MM-DD", field="--start") from None


def parse_rates(values: list[str]) -> Rates:
    """Rates from `NAME=VALUE` pairs over the defaults, e.g. `clone=0.01`."""
    known = set(Rates.__dataclass_fields__)
    changes: dict[str, float | bool] = {}
    for item in values:
        name, sep, text = item.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in known:
            raise InputError(
                f"{item!r} is not NAME=VALUE with NAME one of {', '.join(sorted(known))}",
                field="--rate",
            )
        if name == "leading_zero_loss":
            changes[name] = text.strip().lower() in ("1", "true", "yes", "on")
            continue
        try:
            changes[name] = float(text)
        except ValueError:
            raise InputError(f"{item!r}: {text!r} is not a number", field="--rate") from None
    return Rates(**changes)  # type: ignore[arg-type]


def pick_operators(settings: Settings, wanted: str | None) -> Settings | list[Operator]:
    """Operators to simulate: configured ones (all, the first N, or named), else made up."""
    if wanted is None:
        return settings
    wanted = wanted.strip()
    if wanted.isdigit():
        count = int(wanted)
        if not settings.operators:
            return made_up_operators(count)
        if not 1 <= count <= len(settings.operators):
            raise InputError(
                f"{count} operators asked for, {len(settings.operators)} configured",
                field="--operators",
            )
        return settings.model_copy(update={"operators": settings.operators[:count]})
    ids = [part.strip() for part in wanted.split(",") if part.strip()]
    if not settings.operators:
        raise InputError(
            "no operators are configured to pick by id; give a number to make some up",
            field="--operators",
        )
    chosen = [settings.operator(op_id) for op_id in ids]
    return settings.model_copy(update={"operators": chosen})


def render(summary: SimulationSummary) -> Table:
    """The summary table: rows per file kind and per ground-truth file."""
    table = Table(title=f"Simulated {summary.subscribers:,} subscribers, {summary.days} days")
    table.add_column("output")
    table.add_column("rows", justify="right")
    for name, rows in summary.rows.items():
        table.add_row(name, f"{rows:,}")
    for name, rows in summary.truth.items():
        table.add_row(f"truth/{name}", f"{rows:,}")
    return table


def register(app: typer.Typer) -> None:
    """Add the `simulate` command to the root app."""

    @app.command("simulate")
    def simulate_cmd(
        subscribers: int = typer.Option(10_000, "--subscribers", help="How many subscribers."),
        days: int = typer.Option(30, "--days", help="How many days of dumps."),
        start: str = typer.Option(
            None, "--start", help="First day, YYYY-MM-DD (default: DAYS days before today)."
        ),
        seed: int = typer.Option(0, "--seed", help="Same seed, same bytes."),
        operators: str = typer.Option(
            None,
            "--operators",
            help="Configured operator ids (a,b) or a count; default: all configured, "
            "or three made-up ones.",
        ),
        out: Path = typer.Option(
            None, "--out", help="Output directory (default: <data dir>/incoming)."
        ),
        fmt: str = typer.Option(
            "csv", "--format", help=f"File format: {', '.join(FORMATS)} (zip: one CSV inside)."
        ),
        rate: list[str] = typer.Option(
            [], "--rate", help="Change a rate, NAME=VALUE, repeatable (e.g. clone=0.01)."
        ),
    ) -> None:
        """Write a synthetic national mobile network: operator dumps, registers, ground truth.

        Example: openceir simulate --subscribers 100000 --days 30 --seed 7 --out /tmp/incoming
        """
        settings = _context.settings()
        first = parse_start(start, days, dt.date.today())
        rates = parse_rates(rate)
        chosen = pick_operators(settings, operators)
        target = (out or settings.paths.incoming).resolve()
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task("subscriber-days", total=subscribers * max(days, 1))
            summary = simulate(
                chosen,
                target,
                subscribers=subscribers,
                days=days,
                start=first,
                seed=seed,
                fmt=fmt,
                rates=rates,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        console.print(render(summary))
        console.print(
            f"Wrote {len(summary.files)} files for {', '.join(summary.operators)} "
            f"from {summary.start.isoformat()} to {summary.out}",
            markup=False,
            soft_wrap=True,
        )
        if summary.config_written:
            console.print(
                f"No operators configured: wrote {summary.config_written}; "
                f"use it with OPENCEIR_CONFIG={summary.config_written}",
                markup=False,
                soft_wrap=True,
            )
