"""`openceir demo --serve`'s servers: each starts on the demo data and answers on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import socket
from pathlib import Path

import httpx
import pytest

from openceir.cli._servers import Ports, running
from openceir.demo import run_demo
from openceir.errors import ConfigError
from tests.eir.servers import free_port


def test_every_server_answers_on_the_demo_data(tmp_path: Path) -> None:
    report = run_demo(tmp_path / "d", subscribers=200, days=2, today=dt.date(2026, 11, 28))
    ports = Ports(free_port(), free_port(), free_port())
    with running(report.data_dir, ports) as procs:
        assert set(procs) == {"web", "eir", "s13"}
        web = httpx.get(f"http://127.0.0.1:{ports.web}/api/v1/openapi.json", timeout=10)
        assert web.status_code == 200 and web.json()["openapi"].startswith("3.")
        eir = httpx.get(
            f"http://127.0.0.1:{ports.eir}/n5g-eir-eic/v1/equipment-status",
            params={"pei": "imei-490154203237518"},
            timeout=10,
        )
        assert eir.status_code == 200
        assert eir.json()["status"] in {"WHITELISTED", "GREYLISTED", "BLACKLISTED"}
        with socket.create_connection(("127.0.0.1", ports.s13), timeout=5):
            pass
    for proc in procs.values():
        assert proc.poll() is not None, "every server is stopped on leaving"


def test_a_taken_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        ports = Ports(port, free_port(), free_port())
        with (
            pytest.raises(ConfigError, match=f"port {port} .* already in use .*web"),
            running(tmp_path, ports),
        ):
            pass
