"""`openceir evaluate`: score the decisions on a simulated world against its ground truth."""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer
from rich.table import Table

from openceir.cli._context import console


def evaluate_command(
    subscribers: int = typer.Option(20_000, "--subscribers", help="Simulated subscribers."),
    days: int = typer.Option(30, "--days", help="Simulated days (the run is on the last)."),
    seed: int = typer.Option(1, "--seed", help="Simulation seed: try several."),
    work: Path | None = typer.Option(
        None, "--work", help="Directory for the world, store and lake (default: a temporary one)."
    ),
    rules_file: Path | None = typer.Option(
        None, "--rules", help="Rule file to evaluate (default: the built-in rules)."
    ),
    markdown: bool = typer.Option(False, "--markdown", help="Print the table as Markdown."),
) -> None:
    """Score clone and counterfeit decisions on a simulated world, beside DIRBS's rules.

    Simulates every hard case (clone variants, late counterfeits, look-alikes), imports it,
    classifies, builds the lists, computes DIRBS's rules on the same files, and prints the
    share flagged per phenomenon, variant and measure for both, with issue 15's goals.

    Example: openceir evaluate --subscribers 20000 --days 30 --seed 2
    """
    from openceir.classify import rules

    chosen = rules.load(rules_file, search=[]) if rules_file else None
    with console.status("evaluating") as status:
        if work is None:
            with tempfile.TemporaryDirectory(prefix="openceir-evaluate-") as tmp:
                result = _run(Path(tmp), subscribers, days, seed, chosen, status)
        else:
            result = _run(work, subscribers, days, seed, chosen, status)
    head = (
        f"{result.subscribers:,} subscribers x {result.days} days, seed {result.seed}, "
        f"run on {result.as_of}; duplicated IMEIs decided {result.decided}, "
        f"undecided {result.undecided}"
    )
    timing = ", ".join(f"{k} {v:.1f} s" for k, v in result.seconds.items())
    if markdown:
        console.print(f"{head}\n\n{result.markdown()}\n\n{timing}", markup=False, soft_wrap=True)
        return
    table = Table(title=head)
    for col in ("phenomenon", "variant", "measure", "n", "DIRBS rules", "openceir", "goal met"):
        table.add_column(col)
    for r in result.rows:
        table.add_row(
            r.phenomenon,
            r.variant,
            r.measure,
            str(r.n),
            f"{r.baseline:.1%}",
            f"{r.openceir:.1%}",
            "yes" if r.meets_goal else "NO",
        )
    console.print(table)
    console.print(timing, markup=False)


def _run(work: Path, subscribers, days, seed, chosen, status):  # type: ignore[no-untyped-def]
    from openceir.evaluate import evaluate

    return evaluate(
        work,
        subscribers=subscribers,
        days=days,
        seed=seed,
        rules=chosen,
        progress=lambda stage: status.update(f"evaluating: {stage}"),
    )


def register(app: typer.Typer) -> None:
    """Add `evaluate` to the root app."""
    app.command("evaluate")(evaluate_command)
