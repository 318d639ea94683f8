"""`openceir ledger` through the real command line: init, participants, append, prove, verify.

Most calls run the real entry point in-process (`main.run`, the same error handling as the
installed command) because a subprocess costs ~2 s of imports; one test runs the real
subprocess end to end.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from openceir.cli import _context, main
from openceir.ledger import note
from openceir.ledger.events import verify_inclusion_bundle

IMEI = "352099001761481"
OTHER = "490154203237518"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"OPENCEIR_DATA_DIR": str(tmp_path / "data")}


@pytest.fixture
def run(tmp_path: Path, env, monkeypatch, capsys):
    """Call `openceir ARGS` in-process in tmp_path; returns returncode, stdout, stderr."""
    monkeypatch.chdir(tmp_path)
    for name in ("OPENCEIR_CONFIG", "OPENCEIR_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    def call(*args: str, env: dict[str, str] | None = None) -> SimpleNamespace:
        _context.reset()
        capsys.readouterr()
        code = 0
        try:
            main.run(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err)

    yield call
    _context.reset()


def test_init_participants_append_prove_and_verify(run, env, tmp_path: Path) -> None:
    cli = run
    init = cli("ledger", "init", "--origin", "ceir.testland.example/log", env=env)
    assert init.returncode == 0, init.stderr
    vkey_line = init.stdout.splitlines()[-1]
    assert vkey_line.startswith("Log public key (publish it): ceir.testland.example/log+")
    add = cli("ledger", "participant", "add", "police.testland", "--role", "police",
              "--key-out", "police.skey", env=env)  # fmt: skip
    assert add.returncode == 0, add.stderr
    assert "Participant police.testland (police): police.testland+" in add.stdout
    (tmp_path / "stolen.jsonl").write_text(
        json.dumps({"type": "reported_stolen", "imeis": [IMEI], "case": "PS-42"}) + "\n"
        + json.dumps({"type": "reported_stolen", "imeis": [OTHER], "case": "PS-43"}) + "\n"
    )  # fmt: skip
    append = cli("ledger", "append", "stolen.jsonl", "--key", "police.skey", env=env)
    assert append.returncode == 0, append.stderr
    assert append.stdout.strip() == "Appended 2 events: entries 0..1"
    cp = cli("ledger", "checkpoint", env=env)
    assert cp.stdout.splitlines()[:2] == ["ceir.testland.example/log", "2"]
    prove = cli("ledger", "prove", "--imei", OTHER, env=env)
    assert prove.returncode == 0, prove.stderr
    bundle = json.loads(prove.stdout)
    log_key = note.parse_vkey(vkey_line.split(": ", 1)[1])
    assert bundle["index"] == 1
    assert verify_inclusion_bundle(bundle, log_key)["case"] == "PS-43"
    ok = cli("ledger", "verify", env=env)
    assert ok.returncode == 0 and ok.stdout.strip() == (
        "OK: ceir.testland.example/log has 2 entries, all verified"
    )
    bundle_file = tmp_path / "data/ledger/tile/entries/000.p/2"
    bundle_file.write_bytes(bundle_file.read_bytes().replace(b"PS-43", b"PS-44"))
    bad = cli("ledger", "verify", env=env)
    assert bad.returncode == 1
    assert bad.stderr.strip().startswith("Error: tile/entries/000.p/2 entry 1 (log index 1)")
    assert "Traceback" not in bad.stderr


def test_append_reports_the_bad_line_and_field_and_appends_nothing(run, env, tmp_path) -> None:
    cli = run
    assert cli("ledger", "init", env=env).returncode == 0
    cli("ledger", "participant", "add", "police.testland", "--role", "police",
        "--key-out", "police.skey", env=env)  # fmt: skip
    (tmp_path / "bad.jsonl").write_text(
        json.dumps({"type": "reported_stolen", "imeis": [IMEI], "case": "PS-1"}) + "\n"
        + json.dumps({"type": "reported_stolen", "imeis": [IMEI], "case": "PS-2",
                      "msisdn": "254700000001"}) + "\n"
    )  # fmt: skip
    result = cli("ledger", "append", "bad.jsonl", "--key", "police.skey", env=env)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Error: bad.jsonl line 2 field msisdn: personal data is not allowed on the ledger"
    )
    blocked = cli("ledger", "append", json.dumps({"type": "blocked", "imeis": [IMEI],
                  "reason": "stolen"}), "--key", "police.skey", env=env)  # fmt: skip
    assert blocked.returncode == 1
    assert "may not append blocked events" in blocked.stderr
    cp = cli("ledger", "checkpoint", env=env)
    assert cp.stdout.splitlines()[1] == "0"
    assert "ceir.examplestan.example/log" in cp.stdout  # the default origin from the region


def test_real_command_exits_1_with_one_line_naming_the_fix(cli, env) -> None:
    result: subprocess.CompletedProcess[str] = cli("ledger", "checkpoint", env=env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: no ledger in ")
    assert lines[0].endswith("run `openceir ledger init` first")


def test_every_ledger_command_help_shows_an_example(run) -> None:
    cli = run
    for command in (["init"], ["participant", "add"], ["append"], ["checkpoint"],
                    ["prove"], ["verify"]):  # fmt: skip
        result = cli("ledger", *command, "--help")
        assert result.returncode == 0
        assert "Example: openceir ledger " + command[0] in result.stdout, command
