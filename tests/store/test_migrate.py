"""Migrations and operator sync, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect, select

from openceir.settings import Operator, Settings
from openceir.store import audit
from openceir.store.migrate import current_revision, head_revisions, sync_operators, upgrade
from openceir.store.models import AuditEntry, ImportJob, OperatorRow
from openceir.store.session import connect, session_scope


def test_upgrade_creates_every_table_at_head(settings: Settings) -> None:
    engine = connect(settings.sqlalchemy_url)
    assert current_revision(engine) == set()
    upgrade(engine)
    assert current_revision(engine) == head_revisions()
    tables = set(inspect(engine).get_table_names())
    assert {"operators", "import_jobs", "audit_log", "alembic_version"} <= tables


def test_upgrade_twice_changes_nothing(settings: Settings) -> None:
    engine = connect(settings.sqlalchemy_url)
    upgrade(engine)
    first = current_revision(engine)
    upgrade(engine)
    assert current_revision(engine) == first


def test_sync_operators_adds_updates_and_retires(settings: Settings) -> None:
    engine = connect(settings.sqlalchemy_url)
    upgrade(engine)
    assert sync_operators(engine, settings) == {"added": 2, "updated": 0, "retired": 0}
    assert sync_operators(engine, settings) == {"added": 0, "updated": 0, "retired": 0}

    changed = settings.model_copy(
        update={"operators": [Operator(id="alpha", name="Alpha 5G", mcc_mnc=["63901"])]}
    )
    assert sync_operators(engine, changed) == {"added": 0, "updated": 1, "retired": 1}
    with session_scope(engine) as session:
        rows = {r.id: r for r in session.scalars(select(OperatorRow))}
    assert rows["alpha"].name == "Alpha 5G" and rows["alpha"].active
    assert rows["beta"].active is False
    assert rows["beta"].mcc_mnc == ["63902", "63903"]


def test_import_job_and_audit_round_trip_json(settings: Settings) -> None:
    engine = connect(settings.sqlalchemy_url)
    upgrade(engine)
    with session_scope(engine) as session:
        session.add(
            ImportJob(
                kind="operator",
                source_file="a.csv",
                sha256="0" * 64,
                checks=[{"name": "null_ratio", "passed": True, "value": 0.01}],
                counts={"rows": 3},
            )
        )
        audit.record(session, "analyst:ana", "lists.generate", "run-1", rows=12)
    with session_scope(engine) as session:
        job = session.scalars(select(ImportJob)).one()
        entry = session.scalars(select(AuditEntry)).one()
    assert job.status == "running" and job.checks[0]["value"] == 0.01
    assert entry.details == {"rows": 12} and entry.at.year >= 2026


def test_failed_transaction_leaves_nothing(settings: Settings) -> None:
    engine = connect(settings.sqlalchemy_url)
    upgrade(engine)
    try:
        with session_scope(engine) as session:
            audit.record(session, "x", "y")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with session_scope(engine) as session:
        assert session.scalars(select(AuditEntry)).all() == []
