"""Schema migrations with Alembic, run in-process against the configured store."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, select

from openceir.errors import ConfigError
from openceir.settings import Settings
from openceir.store.models import OperatorRow, utcnow
from openceir.store.session import session_scope

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", str(MIGRATIONS / "versions"))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def head_revisions() -> set[str]:
    """The revisions a fully migrated store is at (several heads are allowed)."""
    return set(_heads())


@cache
def _heads() -> frozenset[str]:
    """Read once per process: parsing the migration scripts costs ~0.1 s a call."""
    return frozenset(ScriptDirectory.from_config(_config()).get_heads())


def current_revision(engine: Engine) -> set[str]:
    """The revisions the store is at now; empty for a new database."""
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def require_current(engine: Engine) -> None:
    """Fail in one line (ConfigError) when the store is not migrated to the newest schema."""
    current, heads = current_revision(engine), head_revisions()
    if not heads <= current:
        at = ", ".join(sorted(current)) or "empty"
        raise ConfigError(
            f"the store's schema is {at}, not the newest ({', '.join(sorted(heads))}); "
            "run: openceir db upgrade"
        )


def upgrade(engine: Engine) -> None:
    """Create or migrate the schema to the newest revision; idempotent."""
    command.upgrade(_config(engine), "heads")


def sync_operators(engine: Engine, settings: Settings) -> dict[str, int]:
    """Make the operators table match the configuration; returns counts added/updated/retired."""
    counts = {"added": 0, "updated": 0, "retired": 0}
    wanted = {op.id: op for op in settings.operators}
    with session_scope(engine) as session:
        existing = {row.id: row for row in session.scalars(select(OperatorRow))}
        for op_id, op in wanted.items():
            row = existing.get(op_id)
            if row is None:
                session.add(
                    OperatorRow(
                        id=op.id,
                        name=op.name,
                        mcc_mnc=list(op.mcc_mnc),
                        country=settings.region.name,
                        active=True,
                    )
                )
                counts["added"] += 1
            elif (row.name, list(row.mcc_mnc), row.country, row.active) != (
                op.name,
                list(op.mcc_mnc),
                settings.region.name,
                True,
            ):
                row.name, row.mcc_mnc = op.name, list(op.mcc_mnc)
                row.country, row.active, row.updated_at = settings.region.name, True, utcnow()
                counts["updated"] += 1
        for op_id, row in existing.items():
            if op_id not in wanted and row.active:
                row.active = False
                row.updated_at = utcnow()
                counts["retired"] += 1
    return counts
