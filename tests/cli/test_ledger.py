"""`openceir ledger` through the real command line: init, participants, append, prove, verify.

Most calls run the real entry point in-process (`main.run`, the same error handling as the
installed command) because a subprocess costs ~2 s of imports; one test runs the real
subprocess end to end.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from openceir.ledger.events import verify_inclusion_bundle
from openceir.settings import Settings
from openceir.tlog import note
from openceir.web import create_app

IMEI = "352099001761481"
OTHER = "490154203237518"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"OPENCEIR_DATA_DIR": str(tmp_path / "data")}


@pytest.fixture
def run(run, env, monkeypatch):
    """The shared in-process `run`, with this module's data dir in the environment."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return run


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


def test_tampered_imei_index_fails_verify_and_prove(run, env, tmp_path: Path) -> None:
    cli = run
    cli("ledger", "init", "--origin", "ceir.testland.example/log", env=env)
    cli("ledger", "participant", "add", "police.testland", "--role", "police",
        "--key-out", "police.skey", env=env)  # fmt: skip
    (tmp_path / "stolen.jsonl").write_text(
        json.dumps({"type": "reported_stolen", "imeis": [IMEI], "case": "PS-42"}) + "\n"
        + json.dumps({"type": "reported_stolen", "imeis": [OTHER], "case": "PS-43"}) + "\n"
    )  # fmt: skip
    assert cli("ledger", "append", "stolen.jsonl", "--key", "police.skey", env=env).returncode == 0
    tsv = tmp_path / "data/ledger/index/imei.tsv"
    tsv.write_text(tsv.read_text().replace(f"{IMEI}\t0", f"{IMEI}\t1"))  # flip an index number
    bad = cli("ledger", "verify", env=env)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert bad.stderr.strip().startswith("Error: index/imei.tsv: ")
    prove = cli("ledger", "prove", "--imei", IMEI, env=env)
    assert prove.returncode == 1 and prove.stdout == ""
    assert f"entry 1 is not about IMEI {IMEI}" in prove.stderr


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
                    ["prove"], ["verify"], ["peer", "add"], ["follow"], ["witness", "init"],
                    ["publish"]):  # fmt: skip
        result = cli("ledger", *command, "--help")
        assert result.returncode == 0
        assert "Example: openceir ledger " + command[0] in result.stdout, command


@contextlib.contextmanager
def serve(data_dir: Path) -> Iterator[str]:
    """The real app for a data dir, served by uvicorn on a free loopback port."""
    app = create_app(Settings(data_dir=data_dir))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)


def test_two_ceirs_witness_and_follow_each_other(run, tmp_path: Path, monkeypatch) -> None:
    a = {"OPENCEIR_DATA_DIR": str(tmp_path / "a")}
    b = {"OPENCEIR_DATA_DIR": str(tmp_path / "b")}
    a_key = run("ledger", "init", "--origin", "ceir.alphaland.example/log", env=a)
    a_vkey = a_key.stdout.splitlines()[-1].split(": ", 1)[1]
    run("ledger", "participant", "add", "police.alphaland", "--role", "police",
        "--key-out", "police.skey", env=a)  # fmt: skip
    event = {"type": "reported_stolen", "imeis": [IMEI], "case": "A-1"}
    assert run("ledger", "append", json.dumps(event), "--key", "police.skey", env=a).returncode == 0
    assert run("ledger", "init", "--origin", "ceir.betaland.example/log", env=b).returncode == 0
    w = run("ledger", "witness", "init", "ceir.betaland.example/witness", "--log", a_vkey, env=b)
    assert w.returncode == 0, w.stderr
    w_vkey = w.stdout.strip().split(": ", 1)[1]
    monkeypatch.delenv("OPENCEIR_DATA_DIR")  # the environment would override the apps' data dirs
    with serve(tmp_path / "b") as b_url, serve(tmp_path / "a") as a_url:
        spec = f"{b_url}/ledger/witness/add-checkpoint={w_vkey}"
        pub = run("ledger", "publish", "--witness", spec, "--quorum", "1", env=a)
        assert pub.returncode == 0, pub.stderr
        assert pub.stdout.strip() == "Published with 1 cosignatures: ceir.betaland.example/witness"
        added = run(
            "ledger", "peer", "add", "alphaland", f"{a_url}/ledger/", "--vkey", a_vkey, env=b
        )
        assert added.returncode == 0, added.stderr
        assert run("db", "upgrade", env=b).returncode == 0
        followed = run("ledger", "follow", "alphaland", env=b)
        assert followed.returncode == 0, followed.stderr
        lines = followed.stdout.strip().splitlines()
        assert lines[0] == "Peer alphaland verified at size 1: 1 new entries, 1 events imported"
        assert lines[1].startswith("Stolen list:") and "no change" not in lines[1]
        too_many = run("ledger", "publish", "--witness", spec, "--quorum", "2", env=a)
        assert too_many.returncode == 1
        assert "only 1 of the 2 witness cosignatures needed" in too_many.stderr
    unknown = run("ledger", "follow", "nobody", env=b)
    assert unknown.returncode == 1 and "peer 'nobody' is not registered" in unknown.stderr
