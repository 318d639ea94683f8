"""`openceir keys init`, `openceir lists generate|verify` through the real command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from openceir.settings import load_settings
from openceir.store.migrate import upgrade
from openceir.store.session import connect
from tests.helpers import OPERATORS, invoke, write_config

DUMP = """date,imei,imsi,msisdn,rat
20261110,356868000041414,639010000000001,254700000001,006
20261110,356868000041414,639020000000002,254710000002,006
20261111,356868000041414,234100000000003,447000000003,006
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
    """A folder with a config, rules, an imported dump, a classification and a key."""
    write_config(cli_home, "alpha", OPERATORS["beta"].model_copy(update={"mcc_mnc": ["63902"]}))
    (cli_home / "openceir.yaml").write_text(RULES)
    (cli_home / "alpha_20261110_20261111.csv").write_text(DUMP)
    upgrade(connect(load_settings().sqlalchemy_url))
    assert (
        invoke(
            "import",
            "operator",
            "alpha",
            "alpha_20261110_20261111.csv",
            "--disable-foreign-imsi",
            "--disable-off-network-imsi",
        ).exit_code
        == 0
    )
    assert invoke("classify", "--date", "2026-11-28").exit_code == 0
    return cli_home


def _lists_root() -> Path:
    return load_settings().data_dir / "lists"


def test_generate_without_a_key_says_to_create_one(workdir: Path) -> None:
    out = invoke("lists", "generate", "--date", "2026-11-28", "--no-snapshot")
    assert out.exit_code == 1
    assert "openceir keys init" in str(out.exception)


def test_generate_notifies_each_operator_then_blacklists_and_verifies(workdir: Path) -> None:
    assert invoke("keys", "init").exit_code == 0
    first = invoke("lists", "generate", "--date", "2026-11-28")
    assert first.exit_code == 0, first.output
    run1 = sorted(_lists_root().iterdir())[0]
    alpha = (run1 / "notifications_alpha.csv").read_text().splitlines()
    beta = (run1 / "notifications_beta.csv").read_text().splitlines()
    assert alpha[0] == "imei,imsi,msisdn,block_date,reasons"
    assert [line.split(",")[1] for line in alpha[1:]] == ["234100000000003", "639010000000001"]
    assert [line.split(",")[1] for line in beta[1:]] == ["639020000000002"]
    assert alpha[1].split(",")[3] == "2026-12-28"
    assert (run1 / "blacklist.csv").read_text().splitlines() == ["imei,block_date,reasons"]

    import os

    os.rename(run1, run1.with_name("20261128T000000Z"))  # two runs in one second: distinct ids
    second = invoke("lists", "generate", "--date", "2026-12-29", "--no-snapshot")
    assert second.exit_code == 0, second.output
    run2 = sorted(_lists_root().iterdir())[-1]
    delta = (run2 / "blacklist_delta.csv").read_text().splitlines()
    assert delta[1].startswith("35686800004141,2026-12-28,")
    assert delta[1].endswith(",blocked")
    verified = invoke("lists", "verify", str(run2))
    assert verified.exit_code == 0, verified.output
    assert "OK" in verified.output
    (run2 / "exceptions_beta.csv").write_text("imei,imsi\n1,2\n")
    tampered = invoke("lists", "verify", str(run2))
    assert tampered.exit_code == 1
    assert "SHA-256" in str(tampered.exception)
