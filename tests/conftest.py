"""Shared fixtures: a fresh data dir, and a store on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from openceir.settings import Settings
from openceir.store.session import dispose_all
from tests.helpers import OPERATORS, REGION

POSTGRES_URL = os.environ.get("OPENCEIR_TEST_POSTGRES_URL")
NO_POSTGRES = (
    "no PostgreSQL for tests: set OPENCEIR_TEST_POSTGRES_URL to a server's admin URL "
    "(.ci/run starts a throwaway cluster and sets it)"
)

SHARED = Path(__file__).resolve().parents[2] / "shared"


def _fresh_postgres_database() -> Iterator[str]:
    """Create an empty database on the test server for one test and drop it afterwards."""
    admin_url = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    name = f"openceir_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        dispose_all()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty store URL, once per backend; PostgreSQL skips with a reason when absent."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
        dispose_all()
        return
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    yield from _fresh_postgres_database()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings for a two-operator country with a fresh data dir and store."""
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        region=REGION,
        operators=[OPERATORS["alpha"], OPERATORS["beta"]],
    )


@pytest.fixture
def cli_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """tmp_path as the current directory, with no OPENCEIR_* settings in the environment.

    Where a CLI test runs: a config written here (`tests.helpers.write_config`) is the one
    the command reads, and the data dir is `./ceir-data` unless the test sets it.
    """
    for key in [k for k in os.environ if k.startswith("OPENCEIR_") and "_TEST_" not in k]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    dispose_all()


@pytest.fixture
def shared_dir() -> Path:
    """The project's shared folder (specs); tests that need it skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared/ is absent (it holds the 3GPP specs); CI provides it")
    return SHARED


class LiveServer:
    """A real uvicorn server on 127.0.0.1 (an ephemeral port) in a background thread."""

    def __init__(self, app: Any) -> None:
        import threading

        import uvicorn

        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        import time

        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def live_server():
    """Factory: `with live_server(app) as base_url:` serves `app` for real on loopback."""
    return LiveServer
