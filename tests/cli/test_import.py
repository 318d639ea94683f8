"""`openceir import` and `openceir lake` through the real command line.

A few calls run `python -m openceir` in a subprocess (exit codes and the one-line error as a
user sees them); the rest invoke the same Typer app in-process, which is much faster.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from openceir.cli.main import app
from openceir.errors import InputError
from openceir.settings import load_settings
from openceir.store.migrate import upgrade
from openceir.store.session import connect, dispose_all

DATA = Path(__file__).resolve().parents[1] / "data" / "ingest"
CONFIG = """
[region]
country_mcc = ["639"]
[[operators]]
id = "alpha"
name = "Alpha Mobile"
mcc_mnc = ["63901"]
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder with a config, two dumps and an upgraded store; the CLI's settings point at it."""
    (tmp_path / "openceir.toml").write_text(CONFIG)
    for name in ("operator_dump_good.csv", "operator_dump_foreign_imsi.csv"):
        shutil.copyfile(DATA / name, tmp_path / name)
    for key in ("OPENCEIR_CONFIG", "OPENCEIR_DATABASE_URL", "OPENCEIR_DATA_DIR"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    upgrade(connect(load_settings().sqlalchemy_url))
    yield tmp_path
    dispose_all()


def _invoke(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


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
    first = _invoke("import", "operator", "alpha", "operator_dump_good.csv")
    assert first.exit_code == 0, first.output
    again = _invoke("import", "operator", "alpha", "operator_dump_good.csv")
    assert again.exit_code == 0 and "already imported as job 1" in again.output
    failed = _invoke("import", "operator", "alpha", "operator_dump_foreign_imsi.csv")
    assert isinstance(failed.exception, InputError)
    forced = _invoke(
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
    bad = _invoke("import", "operator", "alpha", "operator_dump_good.csv", "--threshold", "x")
    assert "'x': expected NAME=NUMBER" in str(bad.exception)

    status = json.loads(_invoke("lake", "status", "--json").output)
    assert [(p["operator"], p["month"], p["rows"]) for p in status["partitions"]] == [
        ("alpha", "2026-11", 8)
    ]
    jobs = json.loads(_invoke("import", "jobs", "--json").output)
    assert [(j["id"], j["status"]) for j in jobs] == [
        (3, "succeeded"),
        (2, "failed"),
        (1, "succeeded"),
    ]
    assert "foreign_imsi" in jobs[1]["error"]
    table = _invoke("import", "jobs")
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
    result = _invoke(*command, "--help")
    assert result.exit_code == 0
    assert f"Example: openceir {command[0]}" in result.output
