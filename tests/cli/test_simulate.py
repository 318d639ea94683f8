"""`openceir simulate` through the real command line."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.helpers import write_config


def test_simulate_writes_dumps_and_prints_a_summary(cli, tmp_path: Path) -> None:
    result = cli(
        "simulate", "--subscribers", "500", "--days", "2", "--start", "2026-11-01",
        "--seed", "5", "--out", "incoming", "--rate", "clone=0.02",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "operator_dump" in result.stdout and "truth/clones" in result.stdout
    assert "alpha, beta, gamma" in result.stdout
    dump = tmp_path / "incoming" / "operators" / "alpha" / "alpha_20261102_20261102.csv"
    with dump.open() as fh:
        rows = list(csv.DictReader(fh))
    assert rows and {r["date"] for r in rows} == {"20261102"}
    clones = (tmp_path / "incoming" / "truth" / "clones.csv").read_text().splitlines()
    assert len(clones) > 1


def test_simulate_defaults_to_the_data_dir_and_configured_operators(cli, tmp_path: Path) -> None:
    write_config(tmp_path, "one", "two")
    result = cli("simulate", "--subscribers", "200", "--days", "1", "--operators", "two")
    assert result.returncode == 0, result.stderr
    incoming = tmp_path / "ceir-data" / "incoming"
    assert [p.name for p in (incoming / "operators").iterdir()] == ["two"]
    assert not (incoming / "openceir.toml").exists()


def test_simulate_help_shows_an_example(cli) -> None:
    result = cli("simulate", "--help")
    assert result.returncode == 0
    assert "Example: openceir simulate --subscribers 100000" in result.stdout


def test_bad_start_date_is_one_clear_line(cli) -> None:
    result = cli("simulate", "--start", "2026-13-01", "--subscribers", "10")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Error: field --start: '2026-13-01' is not a date, expected YYYY-MM-DD"
    )


def test_unknown_rate_and_unknown_operator_are_errors_not_tracebacks(cli, tmp_path: Path) -> None:
    bad_rate = cli("simulate", "--rate", "clones=0.1")
    assert bad_rate.returncode == 1 and "NAME=VALUE" in bad_rate.stderr
    write_config(tmp_path, "one")
    unknown = cli("simulate", "--operators", "two", "--subscribers", "10", "--days", "1")
    assert unknown.returncode == 1 and "'two' is not configured" in unknown.stderr
    assert "Traceback" not in bad_rate.stderr + unknown.stderr


def test_a_count_of_made_up_operators_comes_with_their_config(cli, tmp_path: Path) -> None:
    result = cli("simulate", "--subscribers", "100", "--days", "1", "--operators", "4")
    assert result.returncode == 0, result.stderr
    config = (tmp_path / "ceir-data" / "incoming" / "openceir.toml").read_text()
    assert 'id = "delta"' in config and "63904" in config
    assert "No operators configured" in result.stdout
