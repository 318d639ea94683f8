"""The audit log: record every change and every read of subscriber data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openceir.store.models import AuditEntry


def record(
    session: Session, actor: str, action: str, target: str | None = None, **details: Any
) -> AuditEntry:
    """Add one audit entry to the session's transaction (committed with the change it records)."""
    entry = AuditEntry(actor=actor, action=action, target=target, details=details)
    session.add(entry)
    return entry


def search(
    session: Session,
    *,
    actor: str | None = None,
    action: str | None = None,
    target: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[AuditEntry], int]:
    """Entries matching every given filter (text filters match a part), newest first, and
    how many match in all."""
    query = select(AuditEntry)
    if actor:
        query = query.where(AuditEntry.actor.contains(actor, autoescape=True))
    if action:
        query = query.where(AuditEntry.action.contains(action, autoescape=True))
    if target:
        query = query.where(AuditEntry.target.contains(target, autoescape=True))
    if since:
        query = query.where(AuditEntry.at >= since)
    if until:
        query = query.where(AuditEntry.at < until)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit).offset(offset)
    ).all()
    return list(rows), total
