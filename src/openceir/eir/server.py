"""Run the N5g-eir app: HTTP/1.1 and h2c (prior knowledge) on one port, several workers.

Two ASGI servers can carry it, both serving HTTP/1.1 and HTTP/2 cleartext on the same port:
Granian (Rust HTTP stack; used when installed) and Hypercorn (pure Python h11/h2, always
there). On this project's 2-core machine a bare "hello" app does ~17k req/s under Granian
against ~2k req/s under Hypercorn (docs/BENCHMARKS.md), so the server, not the app, sets the
ceiling. `[eir] server` (or `openceir eir serve --server`) chooses explicitly.

Configuration is `Settings` (`[eir]`, `openceir.settings.EirSettings`) and nothing else.
Workers are separate processes (the server spawns them); each builds its own app from
`load_settings()`, the parent having put its resolved settings where that reads them
(`worker_environ`: the data dir, the config file and the `[eir]` table as JSON).
"""

from __future__ import annotations

import os
from pathlib import Path

from openceir.access.tokens import Authority
from openceir.eir.check_events import CheckEventLog
from openceir.eir.n5g import N5gEirApp
from openceir.eir.service import EirPolicy, EirService
from openceir.errors import ConfigError
from openceir.settings import Settings


def snapshot_root(settings: Settings) -> Path:
    """The EIR snapshot root: `[eir] snapshot_dir`, else `<data dir>/eir`."""
    return settings.eir.snapshot_dir or settings.paths.snapshot


def lake_root(settings: Settings) -> Path | None:
    """Where check events go (`<data dir>/lake`), or None when `[eir] events` is off."""
    return settings.paths.lake if settings.eir.events else None


def service_for(settings: Settings) -> EirService:
    """The EirService of these settings (opens the current snapshot now)."""
    eir = settings.eir
    return EirService(
        snapshot_root(settings),
        EirPolicy(restrictive=eir.restrictive, unknown=eir.unknown),
        reload_interval=eir.reload_seconds,
    )


def events_for(settings: Settings) -> CheckEventLog | None:
    """The check-event log of these settings, or None when events are off."""
    lake = lake_root(settings)
    return CheckEventLog(lake) if lake else None


def build_app(settings: Settings) -> N5gEirApp:
    """The N5g-eir app for these settings (opens the current snapshot now: errors surface early)."""
    eir = settings.eir
    authority = Authority.from_file(eir.oauth_clients) if eir.oauth_clients else None
    return N5gEirApp(
        service_for(settings),
        authority=authority,
        events=events_for(settings),
        flush_interval=eir.flush_seconds,
    )


def worker_environ(settings: Settings) -> dict[str, str]:
    """What a worker's `load_settings()` needs to rebuild these settings (absolute paths)."""
    eir = settings.eir.model_copy(
        update={
            "snapshot_dir": snapshot_root(settings).absolute(),
            "oauth_clients": eir_path.absolute()
            if (eir_path := settings.eir.oauth_clients)
            else None,
        }
    )
    env = {
        "OPENCEIR_DATA_DIR": str(Path(settings.data_dir).absolute()),
        "OPENCEIR_EIR": eir.model_dump_json(),
    }
    if settings.config_file:
        env["OPENCEIR_CONFIG"] = str(Path(settings.config_file).absolute())
    return env


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
    """`name` (from `[eir] server`), else granian when installed, else hypercorn."""
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
    settings: Settings,
    bind: str = "127.0.0.1:8080",
    workers: int = 2,
    application_path: str = "openceir.eir.asgi:app",
) -> int:
    """Serve until SIGINT/SIGTERM with `workers` processes under `[eir] server`."""
    name = choose_server(settings.eir.server)
    build_app(settings)  # fail here, in the parent, with one clear error
    os.environ.update(worker_environ(settings))
    if name == "granian":
        granian_server(bind, workers, application_path).serve()
        return 0
    from hypercorn.run import run

    return run(hypercorn_config(bind, workers, application_path))


__all__ = [
    "SERVERS",
    "build_app",
    "choose_server",
    "events_for",
    "granian_available",
    "granian_server",
    "hypercorn_config",
    "lake_root",
    "serve",
    "service_for",
    "snapshot_root",
    "uvloop_available",
    "worker_environ",
]
