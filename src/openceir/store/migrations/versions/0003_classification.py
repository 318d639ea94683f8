"""Classification: runs, and state with history and evidence.

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "classification_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("engine", sa.String(20), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rules_sha256", sa.String(64), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("operators", sa.JSON(), nullable=False),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_classification_runs"),
    )
    op.create_index("ix_classification_runs_as_of", "classification_runs", ["as_of"])
    op.create_table(
        "classification_state",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("imei_key", sa.BigInteger(), nullable=True),
        sa.Column("imei_raw", sa.String(64), nullable=True),
        sa.Column("condition", sa.String(64), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("block_date", sa.Date(), nullable=True),
        sa.Column("blocking", sa.Boolean(), nullable=False),
        sa.Column("amnesty_granted", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("clone_imsis", sa.JSON(), nullable=True),
        sa.Column("genuine_imsis", sa.JSON(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("end_run_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_classification_state"),
    )
    op.create_index("ix_classification_state_imei_key", "classification_state", ["imei_key"])
    op.create_index("ix_classification_state_imei_raw", "classification_state", ["imei_raw"])
    op.create_index("ix_classification_state_condition", "classification_state", ["condition"])
    op.create_index("ix_classification_state_end_date", "classification_state", ["end_date"])


def downgrade() -> None:
    op.drop_table("classification_state")
    op.drop_table("classification_runs")
