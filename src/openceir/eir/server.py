"""Run the N5g-eir app: HTTP/1.1 and h2c (prior knowledge) on one port, several workers.

Two ASGI servers can carry it, both serving HTTP/1.1 and HTTP/2 cleartext on the same port:
Granian (Rust HTTP stack; used when installed) and Hypercorn (pure Python h11/h2, always
there). On this project's 2-core machine a bare "hello" app does ~17k req/s under Granian
against ~2k req/s under Hypercorn (docs/BENCHMARKS.md), so the server, not the app, sets the
ceiling. `OPENCEIR_EIR_SERVER=hypercorn|granian` chooses explicitly.

Workers are separate processes (the server spawns them); each builds its own app from the
`OPENCEIR_EIR_*` environment that `serve` sets, see `ServeOptions.to_environ`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from openceir.access.tokens import Authority
from openceir.eir.check_events import CheckEventLog
from openceir.eir.n5g import N5gEirApp
from openceir.eir.service import EirPolicy, EirService
from openceir.errors import ConfigError


@dataclass(frozen=True)
class ServeOptions:
    """Everything a worker needs to build the app; round-trips through the environment."""

    snapshot_root: Path
    lake_dir: Path | None = None
    oauth_clients: Path | None = None
    restrictive: bool = False
    unknown: str = "not-found"

    def to_environ(self) -> dict[str, str]:
        """The `OPENCEIR_EIR_*` variables describing these options."""
        return {
            "OPENCEIR_EIR_SNAPSHOT": str(self.snapshot_root),
            "OPENCEIR_EIR_LAKE": str(self.lake_dir or ""),
            "OPENCEIR_EIR_OAUTH": str(self.oauth_clients or ""),
            "OPENCEIR_EIR_RESTRICTIVE": "1" if self.restrictive else "",
            "OPENCEIR_EIR_UNKNOWN": self.unknown,
        }

    @classmethod
    def from_environ(cls, environ: dict[str, str] | None = None) -> ServeOptions:
        """Inverse of `to_environ`."""
        env = dict(os.environ if environ is None else environ)
        return cls(
            snapshot_root=Path(env.get("OPENCEIR_EIR_SNAPSHOT", "ceir-data/eir")),
            lake_dir=Path(env["OPENCEIR_EIR_LAKE"]) if env.get("OPENCEIR_EIR_LAKE") else None,
            oauth_clients=Path(env["OPENCEIR_EIR_OAUTH"])
            if env.get("OPENCEIR_EIR_OAUTH")
            else None,
            restrictive=bool(env.get("OPENCEIR_EIR_RESTRICTIVE")),
            unknown=env.get("OPENCEIR_EIR_UNKNOWN", "not-found"),
        )


def build_app(options: ServeOptions) -> N5gEirApp:
    """The N5g-eir app for these options (opens the current snapshot now: errors surface early)."""
    service = EirService(
        options.snapshot_root, EirPolicy(restrictive=options.restrictive, unknown=options.unknown)
    )
    authority = Authority.from_file(options.oauth_clients) if options.oauth_clients else None
    events = CheckEventLog(options.lake_dir) if options.lake_dir else None
    return N5gEirApp(service, authority=authority, events=events)


def hypercorn_config(bind: str, workers: int, application_path: str):  # -> hypercorn Config
    """A Hypercorn config: one bind for HTTP/1.1 and h2c, `workers` processes, quiet logs."""
    from hypercorn.config import Config

    config = Config()
    config.bind = [bind]
    config.workers = workers
    config.application_path = application_path
    config.accesslog = None
    config.errorlog = "-"
    config.loglevel = "WARNING"
    config.keep_alive_timeout = 75
    if uvloop_available():
        config.worker_class = "uvloop"  # ~20-30% more requests/s than the default loop here
    return config


def granian_available() -> bool:
    """Whether Granian is installed."""
    try:
        import granian  # noqa: F401
    except ImportError:
        return False
    return True


SERVERS = ("granian", "hypercorn")


def choose_server(name: str | None = None) -> str:
    """`name`, else `OPENCEIR_EIR_SERVER`, else granian when installed, else hypercorn."""
    name = name or os.environ.get("OPENCEIR_EIR_SERVER") or None
    if name is None:
        return "granian" if granian_available() else "hypercorn"
    if name not in SERVERS:
        raise ConfigError(f"EIR server {name!r} is unknown: use one of {', '.join(SERVERS)}")
    if name == "granian" and not granian_available():
        raise ConfigError("EIR server granian is not installed: pip install granian")
    return name


def granian_server(bind: str, workers: int, application_path: str):  # -> granian Granian
    """A Granian server: HTTP/1.1 and h2c on one bind (`--http auto`), `workers` processes."""
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces, Loops
    from granian.log import LogLevels

    host, _, port = bind.rpartition(":")
    return Granian(
        application_path,
        address=host.strip("[]") or "127.0.0.1",
        port=int(port),
        interface=Interfaces.ASGI,
        workers=workers,
        http=HTTPModes.auto,
        websockets=False,
        loop=Loops.uvloop if uvloop_available() else Loops.asyncio,
        log_level=LogLevels.warning,
        log_access=False,
    )


def uvloop_available() -> bool:
    """Whether uvloop can be used (it is not built for Windows)."""
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return False
    return True


def serve(
    options: ServeOptions,
    bind: str = "127.0.0.1:8080",
    workers: int = 2,
    application_path: str = "openceir.eir.asgi:app",
    server: str | None = None,
) -> int:
    """Serve until SIGINT/SIGTERM with `workers` processes under `choose_server(server)`."""
    name = choose_server(server)
    build_app(options)  # fail here, in the parent, with one clear error
    os.environ.update(options.to_environ())
    if name == "granian":
        granian_server(bind, workers, application_path).serve()
        return 0
    from hypercorn.run import run

    return run(hypercorn_config(bind, workers, application_path))


__all__ = [
    "SERVERS",
    "ServeOptions",
    "build_app",
    "choose_server",
    "granian_available",
    "granian_server",
    "hypercorn_config",
    "serve",
    "uvloop_available",
]
