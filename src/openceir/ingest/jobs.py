"""Import job records: started, succeeded or failed, found again by the file's SHA-256."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from openceir.store.models import ImportJob, utcnow
from openceir.store.session import session_scope


def find_succeeded(
    session: Session, kind: str, sha256: str, operator_id: str | None
) -> ImportJob | None:
    """The earlier successful import of the same file for the same kind and operator."""
    query = select(ImportJob).where(
        ImportJob.kind == kind,
        ImportJob.sha256 == sha256,
        ImportJob.status == "succeeded",
    )
    query = query.where(
        ImportJob.operator_id.is_(None)
        if operator_id is None
        else ImportJob.operator_id == operator_id
    )
    return session.scalars(query.order_by(ImportJob.id)).first()


def start(engine: Engine, kind: str, source_file: str, sha256: str, operator_id: str | None) -> int:
    """Record a running job in its own transaction; returns its id."""
    with session_scope(engine) as session:
        job = ImportJob(
            kind=kind,
            operator_id=operator_id,
            source_file=source_file,
            sha256=sha256,
            status="running",
            started_at=utcnow(),
            rows_read=0,
            rows_valid=0,
            rows_rejected=0,
            counts={},
            checks=[],
        )
        session.add(job)
        session.flush()
        return job.id


def finish(
    session: Session,
    job_id: int,
    status: str,
    *,
    rows_read: int = 0,
    rows_valid: int = 0,
    rows_rejected: int = 0,
    counts: dict[str, Any] | None = None,
    checks: list[dict[str, Any]] | None = None,
    error: str | None = None,
) -> None:
    """Set a job's outcome inside the caller's transaction (with the data it describes)."""
    job = session.get(ImportJob, job_id)
    assert job is not None, f"import job {job_id} vanished"
    job.status = status
    job.finished_at = utcnow()
    job.rows_read, job.rows_valid, job.rows_rejected = rows_read, rows_valid, rows_rejected
    job.counts = counts or {}
    job.checks = checks or []
    job.error = error


def mark_lost(session: Session, job_id: int, reason: str) -> None:
    """A succeeded job whose lake files are gone: status `lost`, so its file may be re-imported."""
    job = session.get(ImportJob, job_id)
    assert job is not None, f"import job {job_id} vanished"
    job.status = "lost"
    job.error = reason


def mark_interrupted(engine: Engine, kind: str) -> list[int]:
    """Mark jobs of `kind` still `running` as failed: call only under the kind's writer lock,
    where a running job can only be one whose process was killed. Returns their ids."""
    with session_scope(engine) as session:
        stale = list(
            session.scalars(
                select(ImportJob).where(ImportJob.kind == kind, ImportJob.status == "running")
            )
        )
        for job in stale:
            job.status = "failed"
            job.finished_at = utcnow()
            job.error = (
                "interrupted: the process ended before the import finished; nothing of it "
                "was committed (import the file again)"
            )
        return [job.id for job in stale]


def fail(engine: Engine, job_id: int, error: str, **outcome: Any) -> None:
    """Mark a job failed in its own transaction (nothing else of the import is kept)."""
    with session_scope(engine) as session:
        finish(session, job_id, "failed", error=error, **outcome)


def recent(engine: Engine, limit: int = 20, kind: str | None = None) -> Sequence[ImportJob]:
    """The newest jobs first."""
    with session_scope(engine) as session:
        query = select(ImportJob).order_by(ImportJob.id.desc()).limit(limit)
        if kind:
            query = query.where(ImportJob.kind == kind)
        return session.scalars(query).all()


def operator_history(session: Session, operator_id: str, limit: int) -> list[float]:
    """Rows per day of the operator's last successful imports (for the volume_drop check)."""
    query = (
        select(ImportJob)
        .where(
            ImportJob.kind == "operator",
            ImportJob.operator_id == operator_id,
            ImportJob.status == "succeeded",
        )
        .order_by(ImportJob.id.desc())
        .limit(limit)
    )
    out = []
    for job in session.scalars(query):
        days = (job.counts or {}).get("days") or 0
        if days and job.rows_valid:
            out.append(job.rows_valid / days)
    return out


def lake_pending(session: Session, after: int | None) -> list[ImportJob]:
    """Successful operator jobs newer than `after` whose lake changes may not be switched in."""
    query = select(ImportJob).where(ImportJob.kind == "operator", ImportJob.status == "succeeded")
    if after is not None:
        query = query.where(ImportJob.id > after)
    return [job for job in session.scalars(query.order_by(ImportJob.id)) if job.counts.get("lake")]


__all__ = [
    "fail",
    "find_succeeded",
    "finish",
    "lake_pending",
    "mark_interrupted",
    "mark_lost",
    "operator_history",
    "recent",
    "start",
]
