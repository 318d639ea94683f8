"""`openceir registry` and `openceir kym` through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

IMEI = "352099001761481"


def test_register_devices_then_ask_kym_and_verify_the_receipt(cli, tmp_path: Path) -> None:
    env = {"OPENCEIR_DATA_DIR": str(tmp_path / "data")}

    def ok(*args: str) -> str:
        result = cli(*args, env=env)
        assert result.returncode == 0, (args, result.stderr)
        return result.stdout

    ok("db", "upgrade")
    ok("keys", "init")
    (tmp_path / "tac.csv").write_text("tac,manufacturer,model,brand\n35209900,Acme,A1,Acme\n")
    ok("import", "tac", "tac.csv")
    ok("registry", "approval", "add", "35209900", "--body", "Testland CA", "--certificate",
       "TA-1", "--brand", "Acme", "--model", "A1", "--sim-slots", "2")  # fmt: skip
    assert ok("registry", "request", "create", "--role", "importer", "--applicant", "Imp",
              "--make", "Acme", "--model", "A1").strip() == "Request 1 (new)"  # fmt: skip
    (tmp_path / "up.csv").write_text(f"imei\n{IMEI}\n352099001761498\n")
    out = ok("registry", "request", "upload", "1", "up.csv")
    assert "2 IMEIs" in out and "bad_check_digit: 1" in out
    ok("registry", "request", "move", "1", "assign", "--assignee", "rev")
    assert ok("registry", "request", "decide", "1", "approved").strip() == "1 IMEIs approved"
    ok("registry", "request", "decide", "1", "rejected", "--reason", "bad check digit")
    assert "1 IMEIs added" in ok("registry", "request", "finish", "1", "approved")
    answer = json.loads(ok("kym", IMEI, "--json", "--receipt", "r.json"))
    assert (answer["registered"], answer["brand"], answer["status"]) == (True, "Acme", "allowed")
    assert ok("kym", IMEI, "--sms").strip() == (
        f"KYM {IMEI}: Acme A1. type-approved, registered. Network: allowed."
    )
    verified = ok("kym", "verify-receipt", "r.json", "--vkey", "data/keys/ceir.vkey")
    assert verified.startswith("OK: receipt signed by ceir at ")
    receipt = json.loads((tmp_path / "r.json").read_text())
    receipt["note"] = receipt["note"].replace('"registered":true', '"registered":false')
    (tmp_path / "forged.json").write_text(json.dumps(receipt))
    bad = cli("kym", "verify-receipt", "forged.json", env=env)
    assert bad.returncode == 1 and bad.stderr.startswith("Error: receipt signature does not")
    assert "Traceback" not in bad.stderr
    wrong = cli("registry", "request", "finish", "1", "approved", env=env)
    assert wrong.returncode == 1
    assert wrong.stderr.strip() == (
        "Error: field action: a request in state approved cannot approve; it can: nothing (final)"
    )
    bulk = ok("kym", "bulk", "up.csv")
    assert bulk.splitlines()[1] == f"{IMEI},yes,yes,yes,no,no,allowed,"
