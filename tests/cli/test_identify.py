"""`openceir identify` run as a user would: kinds, parts, findings, exit codes, JSON, TAC hook."""

from __future__ import annotations

import json
import sqlite3


def test_identify_names_imei_parts(cli) -> None:
    done = cli("identify", "IMEI 49-015420-323751-8")
    assert done.returncode == 0, done.stderr
    assert "IMEI 490154203237518" in done.stdout
    assert "49015420" in done.stdout
    assert "Traceback" not in done.stderr


def test_identify_bad_check_digit_exits_1_with_finding(cli) -> None:
    done = cli("identify", "490154203237519")
    assert done.returncode == 1
    assert "bad_check_digit" in done.stdout
    assert "not a valid identifier" in done.stdout
    assert "Traceback" not in done.stderr


def test_identify_json_lists_ambiguous_candidates(cli) -> None:
    done = cli("identify", "35686800004141", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert [c["kind"] for c in result["candidates"]] == ["IMEI", "MEID"]
    assert result["candidates"][0]["parts"]["check_digit"] == "8"


def test_identify_msisdn_with_country_code(cli) -> None:
    done = cli("identify", "07400 123456", "--country-code", "44", "--json")
    assert done.returncode == 0, done.stderr
    kinds = {c["kind"]: c["value"] for c in json.loads(done.stdout)["candidates"]}
    assert kinds["MSISDN"] == "447400123456"


def test_identify_help_shows_an_example(cli) -> None:
    done = cli("identify", "--help")
    assert done.returncode == 0
    assert "openceir identify 490154203237518" in done.stdout


def test_identify_reads_the_tac_catalog_when_the_store_has_one(cli, tmp_path) -> None:
    db = tmp_path / "store.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE tac_catalog (tac TEXT, manufacturer TEXT, model TEXT)")
        conn.execute("INSERT INTO tac_catalog VALUES ('49015420', 'Acme', 'Rocket 3')")
    done = cli(
        "identify", "490154203237518", "--json", env={"OPENCEIR_DATABASE_URL": f"sqlite:///{db}"}
    )
    assert done.returncode == 0, done.stderr
    device = json.loads(done.stdout)["candidates"][0]["parts"]["device"]
    assert device == {"manufacturer": "Acme", "model": "Rocket 3"}


def test_identify_mistyped_grouped_imei_says_not_a_valid_imei_first_and_exits_1(cli) -> None:
    done = cli("identify", "35-209900-176148-2")
    assert done.returncode == 1
    lines = done.stdout.strip().splitlines()
    assert "not a valid IMEI" in lines[0]
    assert "bad check digit 2, expected 1" in lines[0]
    assert "IMSI" not in done.stdout
    assert "Traceback" not in done.stderr


def test_identify_bare_digits_failing_as_imei_warn_before_the_imsi_reading(cli) -> None:
    done = cli("identify", "352099001761482")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert "not a valid IMEI" in lines[0]
    assert "expected 1" in lines[0]
    assert "IMSI 352099001761482" in done.stdout
