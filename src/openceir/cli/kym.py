"""`openceir kym`: Know Your Mobile, the public answer about a phone, and its signed receipt."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click
import typer
from typer.core import TyperGroup

from openceir.cli import _context
from openceir.errors import InputError


class _DefaultCheck(TyperGroup):
    """`openceir kym IMEI` means `openceir kym check IMEI`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["check", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_DefaultCheck,
    help="Know Your Mobile: is a phone valid, approved, registered, stolen, blocked?",
    no_args_is_help=True,
)


def _session() -> Any:
    from openceir.store.session import session_scope

    return session_scope(_context.engine())


@app.command("check")
def check_cmd(
    imei: str = typer.Argument(..., help="The IMEI (dial *#06# on the phone)."),
    sms: bool = typer.Option(False, "--sms", help="Print only the SMS answer (<= 160 chars)."),
    as_json: bool = typer.Option(False, "--json", help="Print the answer as JSON."),
    receipt: Path = typer.Option(None, help="Also write a signed receipt to this file."),
    on: str = typer.Option(None, "--date", help="Answer as of this day (default today)."),
) -> None:
    """Answer for one IMEI: model, validity, approval, registration, theft, network status.

    Example: openceir kym 352099001761481 --sms
    """
    from openceir.registry import kym
    from openceir.registry.receipt import issue_receipt

    today = _day(on)
    with _session() as session:
        answer = kym.lookup(session, imei, today)
        if receipt is not None:
            from openceir.ledger.storage import write_atomic

            data = issue_receipt(session, _context.settings(), imei)
            write_atomic(receipt, (json.dumps(data, indent=2) + "\n").encode())
    if sms:
        typer.echo(kym.sms_text(answer))
    elif as_json:
        typer.echo(json.dumps(answer.as_dict(), indent=2))
    else:
        _render(answer)
    if receipt is not None and not sms and not as_json:
        typer.echo(f"Signed receipt written to {receipt}")


def _render(a: Any) -> None:
    yes = lambda v: "yes" if v else "no"  # noqa: E731
    status = {
        "allowed": "allowed",
        "grace": f"in grace until {a.until}",
        "blocked": f"blocked since {a.since}",
    }[a.status]
    lines = [
        f"IMEI           {a.imei}",
        f"Valid          {yes(a.valid)}",
    ]
    if a.valid:
        lines += [
            f"Brand / model  {a.brand or 'unknown'} / {a.model or 'unknown'}",
            f"Type-approved  {yes(a.type_approved)}",
            f"Registered     {yes(a.registered)}",
            f"Stolen         {yes(a.stolen)}",
            f"Duplicated     {yes(a.duplicated)}",
            f"Network        {status}",
        ]
    lines += [f"Why            {w}" for w in a.why]
    lines.append(f"What next      {a.next}")
    typer.echo("\n".join(lines))


def _day(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text!r} is not a date (YYYY-MM-DD)", field="date") from None


@app.command("verify-receipt")
def verify_receipt_cmd(
    file: Path = typer.Argument(..., help="The receipt file."),
    vkey: Path = typer.Option(None, help="The CEIR's published public key file (ceir.vkey)."),
) -> None:
    """Check a signed KYM receipt offline: signature, content and ledger proof.

    Example: openceir kym verify-receipt receipt.json --vkey ceir.vkey
    """
    from openceir.registry.receipt import verify_receipt
    from openceir.tlog import parse_vkey

    try:
        data = file.read_bytes()
        key = parse_vkey(vkey.read_text()) if vkey else None
    except OSError as exc:
        raise InputError(f"cannot read it: {exc.strerror}", source=str(exc.filename)) from None
    got = verify_receipt(data, key)
    a = got.answer
    typer.echo(f"OK: receipt signed by {got.signer} at {got.time}")
    typer.echo(
        f"IMEI {a['imei']}: status {a['status']}, registered {a['registered']}, "
        f"stolen {a['stolen']}"
    )
    if got.ledger_event is not None:
        typer.echo(f"Ledger: {got.ledger_event['type']} event proven in the signed log")
    if not got.key_given:
        typer.echo(
            "Checked against the key inside the receipt: compare it with the CEIR's "
            "published key (--vkey) to know who signed it."
        )


@app.command("bulk")
def bulk_cmd(
    file: Path = typer.Argument(..., help="A CSV with an `imei` column."),
    out: Path = typer.Option(None, help="Write the CSV answer here (default: stdout)."),
    on: str = typer.Option(None, "--date", help="Answer as of this day (default today)."),
) -> None:
    """Answer for every IMEI of a file, a CSV row each (for dealers and insurers).

    Example: openceir kym bulk stock.csv --out answers.csv
    """
    from openceir.registry.bulk import check_file
    from openceir.registry.kym import KymIndex

    with _session() as session:
        index = KymIndex.load(session, _day(on))
    if out is None:
        check_file(index, file, sys.stdout)
        return
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            count = check_file(index, file, fh)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    typer.echo(f"{count} IMEIs answered in {out}")
