"""Registry: type approvals and their history, registration requests, their IMEIs, travellers.

Revision ID: registry_001_registry
Revises: 0003
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "registry_001_registry"
down_revision = "0003"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "registry_type_approvals",
        sa.Column("tac", sa.String(8), nullable=False),
        sa.Column("body", sa.String(200), nullable=False),
        sa.Column("certificate", sa.String(100), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("brand", sa.String(200), nullable=True),
        sa.Column("model", sa.String(200), nullable=True),
        sa.Column("sim_slots", sa.Integer(), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("tac", name="pk_registry_type_approvals"),
    )
    op.create_table(
        "registry_type_approval_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tac", sa.String(8), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("old_status", sa.String(20), nullable=True),
        sa.Column("new_status", sa.String(20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_registry_type_approval_history"),
    )
    op.create_index(
        "ix_registry_type_approval_history_tac", "registry_type_approval_history", ["tac"]
    )
    op.create_table(
        "registry_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("applicant", sa.String(200), nullable=False),
        sa.Column("make", sa.String(200), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("sim_slots", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(30), nullable=False),
        sa.Column("assigned_to", sa.String(200), nullable=True),
        sa.Column("upload_sha256", sa.String(64), nullable=True),
        sa.Column("imei_count", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_registry_requests"),
    )
    op.create_index("ix_registry_requests_state", "registry_requests", ["state"])
    op.create_table(
        "registry_request_imeis",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("imei_raw", sa.String(64), nullable=False),
        sa.Column("imei_key", sa.BigInteger(), nullable=True),
        sa.Column("device", sa.String(64), nullable=True),
        sa.Column("mask", sa.Integer(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["registry_requests.id"],
            name="fk_registry_request_imeis_request_id_registry_requests",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_registry_request_imeis"),
    )
    op.create_index(
        "ix_registry_request_imeis_request_id", "registry_request_imeis", ["request_id"]
    )
    op.create_index("ix_registry_request_imeis_imei_key", "registry_request_imeis", ["imei_key"])
    op.create_table(
        "registry_request_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("old_state", sa.String(30), nullable=True),
        sa.Column("new_state", sa.String(30), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["registry_requests.id"],
            name="fk_registry_request_events_request_id_registry_requests",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_registry_request_events"),
    )
    op.create_index(
        "ix_registry_request_events_request_id", "registry_request_events", ["request_id"]
    )
    op.create_table(
        "registry_travellers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("passport_hmac", sa.String(64), nullable=False),
        sa.Column("imei_key", sa.BigInteger(), nullable=False),
        sa.Column("imei_raw", sa.String(64), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_registry_travellers"),
    )
    op.create_index(
        "ix_registry_travellers_passport_hmac", "registry_travellers", ["passport_hmac"]
    )
    op.create_index("ix_registry_travellers_imei_key", "registry_travellers", ["imei_key"])


def downgrade() -> None:
    for table in (
        "registry_travellers",
        "registry_request_events",
        "registry_request_imeis",
        "registry_requests",
        "registry_type_approval_history",
        "registry_type_approvals",
    ):
        op.drop_table(table)
