"""The `current` pointer of a snapshot root: which run the EIR serves.

`<root>/current` holds one run id and a newline. It is replaced atomically (write a temporary
file, then `os.replace`), so a reader sees the old run or the new one, never a mix.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from openceir.eir.snapshot.format import MANIFEST_FILE
from openceir.errors import NotFound


def run_dir(root: Path, run_id: str) -> Path:
    """The directory of run `run_id` under `root`."""
    return Path(root) / "runs" / run_id


def set_current(root: Path, run_id: str) -> None:
    """Point `<root>/current` at a run atomically (readers see the old or the new run)."""
    root = Path(root)
    if not (run_dir(root, run_id) / MANIFEST_FILE).is_file():
        raise NotFound(f"snapshot run {run_id!r} does not exist under {root}")
    tmp = root / f".current.{uuid.uuid4().hex[:8]}"
    tmp.write_text(run_id + "\n", encoding="utf-8")
    os.replace(tmp, root / "current")


def current_run(root: Path) -> str:
    """The run id `<root>/current` names, or NotFound with how to make one."""
    try:
        return (Path(root) / "current").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise NotFound(
            f"no EIR snapshot under {root}: run `openceir lists generate` or "
            "`openceir eir snapshot build`"
        ) from None


__all__ = ["current_run", "run_dir", "set_current"]
