"""`openceir import` and `openceir lake` through the real command line.

A few calls run `python -m openceir` in a subprocess (exit codes and the one-line error as a
user sees them); the rest invoke the same Typer app in-process, which is much faster.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from openceir.errors import InputError
from openceir.settings import load_settings
from openceir.store.migrate import upgrade
from openceir.store.session import connect
from tests.helpers import invoke, write_config

DATA = Path(__file__).resolve().parents[1] / "data" / "ingest"


@pytest.fixture
def workdir(cli_home: Path) -> Path:
    """A folder with a config, two dumps and an upgraded store; the CLI's settings point at it."""
    write_config(cli_home, "alpha")
    for name in ("operator_dump_good.csv", "operator_dump_foreign_imsi.csv"):
        shutil.copyfile(DATA / name, cli_home / name)
    upgrade(connect(load_settings().sqlalchemy_url))
    return cli_home


def test_import_failure_is_one_line_and_success_a_summary(cli, workdir: Path) -> None:
    first = cli("import", "operator", "alpha", "operator_dump_good.csv")
    assert first.returncode == 0, first.stderr
    assert "Imported operator_dump_good.csv for alpha as job 1: 8 rows" in first.stdout
    assert "unclean_imei" in first.stdout and "passed" in first.stdout
    failed = cli("import", "operator", "alpha", "operator_dump_foreign_imsi.csv")
    assert failed.returncode == 1
    lines = failed.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in failed.stderr
    assert lines[0].startswith(
        "Error: operator_dump_foreign_imsi.csv line 3 field imsi: check foreign_imsi failed"
    )


def test_override_reimport_jobs_and_lake_status(workdir: Path) -> None:
    first = invoke("import", "operator", "alpha", "operator_dump_good.csv")
    assert first.exit_code == 0, first.output
    again = invoke("import", "operator", "alpha", "operator_dump_good.csv")
    assert again.exit_code == 0 and "already imported as job 1" in again.output
    failed = invoke("import", "operator", "alpha", "operator_dump_foreign_imsi.csv")
    assert isinstance(failed.exception, InputError)
    forced = invoke(
        "import",
        "operator",
        "alpha",
        "operator_dump_foreign_imsi.csv",
        "--disable-foreign-imsi",
        "--threshold",
        "off_network_imsi=1",
    )
    assert forced.exit_code == 0, forced.output
    assert "disabled" in forced.output
    bad = invoke("import", "operator", "alpha", "operator_dump_good.csv", "--threshold", "x")
    assert "'x': expected NAME=NUMBER" in str(bad.exception)

    status = json.loads(invoke("lake", "status", "--json").output)
    assert [(p["operator"], p["month"], p["rows"]) for p in status["partitions"]] == [
        ("alpha", "2026-11", 8)
    ]
    jobs = json.loads(invoke("import", "jobs", "--json").output)
    assert [(j["id"], j["status"]) for j in jobs] == [
        (3, "succeeded"),
        (2, "failed"),
        (1, "succeeded"),
    ]
    assert "foreign_imsi" in jobs[1]["error"]
    table = invoke("import", "jobs")
    assert "operator_dump_foreign_imsi.csv" in table.output and "failed" in table.output


def test_import_before_db_upgrade_says_so(cli, tmp_path: Path) -> None:
    shutil.copyfile(DATA / "stolen_list_full.csv", tmp_path / "stolen.csv")
    result = cli("import", "stolen", "stolen.csv")
    assert result.returncode == 1
    assert result.stderr.strip().endswith("run: openceir db upgrade")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "command",
    [
        ["import", "operator"],
        ["import", "tac"],
        ["import", "stolen"],
        ["import", "registration"],
        ["import", "pairing"],
        ["import", "exempt"],
        ["import", "barred"],
        ["import", "barred-tac"],
        ["import", "monitoring"],
        ["import", "jobs"],
        ["lake", "status"],
        ["lake", "prune"],
    ],
)
def test_every_command_help_has_an_example(command) -> None:
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert f"Example: openceir {command[0]}" in result.output
