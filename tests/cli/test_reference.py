"""docs/cli.md is the commands' own --help, and every command shows an example."""

from __future__ import annotations

from pathlib import Path

import typer.main

from openceir.cli.main import app
from openceir.cli.reference import _walk, render

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_cli_reference_matches_the_commands() -> None:
    assert DOC.read_text(encoding="utf-8") == render(app), (
        "docs/cli.md is stale: run python -m openceir.cli.reference > docs/cli.md"
    )


def test_every_command_has_an_example() -> None:
    commands = list(_walk(typer.main.get_command(app), ["openceir"]))
    leaves = [(p, c) for p, c in commands if not hasattr(c, "list_commands")]
    assert len(leaves) >= 20
    missing = [" ".join(p) for p, c in leaves if "Example" not in (c.help or "")]
    assert missing == []
