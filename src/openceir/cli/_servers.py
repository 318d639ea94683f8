"""Run the CEIR's servers side by side (web API, N5g-eir, S13) as child processes.

`openceir demo --serve` uses it so a person can try every interface on the demo data at once;
each server is the ordinary `openceir` command, started with the data dir in its environment.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from openceir.errors import ConfigError
from openceir.settings import DataPaths


@dataclass(frozen=True)
class Ports:
    """Where each server listens on 127.0.0.1."""

    web: int = 8000
    eir: int = 8080
    s13: int = 3868


def commands(ports: Ports, host: str = "127.0.0.1") -> dict[str, list[str]]:
    """The `openceir` command line of each server, by name; pure."""
    cli = [sys.executable, "-m", "openceir"]
    return {
        "web": [*cli, "serve", "--host", host, "--port", str(ports.web)],
        "eir": [*cli, "eir", "serve", "--bind", f"{host}:{ports.eir}", "--workers", "1"],
        "s13": [*cli, "eir", "s13", "--bind", f"{host}:{ports.s13}"],
    }


def log_dir(data_dir: Path) -> Path:
    """Where the servers' output goes: `<data dir>/logs/<name>.log`."""
    return DataPaths(data_dir).logs


def _listening(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex((host, port)) == 0


def _stop(procs: dict[str, subprocess.Popen[bytes]]) -> None:
    for proc in procs.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
    deadline = time.monotonic() + 10
    for proc in procs.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def running(
    data_dir: Path, ports: Ports, *, host: str = "127.0.0.1", timeout: float = 30.0
) -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    """Start every server on `data_dir`, wait until each accepts connections, stop on exit.

    A port already taken or a server that exits early is a ConfigError naming it.
    """
    wanted = {"web": ports.web, "eir": ports.eir, "s13": ports.s13}
    for name, port in wanted.items():
        if _listening(host, port):
            raise ConfigError(f"port {port} on {host} is already in use (wanted for {name})")
    env = {**os.environ, "OPENCEIR_DATA_DIR": str(data_dir)}
    logs = log_dir(data_dir)
    logs.mkdir(parents=True, exist_ok=True)
    procs: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name, argv in commands(ports, host).items():
            with open(logs / f"{name}.log", "ab") as log:
                procs[name] = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        waiting = dict(wanted)
        while waiting:
            for name in list(waiting):
                proc = procs[name]
                if proc.poll() is not None:
                    text = (logs / f"{name}.log").read_text(errors="replace").strip()
                    last = text.splitlines()[-1:] or ["(no output)"]
                    raise ConfigError(f"the {name} server exited at start: {last[0]}")
                if _listening(host, waiting[name]):
                    del waiting[name]
            if waiting and time.monotonic() > deadline:
                raise ConfigError(f"servers not listening after {timeout:.0f} s: {sorted(waiting)}")
            time.sleep(0.1)
        yield procs
    finally:
        _stop(procs)


__all__ = ["Ports", "commands", "log_dir", "running"]
