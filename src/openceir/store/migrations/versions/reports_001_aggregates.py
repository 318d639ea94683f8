"""Reports: the figures of each classification run (report_runs, report_figures).

Revision ID: reports_001_aggregates
Revises: 0003
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "reports_001_aggregates"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_runs",
        sa.Column("run_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("months", sa.JSON(), nullable=False),
        sa.Column("facts_file", sa.String(300), nullable=True),
        sa.PrimaryKeyConstraint("run_id"),
    )
    op.create_index("ix_report_runs_as_of", "report_runs", ["as_of"])
    op.create_table(
        "report_figures",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("scope", sa.String(32), nullable=False),
        sa.Column("figure", sa.String(40), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_report_figures_lookup", "report_figures", ["run_id", "scope", "month", "figure"]
    )


def downgrade() -> None:
    op.drop_index("ix_report_figures_lookup", table_name="report_figures")
    op.drop_table("report_figures")
    op.drop_index("ix_report_runs_as_of", table_name="report_runs")
    op.drop_table("report_runs")
