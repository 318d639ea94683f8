"""Registers with history: TAC catalog, stolen, registration, pairing, exempt, barred, monitoring.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _history() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("end_job_id", sa.Integer(), nullable=True),
    ]


def _imei() -> list[sa.Column]:
    return [
        sa.Column("imei_key", sa.BigInteger(), nullable=True),
        sa.Column("imei_raw", sa.String(64), nullable=True),
    ]


def _s(name: str, length: int = 200) -> sa.Column:
    return sa.Column(name, sa.String(length), nullable=True)


def _tables() -> dict[str, list[sa.Column]]:
    """Fresh Column objects per call: a Column can belong to one Table only."""
    return {
        "tac_catalog": [
            sa.Column("tac", sa.String(8), nullable=False),
            _s("manufacturer"),
            _s("model"),
            _s("brand"),
            sa.Column("bands", sa.Text(), nullable=True),
            sa.Column("rats", sa.JSON(), nullable=False),
            _s("device_type", 100),
            sa.Column("allocation_date", sa.Date(), nullable=True),
            sa.Column("extra", sa.JSON(), nullable=False),
        ],
        "stolen_list": [
            *_imei(),
            sa.Column("reporting_date", sa.Date(), nullable=True),
            _s("status", 40),
            _s("case_id", 100),
        ],
        "registration_list": [
            *_imei(),
            _s("make"),
            _s("model"),
            _s("status", 40),
            _s("model_number"),
            _s("brand_name"),
            _s("device_type", 100),
            _s("radio_interface", 100),
            _s("device_id", 100),
        ],
        "pairing_list": [
            *_imei(),
            sa.Column("imsi", sa.String(15), nullable=False),
            _s("msisdn", 20),
        ],
        "exempt_list": _imei(),
        "barred_imei_list": _imei(),
        "barred_tac_list": [sa.Column("tac", sa.String(8), nullable=False)],
        "monitoring_list": _imei(),
    }


def upgrade() -> None:
    for name, columns in _tables().items():
        op.create_table(
            name, *_history(), *columns, sa.PrimaryKeyConstraint("id", name=f"pk_{name}")
        )
        op.create_index(f"ix_{name}_end_date", name, ["end_date"])
        names = {c.name for c in columns}
        for indexed in ("tac", "imei_key", "imsi"):
            if indexed in names:
                op.create_index(f"ix_{name}_{indexed}", name, [indexed])


def downgrade() -> None:
    for name in reversed(list(_tables())):
        op.drop_table(name)
