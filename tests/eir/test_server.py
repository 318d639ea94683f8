"""`openceir eir serve` as a real process on 127.0.0.1, under each ASGI server installed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from openceir.eir.n5g import PATH
from openceir.eir.server import build_app, choose_server, granian_available, worker_environ
from openceir.errors import ConfigError
from openceir.settings import load_settings
from tests.eir.conftest import STOLEN, TRACKED, UNLISTED, pei
from tests.eir.servers import free_port

SERVERS = [
    pytest.param(
        "granian",
        marks=pytest.mark.skipif(not granian_available(), reason="granian is not installed"),
    ),
    "hypercorn",
]


def _wait(port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited {proc.returncode}: {proc.stderr.read()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("server did not listen")


@pytest.mark.parametrize("server", SERVERS)
def test_serve_answers_http1_and_h2c_with_two_workers(eir_root: Path, server: str) -> None:
    port = free_port()
    env = dict(os.environ)
    args = ["eir", "serve", "--snapshot", str(eir_root), "--bind", f"127.0.0.1:{port}"]
    args += ["--server", server]
    proc = subprocess.Popen(
        [sys.executable, "-m", "openceir", *args, "--workers", "2", "--no-events"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        _wait(port, proc)
        base = f"http://127.0.0.1:{port}"
        for http2 in (False, True):
            with httpx.Client(http1=not http2, http2=http2, timeout=10) as client:
                for key, status in ((STOLEN, "BLACKLISTED"), (TRACKED, "GREYLISTED")):
                    r = client.get(base + PATH, params={"pei": pei(key)})
                    assert r.http_version == ("HTTP/2" if http2 else "HTTP/1.1")
                    assert (r.status_code, r.json()) == (200, {"status": status})
                    assert r.headers["content-type"] == "application/json"
                r = client.get(base + PATH, params={"pei": f"imeisv-{UNLISTED:014d}01"})
                assert r.json() == {"status": "WHITELISTED"}
                bad = client.get(base + PATH, params={"pei": "imei-12"})
                assert bad.status_code == 400
                assert bad.headers["content-type"] == "application/problem+json"
                assert bad.json()["cause"] == "MANDATORY_IE_INCORRECT"
                text = client.get(base + "/metrics").text
                assert 'openceir_eir_snapshot_info{run_id="run-1"' in text
    finally:
        proc.terminate()
        assert proc.wait(20) is not None


def test_choose_server_refuses_unknown_names() -> None:
    assert choose_server("hypercorn") == "hypercorn"
    assert choose_server() == ("granian" if granian_available() else "hypercorn")
    with pytest.raises(ConfigError, match="unknown: use one of granian, hypercorn"):
        choose_server("uvicorn")


def test_workers_rebuild_the_parents_settings(tmp_path: Path, eir_root: Path, monkeypatch) -> None:
    config = tmp_path / "openceir.toml"
    config.write_text('[eir]\nrestrictive = true\nunknown = "greylisted"\nevents = false\n')
    parent = load_settings({"OPENCEIR_CONFIG": str(config)}, cwd=tmp_path)
    parent = parent.model_copy(
        update={"eir": parent.eir.model_copy(update={"snapshot_dir": eir_root})}
    )
    for name, value in worker_environ(parent).items():
        monkeypatch.setenv(name, value)  # what a spawned worker inherits
    worker = load_settings(cwd=Path("/"))
    assert worker.eir == parent.eir
    assert worker.data_dir == parent.data_dir
    assert build_app(worker).service.policy.unknown == "greylisted"


def test_serve_takes_the_eir_table_of_the_config_file(tmp_path: Path, eir_root: Path) -> None:
    """Workers read `[eir]` through Settings: restrictive mode from the file alone."""
    config = tmp_path / "openceir.toml"
    config.write_text(
        f'[eir]\nsnapshot_dir = "{eir_root.as_posix()}"\nrestrictive = true\n'
        'unknown = "greylisted"\nevents = false\nserver = "hypercorn"\n'
    )
    port = free_port()
    env = {**os.environ, "OPENCEIR_CONFIG": str(config)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "openceir", "eir", "serve", "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        _wait(port, proc)
        r = httpx.get(f"http://127.0.0.1:{port}{PATH}", params={"pei": pei(UNLISTED)}, timeout=10)
        assert (r.status_code, r.json()) == (200, {"status": "GREYLISTED"})
    finally:
        proc.terminate()
        assert proc.wait(20) is not None
