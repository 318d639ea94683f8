"""The EIR snapshot of a list run: the same blocked, notified and exception rows, keyed."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from openceir.eir.snapshot import build_snapshot
from openceir.lists.run import RunResult


def _keyed(table: pa.Table) -> pa.Table:
    """Rows with a 14-digit key (the snapshot is keyed; malformed IMEIs stay in the CSVs)."""
    return table.filter(pc.is_valid(table["imei_key"]))


def snapshot_from_run(data_dir: Path, result: RunResult) -> Path:
    """Build and make current the snapshot under `<data_dir>/eir` for list run `result`."""
    return build_snapshot(
        data_dir / "eir",
        blocked=_keyed(result.blacklist.select(["imei_key", "block_date", "reasons"])),
        notified=_keyed(result.notified),
        exceptions=_keyed(result.exceptions),
        run_id=result.path.name,
    )
