"""`openceir eir`: snapshot build, check, audit, and the real servers started from the CLI."""

from __future__ import annotations

import json
import os
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.eir.servers import free_port
from tests.helpers import config_toml

STOLEN = "356938035643809"
PAIRED = "356938035643817"
IMSI = "639011234567890"
CONFIG = config_toml("alpha")


@pytest.fixture
def lists(tmp_path: Path) -> Path:
    """List files in the architecture §5 layouts, plus a config naming operator alpha."""
    (tmp_path / "openceir.toml").write_text(CONFIG)
    (tmp_path / "blacklist.csv").write_text(
        f"imei,block_date,reasons\n{STOLEN},20200101,stolen\n"
        f"{PAIRED},2020-01-01,duplicate|not registered\n"
    )
    (tmp_path / "exceptions.csv").write_text(f"imei,imsi\n{PAIRED},{IMSI}\n")
    (tmp_path / "tacs.csv").write_text("tac\n86000000\n")
    return tmp_path


def _build(call, *extra: str):
    return call(
        "eir",
        "snapshot",
        "build",
        "--blocked",
        "blacklist.csv",
        "--exceptions",
        "exceptions.csv",
        "--barred-tacs",
        "tacs.csv",
        "--run-id",
        "r1",
        *extra,
    )


def test_snapshot_build_then_check_prints_status_and_reasons(run, lists: Path) -> None:
    built = _build(run)
    assert built.returncode == 0, built.stderr
    assert "Snapshot r1 is current" in built.stdout and "blocked 2" in built.stdout
    assert (lists / "ceir-data" / "eir" / "current").read_text().strip() == "r1"
    out = run("eir", "check", f"imei-{STOLEN}")
    assert out.returncode == 0
    assert out.stdout.split("\t")[:2] == ["BLACKLISTED", "stolen"]
    paired = run("eir", "check", PAIRED, "--imsi", IMSI, "--json")
    assert json.loads(paired.stdout)["status"] == "WHITELISTED"
    barred = run("eir", "check", "860000001234560", "--json")
    assert json.loads(barred.stdout)["reasons"] == ["barred TAC"]
    info = run("eir", "snapshot", "info")
    assert "run r1" in info.stdout and "exceptions: 1" in info.stdout


def test_check_errors_are_one_line(run, lists: Path) -> None:
    missing = run("eir", "check", f"imei-{STOLEN}")
    assert missing.returncode == 1
    assert missing.stderr.startswith("Error: no EIR snapshot") and "Traceback" not in (
        missing.stderr
    )
    _build(run)
    bad = run("eir", "check", "imei-12")
    assert (bad.returncode, bad.stderr.strip()) == (
        1,
        "Error: field pei: 'imei-12' is not imei- with 15 digits",
    )


def test_snapshot_build_names_the_bad_line(run, lists: Path) -> None:
    (lists / "bad.csv").write_text("imei,block_date\n356938035643809,20200101\n12AB,20200101\n")
    out = run("eir", "snapshot", "build", "--blocked", "bad.csv")
    assert out.returncode == 1
    assert out.stderr.strip() == "Error: bad.csv line 3 field imei: '12AB' is not 14 to 16 digits"


def test_audit_reports_differences_and_exits_1(run, lists: Path) -> None:
    _build(run)
    (lists / "export.csv").write_text(f"imei\n{STOLEN}\n490154203237518\n")
    out = run("eir", "audit", "alpha", "export.csv", "--out", "diff.csv", "--json")
    assert out.returncode == 1
    summary = json.loads(out.stdout)
    assert (summary["missing"], summary["extra"], summary["in_sync"]) == (1, 1, False)
    assert (lists / "diff.csv").read_text().splitlines() == [
        "imei_key,difference",
        "35693803564381,missing",
        "49015420323751,extra",
    ]
    unknown = run("eir", "audit", "zeta", "export.csv")
    assert unknown.returncode == 1 and "operator 'zeta' is not configured" in unknown.stderr


def _wait_port(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(proc.stderr.read() if proc.stderr else "server exited")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("server did not listen")


def _spawn(lists: Path, *args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENCEIR_")}
    return subprocess.Popen(
        [sys.executable, "-m", "openceir", "eir", *args],
        cwd=lists,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_serve_answers_http1_and_h2c_with_two_workers(cli, lists: Path) -> None:
    _build(cli)
    port = free_port()
    proc = _spawn(lists, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2")
    try:
        _wait_port(port, proc)
        url = f"http://127.0.0.1:{port}/n5g-eir-eic/v1/equipment-status"
        for http2 in (False, True):
            with httpx.Client(http1=not http2, http2=http2, timeout=30) as client:
                r = client.get(url, params={"pei": f"imei-{STOLEN}"})
                assert (r.status_code, r.json()) == (200, {"status": "BLACKLISTED"})
                assert r.http_version == ("HTTP/2" if http2 else "HTTP/1.1")
    finally:
        proc.terminate()
        proc.wait(30)


def test_serve_without_snapshot_fails_with_one_line(run, lists: Path) -> None:
    out = run("eir", "serve", "--bind", f"127.0.0.1:{free_port()}")
    assert out.returncode == 1 and out.stderr.startswith("Error: no EIR snapshot")


def test_s13_command_answers_capability_exchange(cli, lists: Path) -> None:
    _build(cli)
    port = free_port()
    proc = _spawn(lists, "s13", "--bind", f"127.0.0.1:{port}", "--origin-host", "eir.test")
    try:
        _wait_port(port, proc)
        from diameter.message import Message
        from diameter.message.commands.capabilities_exchange import (
            CapabilitiesExchangeRequest,
        )

        cer = CapabilitiesExchangeRequest()
        cer.origin_host, cer.origin_realm = b"mme.test", b"test"
        cer.host_ip_address, cer.vendor_id, cer.product_name = ["127.0.0.1"], 10415, "t"
        cer.auth_application_id = [16777252]
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(cer.as_bytes())
            head = sock.recv(20, socket.MSG_WAITALL)
            length = struct.unpack("!I", head[:4])[0] & 0xFFFFFF
            cea = Message.from_bytes(head + sock.recv(length - 20, socket.MSG_WAITALL))
        assert (cea.result_code, cea.origin_host) == (2001, b"eir.test")
    finally:
        proc.terminate()
        proc.wait(30)
    assert proc.returncode == 0
