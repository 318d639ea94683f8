"""Fixtures for importer tests: a migrated store, the edge-case files, a before/after snapshot."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from openceir.settings import Settings
from openceir.store.migrate import upgrade
from openceir.store.models import ImportJob
from openceir.store.registers import REGISTERS
from openceir.store.session import connect, session_scope

DATA = Path(__file__).resolve().parents[1] / "data" / "ingest"
TODAY = date(2026, 11, 28)


@pytest.fixture
def engine(settings: Settings) -> Engine:
    """The test store, migrated to the newest schema."""
    engine = connect(settings.sqlalchemy_url)
    upgrade(engine)
    return engine


@pytest.fixture
def data_file(tmp_path: Path) -> Callable[..., Path]:
    """Copy an edge-case file from tests/data/ingest into tmp, optionally under another name."""

    def copy(name: str, as_name: str | None = None) -> Path:
        target = tmp_path / "in" / (as_name or name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(DATA / name, target)
        return target

    return copy


def snapshot(settings: Settings, engine: Engine) -> dict[str, Any]:
    """Everything an import may change except its own job record: registers and lake files."""
    state: dict[str, Any] = {}
    with session_scope(engine) as session:
        for kind, model in REGISTERS.items():
            table = model.__table__  # type: ignore[attr-defined]
            rows = session.execute(select(table)).all()
            state[kind] = sorted(tuple(map(repr, r)) for r in rows)
        state["succeeded_jobs"] = sorted(
            session.scalars(select(ImportJob.id).where(ImportJob.status == "succeeded"))
        )
    lake = settings.data_dir / "lake"
    state["lake_files"] = (
        sorted(
            p.relative_to(lake).as_posix()
            for p in lake.rglob("*")
            if p.is_file() and p.name != ".lock"
        )
        if lake.exists()
        else []
    )
    manifest = lake / "manifest.json"
    state["manifest"] = manifest.read_text() if manifest.exists() else None
    return state


def last_job(engine: Engine) -> ImportJob:
    """The newest import job."""
    with session_scope(engine) as session:
        return session.scalars(select(ImportJob).order_by(ImportJob.id.desc())).first()
