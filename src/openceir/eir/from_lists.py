"""The EIR snapshot of a list run, built from the run's files (as an operator would)."""

from __future__ import annotations

from pathlib import Path

from openceir.eir.list_files import snapshot_from_files
from openceir.lists.run import RunResult
from openceir.settings import DataPaths


def snapshot_from_run(data_dir: Path, result: RunResult) -> Path:
    """Build and make current the snapshot under `<data_dir>/eir` for list run `result`.

    Read from the run's CSVs, every operator's included: the same rows operators download,
    so the CEIR's own EIR and theirs agree by construction.
    """
    return snapshot_from_files(
        result.path, DataPaths(Path(data_dir)).snapshot, run_id=result.path.name
    )
