"""A small snapshot with one IMEI of every kind the EIR decision distinguishes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from openceir.eir.snapshot import build_snapshot

STOLEN = 35693803564380  # blocked since 2020 (stolen)
GRACE = 35693803564381  # notified, block date in 2099
PAIRED = 35693803564382  # blocked, but allowed with PAIRED_IMSI
TRACKED = 35693803564383
BARRED = 86000000123456  # of barred TAC 86000000
REGISTERED = 35693803564399
UNLISTED = 35693803564300
PAIRED_IMSI = "639011234567890"


def pei(key: int) -> str:
    """An `imei-` PEI for a key (the check digit is not identity; 0 is as good as any)."""
    return f"imei-{key:014d}0"


def build(root: Path, run_id: str = "run-1", *, stolen_reason: str = "stolen", **kw) -> Path:
    """Build the fixture snapshot under root (extra keyword arguments override tables)."""
    tables = {
        "blocked": pa.table(
            {
                "imei_key": pa.array([STOLEN, PAIRED], pa.int64()),
                "block_date": pa.array([dt.date(2020, 1, 1)] * 2, pa.date32()),
                "reasons": pa.array([[stolen_reason], ["duplicate", "not registered"]]),
            }
        ),
        "notified": pa.table(
            {
                "imei_key": pa.array([GRACE], pa.int64()),
                "block_date": pa.array([dt.date(2099, 1, 1)], pa.date32()),
                "reasons": pa.array([["not registered"]]),
            }
        ),
        "exceptions": pa.table({"imei_key": [PAIRED], "imsi": [PAIRED_IMSI]}),
        "barred_tacs": ["86000000"],
        "tracked": pa.table({"imei_key": pa.array([TRACKED], pa.int64())}),
        "registered": pa.table({"imei_key": pa.array([REGISTERED, PAIRED], pa.int64())}),
    }
    tables.update(kw)
    return build_snapshot(
        root, run_id=run_id, generated_at=dt.datetime(2026, 11, 28, tzinfo=dt.UTC), **tables
    )


@pytest.fixture
def eir_root(tmp_path: Path) -> Path:
    """A snapshot root whose `current` run is the fixture snapshot."""
    root = tmp_path / "eir"
    build(root)
    return root
