"""The demo runs the pipeline end to end on a small synthetic country, and is re-runnable."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select

from openceir.demo import run_demo
from openceir.lake import reader
from openceir.store.models import ImportJob
from openceir.store.session import connect, session_scope

TODAY = dt.date(2026, 11, 28)


def test_demo_runs_the_pipeline_and_a_second_run_changes_nothing(tmp_path: Path) -> None:
    steps: list[str] = []
    first = run_demo(tmp_path / "d", subscribers=300, days=4, today=TODAY, progress=steps.append)
    outcome = dict(first.steps)
    assert outcome["config"].endswith("(3 operators)")
    assert "dump rows from 2026-11-24" in outcome["simulate"]
    assert "4 registers and 12 operator dumps" in outcome["import"]
    assert any(s.startswith("importing operator dumps") for s in steps)
    files = reader.observations(tmp_path / "d")
    assert files, "the lake has month files after the demo"

    engine = connect(f"sqlite:///{tmp_path / 'd' / 'openceir.sqlite'}")
    with session_scope(engine) as session:
        jobs = session.scalar(select(func.count()).where(ImportJob.status == "succeeded"))
    second = dict(run_demo(tmp_path / "d", subscribers=300, days=4, today=TODAY).steps)
    assert "0 imported" in second["import"]
    assert "classify" in outcome and "lists" in outcome and outcome["eir"].startswith("snapshot")
    assert int(outcome["ledger"].split()[0]) > 0, "the stolen list reaches the ledger"
    assert second["ledger"].startswith("0 stolen reports appended")
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).where(ImportJob.status == "succeeded")) == jobs
