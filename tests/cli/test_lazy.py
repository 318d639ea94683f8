"""The root command loads command modules lazily; its summaries must equal the commands' own."""

from __future__ import annotations

import subprocess
import sys

import pytest

from openceir.cli.main import COMMANDS, load_command


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_summary_is_the_commands_own_first_line(name: str) -> None:
    command = load_command(name)
    assert command.name == name
    assert command.get_short_help_str(limit=1000) == COMMANDS[name][2]


def test_help_imports_no_command_module() -> None:
    code = (
        "import sys; from openceir.cli.main import run\n"
        "try:\n    run(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('duckdb', 'ibis', 'pandas', 'sqlalchemy', 'pydantic',"
        " 'openceir.cli.classify') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Commands:" in out.stdout
    assert "HEAVY []" in out.stdout, out.stdout


def test_unknown_command_is_a_usage_error() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "openceir", "no-such-command"], capture_output=True, text=True
    )
    assert out.returncode == 2
    assert "No such command" in out.stderr
