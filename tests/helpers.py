"""What many tests share: the test country's config file and the in-process CLI call.

`config_toml` writes through the project's one TOML writer (`settings.region_toml`), so the
files tests use are files openceir itself would write and read.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner, Result

from openceir.settings import Operator, Region, region_toml

#: The test country's operators, by id; tests pick the ones they need.
OPERATORS = {
    "alpha": Operator(id="alpha", name="Alpha Mobile", mcc_mnc=["63901"]),
    "beta": Operator(id="beta", name="Beta Telecom", mcc_mnc=["63902", "63903"]),
    "gamma": Operator(id="gamma", name="Gamma Wireless", mcc_mnc=["63904"]),
    "one": Operator(id="one", name="One", mcc_mnc=["63901"]),
    "two": Operator(id="two", name="Two", mcc_mnc=["63902"]),
}
REGION = Region(name="Testland", country_mcc=["639"], country_code="254")


def config_toml(*operators: str | Operator, region: Region = REGION) -> str:
    """An `openceir.toml` for the test country with these operators (ids of `OPERATORS`)."""
    chosen = [OPERATORS[op] if isinstance(op, str) else op for op in operators]
    return region_toml(region, chosen, comment="test configuration")


def write_config(folder: Path, *operators: str | Operator, region: Region = REGION) -> Path:
    """Write `folder/openceir.toml` (see `config_toml`); returns its path."""
    path = folder / "openceir.toml"
    path.write_text(config_toml(*operators, region=region), encoding="utf-8")
    return path


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    """Run `openceir ARGS` in-process through the real Typer app (fast; exceptions kept)."""
    from openceir.cli.main import app

    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200", **(env or {})})
