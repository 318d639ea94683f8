"""`openceir classify` and `openceir explain` through the real command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from openceir.errors import ConfigError, InputError
from openceir.settings import load_settings
from openceir.store.migrate import upgrade
from openceir.store.session import connect
from tests.helpers import invoke, write_config

DUMP = """date,imei,imsi,msisdn,rat
20261110,356868000041414,639010000000001,254700000001,006
20261110,356868000041414,639010000000002,254700000002,006
20261111,356868000041414,639010000000003,254700000003,006
20261110,356868000041422,639010000000004,254700000004,006
"""
RULES = """
conditions:
  - label: dup
    reason: The same phone identity is used by several SIM cards at once.
    grace_period_days: 30
    max_allowed_matching_ratio: 0.6
    dimensions: [{duplicate_threshold: {threshold: 3}}]
"""


@pytest.fixture
def workdir(cli_home: Path) -> Path:
    """A folder with a config, a rule file, a dump and an upgraded store."""
    write_config(cli_home, "alpha")
    (cli_home / "openceir.yaml").write_text(RULES)
    (cli_home / "alpha_20261110_20261111.csv").write_text(DUMP)
    upgrade(connect(load_settings().sqlalchemy_url))
    return cli_home


def test_classify_then_explain_in_words(cli, workdir: Path) -> None:
    imported = invoke("import", "operator", "alpha", "alpha_20261110_20261111.csv")
    assert imported.exit_code == 0, imported.output
    ran = invoke("classify", "--date", "2026-11-28")
    assert ran.exit_code == 0, ran.output
    assert "classification run 1 for 2026-11-28" in ran.output
    assert "dup" in ran.output
    said = cli("explain", "356868000041414")
    assert said.returncode == 0, said.stderr
    assert "dup: The same phone identity is used by several SIM cards at once." in said.stdout
    assert "Met since 2026-11-28." in said.stdout
    assert "2026-12-28" in said.stdout  # the block date: first match + 30 days
    assert "distinct SIM cards (IMSIs): 3" in said.stdout


def test_errors_are_one_line(cli, workdir: Path) -> None:
    unknown = cli("explain", "356868000041422")
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == (
        "Error: IMEI 35686800004142 has never met a classification condition"
    )

    bad_date = invoke("classify", "--date", "28/11/2026")
    assert isinstance(bad_date.exception, InputError)
    assert "field --date" in str(bad_date.exception)
    (workdir / "openceir.yaml").write_text(
        "conditions:\n  - {label: x, reason: r, dimensions: [nope]}\n"
    )
    bad_rules = invoke("classify", "--date", "2026-11-28")
    assert isinstance(bad_rules.exception, ConfigError)
    assert "unknown dimension 'nope'" in str(bad_rules.exception)
