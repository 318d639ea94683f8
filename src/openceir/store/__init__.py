"""The operational store: registers, jobs, audit log; SQLite by default, PostgreSQL at scale."""

from openceir.store import registers  # noqa: F401  (registers its tables on Base)
from openceir.store.base import Base
from openceir.store.migrate import current_revision, head_revisions, upgrade
from openceir.store.models import AuditEntry, ImportJob, OperatorRow
from openceir.store.session import connect, session_scope

__all__ = [
    "AuditEntry",
    "Base",
    "ImportJob",
    "OperatorRow",
    "connect",
    "current_revision",
    "head_revisions",
    "session_scope",
    "upgrade",
]
