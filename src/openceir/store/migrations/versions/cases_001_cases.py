"""Lost and stolen cases: reports, IMEIs, history, trace alerts, changes to publish, cursors.

Revision ID: cases_001_cases
Revises: notify_001_outbox
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "cases_001_cases"
down_revision = "notify_001_outbox"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("mode", sa.String(10), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("blocked", sa.Boolean(), nullable=False),
        sa.Column("msisdn", sa.String(20), nullable=True),
        sa.Column("known_imsis", sa.JSON(), nullable=False),
        sa.Column("contact_msisdn", sa.String(20), nullable=True),
        sa.Column("contact_email", sa.String(320), nullable=True),
        sa.Column("reporter_name", sa.String(200), nullable=True),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("brand", sa.String(200), nullable=True),
        sa.Column("model", sa.String(200), nullable=True),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("incident_date", sa.Date(), nullable=True),
        sa.Column("place", sa.String(200), nullable=True),
        sa.Column("complaint_number", sa.String(100), nullable=True),
        sa.Column("station", sa.String(100), nullable=True),
        sa.Column("region", sa.String(100), nullable=True),
        sa.Column("filed_by", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("closed_at", TZ, nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
        sa.UniqueConstraint("request_id", name="uq_cases_request_id"),
    )
    op.create_index("ix_cases_status", "cases", ["status"])
    op.create_index("ix_cases_msisdn", "cases", ["msisdn"])
    op.create_index("ix_cases_station", "cases", ["station"])
    op.create_index("ix_cases_region", "cases", ["region"])
    op.create_table(
        "case_imeis",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("imei", sa.String(15), nullable=False),
        sa.Column("imei_key", sa.BigInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_case_imeis_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_case_imeis"),
    )
    op.create_index("ix_case_imeis_case_id", "case_imeis", ["case_id"])
    op.create_index("ix_case_imeis_imei_key", "case_imeis", ["imei_key"])
    op.create_index(
        "ix_case_imeis_active_key",
        "case_imeis",
        ["imei_key"],
        unique=True,
        postgresql_where=sa.text("active"),
        sqlite_where=sa.text("active"),
    )
    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_case_events_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_case_events"),
    )
    op.create_index("ix_case_events_case_id", "case_events", ["case_id"])
    op.create_table(
        "case_alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("dedup_key", sa.String(200), nullable=False),
        sa.Column("imei", sa.String(15), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("interface", sa.String(10), nullable=True),
        sa.Column("operator", sa.String(64), nullable=True),
        sa.Column("imsi", sa.String(15), nullable=True),
        sa.Column("msisdn", sa.String(20), nullable=True),
        sa.Column("place", sa.String(200), nullable=True),
        sa.Column("seen_at", TZ, nullable=False),
        sa.Column("last_seen_at", TZ, nullable=False),
        sa.Column("raised_at", TZ, nullable=False),
        sa.Column("sightings", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_case_alerts_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_case_alerts"),
        sa.UniqueConstraint("dedup_key", name="uq_case_alerts_dedup_key"),
    )
    op.create_index("ix_case_alerts_case_id", "case_alerts", ["case_id"])
    op.create_index("ix_case_alerts_raised_at", "case_alerts", ["raised_at"])
    op.create_table(
        "case_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(12), nullable=False),
        sa.Column("ledger_event", sa.String(20), nullable=True),
        sa.Column("imeis", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("published_at", TZ, nullable=True),
        sa.Column("ledger_at", TZ, nullable=True),
        sa.Column("ledger_index", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_case_changes_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_case_changes"),
    )
    op.create_index("ix_case_changes_case_id", "case_changes", ["case_id"])
    op.create_index("ix_case_changes_published_at", "case_changes", ["published_at"])
    op.create_table(
        "case_cursors",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_case_cursors"),
    )


def downgrade() -> None:
    for table in ("case_cursors", "case_changes", "case_alerts", "case_events", "case_imeis"):
        op.drop_table(table)
    op.drop_table("cases")
