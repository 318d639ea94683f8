"""A simulated month, imported and classified once per test session and store backend."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from openceir.classify import rules, run
from openceir.reports import aggregates
from openceir.settings import Operator, Region, Settings
from openceir.store.migrate import upgrade
from openceir.store.session import connect, dispose_all
from tests.classify.conftest import import_simulated
from tests.conftest import NO_POSTGRES, POSTGRES_URL, _fresh_postgres_database

simulate = pytest.importorskip("openceir.simulate")

START = date(2026, 10, 16)
DAYS = 18
TODAY = date(2026, 11, 3)
"""The simulated days run from 2026-10-16 to 2026-11-02; the run after October reports it."""


@dataclass
class World:
    """A classified simulated network: settings, engine, run id, simulator output dir."""

    settings: Settings
    engine: Any
    run_id: int
    out: Path


def _store_url(request: pytest.FixtureRequest, tmp: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp / 'store.sqlite'}"
        return
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    yield from _fresh_postgres_database()


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """simulate -> import all -> classify (default rules) -> figures, as a user would."""
    tmp = tmp_path_factory.mktemp("reports")
    for url in _store_url(request, tmp):
        settings = Settings(
            data_dir=tmp / "data",
            database_url=url,
            region=Region(name="Testland", country_mcc=["639"], country_code="254"),
            operators=[
                Operator(id="alpha", name="Alpha Mobile", mcc_mnc=["63901"]),
                Operator(id="beta", name="Beta Telecom", mcc_mnc=["63902", "63903"]),
            ],
        )
        engine = connect(settings.sqlalchemy_url)
        upgrade(engine)
        rates = simulate.Rates(clone=0.02, counterfeit=0.02, rat_mismatch=0.01, stolen=0.02)
        out = tmp / "out"
        summary = simulate.simulate(
            settings, out, subscribers=500, days=DAYS, start=START, seed=5, rates=rates
        )
        import_simulated(
            settings,
            summary,
            engine,
            TODAY,
            registers=("tac_catalog", "stolen", "registration", "pairing"),
        )
        result = run.classify(settings, engine, rules.load(), as_of=TODAY)
        aggregates.compute(settings, engine, result.run_id)
        yield World(settings, engine, result.run_id, out)
        dispose_all()
