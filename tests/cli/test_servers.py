"""`openceir demo --serve`'s servers: each starts on the demo data and gives the right answers."""

from __future__ import annotations

import csv
import datetime as dt
import socket
from pathlib import Path

import httpx
import pytest

from openceir import __version__
from openceir.cli._servers import Ports, log_dir, running
from openceir.demo import run_demo
from openceir.errors import ConfigError
from openceir.identifiers import imei
from openceir.lists import runs
from openceir.settings import DataPaths
from tests.eir.servers import free_port
from tests.eir.test_s13 import RawPeer, _cer, _micr

UNLISTED = "490154203237518"  # a valid IMEI the simulator never makes (TAC 49015420)


def _first_imei(data_dir: Path, *names: str) -> str:
    """The first IMEI in the first of these files of the demo's newest list run."""
    run_dir = DataPaths(data_dir).lists / runs(data_dir)[-1]
    for name in names:
        with (run_dir / name).open(newline="") as fh:
            rows = list(csv.DictReader(fh))
        if rows:
            return imei.validate(rows[0]["imei"])  # lists carry the 14-digit body
    raise AssertionError(f"the demo published none of {names}")


def test_every_server_answers_on_the_demo_data(tmp_path: Path) -> None:
    # 1,000 subscribers is the least that gives stolen phones (blacklist) and clones (notified).
    report = run_demo(tmp_path / "d", subscribers=1000, days=2, today=dt.date(2026, 11, 28))
    blocked = _first_imei(report.data_dir, "blacklist.csv")
    notified = _first_imei(
        report.data_dir, *(f"notifications_{op}.csv" for op in ("alpha", "gamma", "beta"))
    )
    reported = int(dict(report.steps)["ledger"].split()[0])
    assert reported > 0
    ports = Ports(free_port(), free_port(), free_port())
    with running(report.data_dir, ports) as procs:
        assert set(procs) == {"web", "eir", "s13"}
        web = f"http://127.0.0.1:{ports.web}"
        assert httpx.get(f"{web}/api/v1/health", timeout=10).json() == {
            "status": "ok",
            "version": __version__,
        }
        checkpoint = httpx.get(f"{web}/ledger/checkpoint", timeout=10)
        assert checkpoint.status_code == 200
        origin, size = checkpoint.text.splitlines()[:2]
        assert origin.endswith("/log") and int(size) == reported  # the demo's stolen reports

        def status(imei: str) -> httpx.Response:
            return httpx.get(
                f"http://127.0.0.1:{ports.eir}/n5g-eir-eic/v1/equipment-status",
                params={"pei": f"imei-{imei}"},
                timeout=10,
            )

        assert status(blocked).json() == {"status": "BLACKLISTED"}
        assert status(notified).json() == {"status": "GREYLISTED"}
        assert status(UNLISTED).json() == {"status": "WHITELISTED"}
        bad = status("12345")
        assert bad.status_code == 400 and bad.json()["status"] == 400

        peer = RawPeer(ports.s13)
        assert peer.ask(_cer()).result_code == 2001
        assert peer.ask(_micr("demo;1", blocked)).equipment_status == 1  # blacklisted
        assert peer.ask(_micr("demo;2", notified)).equipment_status == 2  # greylisted
        assert peer.ask(_micr("demo;3", UNLISTED)).equipment_status == 0  # whitelisted
    for proc in procs.values():
        assert proc.poll() is not None, "every server is stopped on leaving"
    assert {p.name for p in log_dir(report.data_dir).iterdir()} == {"web.log", "eir.log", "s13.log"}


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
