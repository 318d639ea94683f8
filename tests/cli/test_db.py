"""`openceir db`, `operators` and `demo` through the real command line."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import write_config


def test_demo_then_db_status_and_operators(cli, tmp_path: Path) -> None:
    demo = cli("demo", "--data-dir", "demo")
    assert demo.returncode == 0, demo.stderr
    assert "3 operators" in demo.stdout
    env = {"OPENCEIR_DATA_DIR": str(tmp_path / "demo")}
    status = cli("db", "status", env=env)
    assert status.returncode == 0 and "up to date" in status.stdout
    ops = cli("operators", "list", "--json", env=env)
    assert '"id": "gamma"' in ops.stdout and '"63904"' in ops.stdout


def test_db_status_on_empty_store_says_behind(cli, tmp_path: Path) -> None:
    result = cli("db", "status", env={"OPENCEIR_DATA_DIR": str(tmp_path / "empty")})
    assert result.returncode == 1
    assert "run: openceir db upgrade" in result.stdout


def test_db_upgrade_syncs_operators(cli, tmp_path: Path) -> None:
    write_config(tmp_path, "one")
    first = cli("db", "upgrade")
    assert first.returncode == 0 and "1 added" in first.stdout
    again = cli("db", "upgrade")
    assert "up to date" in again.stdout and "0 added" in again.stdout


def test_unreachable_database_is_one_clear_line(cli) -> None:
    result = cli("db", "status", env={"OPENCEIR_DATABASE_URL": "postgresql://x@127.0.0.1:1/none"})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: cannot reach the database")
    assert "Traceback" not in result.stderr


def test_bad_config_is_one_clear_line(cli, tmp_path: Path) -> None:
    (tmp_path / "openceir.toml").write_text("[[operators]]\nid = 'Bad Id'\nname='x'\n")
    result = cli("operators", "list")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ") and "operators.0.id" in result.stderr


def test_unknown_command_is_usage_error(cli) -> None:
    result = cli("frobnicate")
    assert result.returncode == 2 and "No such command" in result.stderr
