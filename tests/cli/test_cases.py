"""`openceir cases` and `openceir notify` through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

IMEI = "490154203237518"


def test_bulk_file_list_show_recover_and_notify(cli, tmp_path: Path) -> None:
    env = {"OPENCEIR_DATA_DIR": str(tmp_path / "data")}
    assert cli("db", "upgrade", env=env).returncode == 0
    bulk = tmp_path / "station7.csv"
    bulk.write_text(f"imei,msisdn\n{IMEI},254711000001\n490154203237519,254711000002\n")
    filed = cli("cases", "import-bulk", str(bulk), "--station", "central", "--json", env=env)
    assert filed.returncode == 1  # one row refused
    rows = json.loads(filed.stdout.splitlines()[0])
    assert rows[0]["request_id"].startswith("RQ-") and rows[1]["error"].startswith(
        "station7.csv line 3 field imei"
    )
    rid = rows[0]["request_id"]
    listed = json.loads(cli("cases", "list", "--station", "central", "--json", env=env).stdout)
    assert [(c["request_id"], c["status"], c["blocked"]) for c in listed] == [(rid, "open", True)]
    recovered = cli("cases", "recover", rid, "--unblock", env=env)
    assert recovered.returncode == 0 and recovered.stdout.strip() == f"{rid}: recovered"
    shown = json.loads(cli("cases", "show", rid, "--json", env=env).stdout)
    assert [h["action"] for h in shown["history"]] == ["filed", "recover"]
    assert "1 messages" not in cli("notify", "list", env=env).stdout
    sent = cli("notify", "flush", env=env)
    assert sent.returncode == 0 and sent.stdout.strip() == "sent 2, to retry 0, failed 0"


def test_unknown_case_and_missing_reason_are_one_line_errors(cli, tmp_path: Path) -> None:
    env = {"OPENCEIR_DATA_DIR": str(tmp_path / "data")}
    cli("db", "upgrade", env=env)
    result = cli("cases", "show", "RQ-2222-2222", env=env)
    assert result.returncode == 1
    assert result.stderr.strip() == "Error: no case RQ-2222-2222"
    bad = cli("cases", "show", "nonsense", env=env)
    assert bad.stderr.strip().startswith("Error: field request_id: 'nonsense' is not a request ID")
    assert "Traceback" not in bad.stderr
