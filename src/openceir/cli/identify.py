"""`openceir identify`: what an identifier is, its parts and findings (openceir.identifiers)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from openceir.errors import OpenceirError

EXAMPLE = """Say what an identifier is: IMEI, IMEISV, MEID, ESN, MAC/EUI-64, IMSI or MSISDN.

Lists every kind the value could be, its parts (TAC, serial, check digit, software version,
MCC/MNC/operator ...) and findings (bad check digit, test TAC, placeholder ...). A value
written as an IMEI (label, imei- prefix, or grouped 2-6-6-1) is judged as an IMEI only, and a
wrong check digit is named with the digit it should be. Exits 1 when the value is not a valid
identifier of any kind, or is written as an IMEI and is not a valid one.

Examples:

  openceir identify 490154203237518

  openceir identify "IMEI: 35-686800-004141-8" --json

  openceir identify 07400123456 --country-code 44
"""

_CATALOG_COLUMNS = ("manufacturer", "model", "device_type", "rats")


def _tac_lookup() -> Any:
    """A TAC -> device lookup against the store's `tac_catalog` table, or None when absent."""
    from sqlalchemy import inspect, text
    from sqlalchemy.exc import SQLAlchemyError

    from openceir.cli import _context

    try:
        url = _context.settings().sqlalchemy_url
        if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
            return None
        engine = _context.engine()
        if not inspect(engine).has_table("tac_catalog"):
            return None
        columns = {c["name"] for c in inspect(engine).get_columns("tac_catalog")}
    except (OpenceirError, SQLAlchemyError):
        return None
    wanted = [c for c in _CATALOG_COLUMNS if c in columns]
    if "tac" not in columns or not wanted:
        return None
    query = text(f"SELECT {', '.join(wanted)} FROM tac_catalog WHERE tac = :tac")

    def lookup(tac: str) -> dict[str, Any] | None:
        try:
            with engine.connect() as conn:
                row = conn.execute(query, {"tac": tac}).first()
        except SQLAlchemyError:
            return None
        return {k: v for k, v in zip(wanted, row, strict=True) if v is not None} if row else None

    return lookup


def _as_json(result: dict[str, Any]) -> str:
    def convert(obj: Any) -> Any:
        if hasattr(obj, "as_dict"):
            return obj.as_dict()
        raise TypeError(type(obj).__name__)

    return json.dumps(result, default=convert, ensure_ascii=False, indent=2)


def _print(result: dict[str, Any]) -> None:
    from openceir.cli._context import console

    findings = list(result["findings"])
    imei_failed = [f for f in findings if f.code == "bad_check_digit"]
    written_as_imei = result.get("form") == "IMEI" and not result["valid"]
    if written_as_imei or (imei_failed and result["valid"]):
        first = (imei_failed or findings)[0]
        findings.remove(first)
        console.print(f"[bold red]{result['input']!r} is not a valid IMEI[/]: {first.message}")
    elif not result["candidates"]:
        console.print(f"[bold red]{result['input']!r} is not a valid identifier of any kind[/]")
    for found in findings:
        console.print(f"  {found.severity}: {found.code}: {found.message}")
    for candidate in result["candidates"]:
        table = Table(title=f"{candidate['kind']} {candidate['value']}", show_header=False)
        table.add_column("part", style="bold")
        table.add_column("value")
        for name, value in candidate["parts"].items():
            if isinstance(value, dict):
                value = ", ".join(f"{k}: {v}" for k, v in value.items())
            table.add_row(name.replace("_", " "), str(value))
        console.print(table)
        for found in candidate["findings"]:
            console.print(f"  {found.severity}: {found.code}: {found.message}")
    if len(result["candidates"]) > 1:
        kinds = ", ".join(c["kind"] for c in result["candidates"])
        console.print(f"Ambiguous: could be {kinds}")


def register(app: typer.Typer) -> None:
    """Add the `identify` command to the root app."""

    @app.command("identify", help=EXAMPLE)
    def identify(
        value: str = typer.Argument(..., help="The identifier as written, e.g. 490154203237518."),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
        country_code: str | None = typer.Option(
            None, "--country-code", help="Country calling code for national MSISDNs, e.g. 44."
        ),
    ) -> None:
        from openceir.identifiers import detect

        result = detect.describe(value, country_code=country_code, tac_lookup=_tac_lookup())
        if as_json:
            typer.echo(_as_json(result))
        else:
            _print(result)
        if not result["valid"]:
            raise typer.Exit(1)
