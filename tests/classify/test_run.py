"""A classification run on a real store and lake: safety check, sanity check, lock, dry run."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from openceir.classify import rules, run, state
from openceir.errors import ConfigError
from openceir.store.classification import ClassificationRun
from openceir.store.migrate import upgrade
from openceir.store.session import connect, session_scope

ingest = pytest.importorskip("openceir.ingest")

TODAY = date(2026, 11, 28)
DUMP = """date,imei,imsi,msisdn,rat
20261110,356868000041414,639010000000001,254700000001,006
20261110,356868000041414,639010000000002,254700000002,006
20261111,356868000041414,639010000000003,254700000003,006
20261110,356868000041422,639010000000004,254700000004,006
20261110,356868000041430,639010000000005,254700000005,006
20261110,356868000041448,639010000000006,254700000006,006
"""
DUP = """
conditions:
  - label: dup
    reason: Used by several SIM cards at once.
    max_allowed_matching_ratio: %s
    dimensions: [{duplicate_threshold: {threshold: 3}}]
"""


@pytest.fixture
def engine(settings, tmp_path: Path) -> Engine:
    engine = connect(settings.sqlalchemy_url)
    upgrade(engine)
    dump = tmp_path / "alpha_20261110_20261111.csv"
    dump.write_text(DUMP)
    ingest.run_import(settings, "operator", dump, operator_id="alpha", engine=engine, today=TODAY)
    return engine


def _runs(engine: Engine) -> list[ClassificationRun]:
    with session_scope(engine) as s:
        return list(s.scalars(select(ClassificationRun).order_by(ClassificationRun.id)))


def test_run_classifies_and_is_recorded(settings, engine) -> None:
    stages: list[str] = []
    result = run.classify(
        settings, engine, rules.parse(DUP % 0.5), as_of=TODAY, progress=stages.append
    )
    (dup,) = result.conditions
    assert (dup.matched, dup.seen, dup.refused, dup.changes["opened"]) == (1, 4, None, 1)
    assert stages == [
        "reading the registers and the lake",
        "evaluating dup",
        "writing the classification state",
    ]
    with engine.connect() as conn:
        assert state.current(conn).column("imei_key").to_pylist() == [35686800004141]
    (record,) = _runs(engine)
    assert (record.status, record.as_of, record.operators) == (
        "completed",
        TODAY,
        ["alpha", "beta"],
    )
    assert record.counts["dup"]["matched"] == 1


def test_safety_check_refuses_to_publish_a_condition_matching_too_much(settings, engine) -> None:
    result = run.classify(settings, engine, rules.parse(DUP % 0.2), as_of=TODAY)
    (dup,) = result.conditions
    assert dup.refused and "matched 1 of 4 IMEIs seen (25.0%)" in dup.refused
    assert dup.changes == {}
    with engine.connect() as conn:
        assert state.current(conn).num_rows == 0


def test_changed_rules_need_an_explicit_acceptance(settings, engine) -> None:
    run.classify(settings, engine, rules.parse(DUP % 0.5), as_of=TODAY)
    changed = rules.parse(DUP % 0.6)
    with pytest.raises(ConfigError, match=r"rules differ from run 1.s.*--accept-changes"):
        run.classify(settings, engine, changed, as_of=TODAY)
    again = run.classify(settings, engine, changed, as_of=TODAY, accept_changes=True)
    assert again.conditions[0].changes["continued"] == 1


def test_changed_operators_need_an_explicit_acceptance(settings, engine) -> None:
    run.classify(settings, engine, rules.parse(DUP % 0.5), as_of=TODAY)
    fewer = settings.model_copy(update={"operators": settings.operators[:1]})
    with pytest.raises(ConfigError, match="operators changed since run 1"):
        run.classify(fewer, engine, rules.parse(DUP % 0.5), as_of=TODAY)


def test_dry_run_changes_no_state(settings, engine) -> None:
    result = run.classify(settings, engine, rules.parse(DUP % 0.5), as_of=TODAY, dry_run=True)
    assert result.conditions[0].changes["opened"] == 1
    with engine.connect() as conn:
        assert state.current(conn).num_rows == 0
    assert _runs(engine)[0].dry_run is True


def test_one_run_at_a_time(settings, engine) -> None:
    with run.run_lock(settings.data_dir), pytest.raises(ConfigError, match="in progress"):
        run.classify(settings, engine, rules.parse(DUP % 0.5), as_of=TODAY)
    assert run.classify(settings, engine, rules.parse(DUP % 0.5), as_of=TODAY).run_id


def test_unknown_condition_and_engine_are_config_errors(settings, engine) -> None:
    with pytest.raises(ConfigError, match="no condition 'nope'"):
        run.classify(settings, engine, rules.parse(DUP % 0.5), as_of=TODAY, conditions=["nope"])
    with pytest.raises(ConfigError, match=r"unknown engine 'nope' \(known: duckdb, spark\)"):
        run.classify(settings, engine, rules.parse(DUP % 0.5), as_of=TODAY, backend="nope")


def test_a_store_without_the_classification_tables_is_one_clear_error(settings) -> None:
    bare = connect(settings.sqlalchemy_url)
    with pytest.raises(ConfigError, match="run: openceir db upgrade"):
        run.classify(settings, bare, rules.parse(DUP % 0.5), as_of=TODAY)


KILL_WHILE_READING = """
import sys, time
from datetime import date
from openceir.classify import rules, run
from openceir.settings import Settings
from openceir.store.session import connect

def hold(stage):
    print(stage, flush=True)
    time.sleep(600)

settings = Settings.model_validate_json(sys.argv[1])
run.classify(settings, connect(settings.sqlalchemy_url), rules.parse(sys.argv[2]),
             as_of=date(2026, 11, 28), progress=hold)
"""


def test_a_killed_run_is_marked_interrupted_by_the_next(settings, engine) -> None:
    import os
    import signal
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_WHILE_READING, settings.model_dump_json(), DUP % 0.5],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        assert proc.stdout.readline() == "reading the registers and the lake\n"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    (killed,) = _runs(engine)
    assert killed.status == "running"
    result = run.classify(settings, engine, rules.parse(DUP % 0.5), as_of=TODAY)
    first, second = _runs(engine)
    assert (first.status, second.status, second.id) == ("failed", "completed", result.run_id)
    assert first.error.startswith("interrupted:")
