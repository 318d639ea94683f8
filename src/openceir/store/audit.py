"""The audit log: record every change and every read of subscriber data."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from openceir.store.models import AuditEntry


def record(
    session: Session, actor: str, action: str, target: str | None = None, **details: Any
) -> AuditEntry:
    """Add one audit entry to the session's transaction (committed with the change it records)."""
    entry = AuditEntry(actor=actor, action=action, target=target, details=details)
    session.add(entry)
    return entry
