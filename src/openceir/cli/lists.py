"""`openceir lists`: generate the signed output lists (architecture §5), verify a downloaded run."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from openceir.cli import _context
from openceir.errors import InputError
from openceir.lists.inputs import load_inputs
from openceir.lists.keys import PUBLIC, keys_dir, load_signer, load_verifier
from openceir.lists.run import RunResult, runs, verify_run, write_run

app = typer.Typer(
    help="Output lists for operators' EIRs: blacklist, notifications, exceptions and more.\n\n"
    "Each run also carries what an EIR needs for restrictive mode: barred TACs, tracked and "
    "registered IMEIs.",
    no_args_is_help=True,
)


def _date(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text!r} is not a date (YYYY-MM-DD)", field="--date") from None


@app.command("generate")
def generate_cmd(
    when: str = typer.Option(None, "--date", help="Lists as of this date [default: today]."),
    base: str = typer.Option(
        None, "--base", help="Earlier run to write deltas against [default: the latest run]."
    ),
    check_digit: bool = typer.Option(
        False, "--check-digit", help="Write 15-digit IMEIs with the Luhn digit, not 14-digit keys."
    ),
    snapshot: bool = typer.Option(
        True, "--snapshot/--no-snapshot", help="Also build the EIR snapshot for this run."
    ),
) -> None:
    """Write full lists, deltas, zips and a signed manifest under <data dir>/lists/<run>.

    Example: openceir lists generate --base 20261127T101500Z
    """
    settings = _context.settings()
    as_of = _date(when)
    signer = load_signer(settings.data_dir)
    inputs = load_inputs(settings, _context.engine())
    result = write_run(
        settings.data_dir, inputs, signer, as_of=as_of, base=base, check_digit=check_digit
    )
    _context.console.print(f"list run {result.path.name} in {result.path}")
    for name, rows in sorted(result.rows.items()):
        _context.console.print(f"  {name}: {rows} rows")
    if snapshot:
        _snapshot(settings.data_dir, result)


def _snapshot(data_dir: Path, result: RunResult) -> None:
    """Build the EIR snapshot of this run and make it current."""
    from openceir.eir.from_lists import snapshot_from_run

    run_dir = snapshot_from_run(data_dir, result)
    _context.console.print(f"EIR snapshot {run_dir.name} is current")


@app.command("verify")
def verify_cmd(
    run_dir: Path = typer.Argument(..., help="A downloaded run directory."),
    key: Path = typer.Option(
        None, "--key", help="The CEIR's public key file [default: <data dir>/keys/ceir.vkey]."
    ),
    partial: bool = typer.Option(
        False,
        "--partial",
        help="Accept a download of some of the files (an operator's own, or only the deltas).",
    ),
) -> None:
    """Check a run's signature, and each file's SHA-256 and row count, against the public key.

    A .csv or .zip in DIR that the signed manifest does not list always fails.

    Example: openceir lists verify ./20261128T101500Z --key ceir.vkey --partial
    """
    key = key or keys_dir(_context.settings().data_dir) / PUBLIC
    files = verify_run(run_dir, load_verifier(key), partial=partial)
    _context.console.print(f"{run_dir}: signature and {len(files)} files OK", markup=False)


@app.command("apply")
def apply_cmd(
    base_dir: Path = typer.Argument(..., help="The earlier run's full lists (the delta's base)."),
    delta_dir: Path = typer.Argument(..., help="The later run: manifest and *_delta.csv files."),
    out_dir: Path = typer.Argument(..., help="Where to write the rebuilt full lists."),
    key: Path = typer.Option(
        None, "--key", help="The CEIR's public key file [default: <data dir>/keys/ceir.vkey]."
    ),
) -> None:
    """Apply a run's deltas to the earlier run's full lists and check the result is signed.

    Each rebuilt list must have the SHA-256 the later run's signed manifest gives its full
    list; the manifest is copied to OUT_DIR, so `lists verify --partial OUT_DIR` passes.

    Example: openceir lists apply ./20261127T101500Z ./20261128T101500Z ./current
    """
    from openceir.lists.apply import apply_delta

    key = key or keys_dir(_context.settings().data_dir) / PUBLIC
    rows = apply_delta(base_dir, delta_dir, out_dir, load_verifier(key))
    for name, count in sorted(rows.items()):
        _context.console.print(f"  {name}: {count} rows", markup=False)
    _context.console.print(f"{out_dir}: {len(rows)} full lists rebuilt and verified", markup=False)


@app.command("snapshot")
def snapshot_cmd(
    run_dir: Path = typer.Argument(..., help="A run directory (generated, or downloaded)."),
    operator: str = typer.Option(
        None, "--operator", help="Use only this operator's notifications and exceptions."
    ),
    root: Path = typer.Option(None, "--snapshot", help="Snapshot root [default: <data dir>/eir]."),
) -> None:
    """Build the EIR snapshot of a run from its files and make it current.

    Verify a download first (`lists verify --partial`); the snapshot uses blacklist.csv, the
    notifications and exceptions files, and barred_tacs.csv, tracked.csv and registered.csv.

    Example: openceir lists snapshot ./20261128T101500Z --operator alpha
    """
    from openceir.eir.list_files import snapshot_from_files

    root = root or _context.settings().paths.snapshot
    run = snapshot_from_files(run_dir, root, operator=operator)
    _context.console.print(f"EIR snapshot {run.name} is current in {root}", markup=False)


@app.command("runs")
def runs_cmd() -> None:
    """List the runs on disk, oldest first.

    Example: openceir lists runs
    """
    for run_id in runs(_context.settings().data_dir):
        _context.console.print(run_id)
