"""The registry tables the migration creates are the ones the models declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from openceir.settings import Settings
from openceir.store.base import Base
from openceir.store.migrate import upgrade
from openceir.store.session import connect


def test_registry_migration_matches_the_models(settings: Settings) -> None:
    engine = connect(settings.sqlalchemy_url)
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)

    ours = [op for op in diff if "registry_" in repr(op)]
    assert ours == []
    assert "registry_requests" in Base.metadata.tables
