"""The lake manifest: which Parquet files are current, switched atomically.

`<data>/lake/manifest.json` lists, per dataset, operator and month, the files readers use:

    {"format": 1, "last_job_id": 7,
     "datasets": {"observations": {"alpha": {"2026-11": ["observations/operator=alpha/..."]}},
                  "sightings": {...}}}

Writers never modify a listed file: they write new files, then replace the manifest with
`os.replace` (atomic on POSIX), then delete files no manifest lists. A crash before the
switch leaves the previous manifest, and so the previous state, readable; unlisted files
are garbage collected by the next writer. `last_job_id` names the newest import job whose
changes the manifest holds, so the importer can re-apply a committed job after a crash.
Paths are relative to the lake directory (POSIX separators), so the lake can move.
"""

from __future__ import annotations

import copy
import fcntl
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from openceir.errors import IntegrityError
from openceir.settings import DataPaths

FORMAT = 1
DATASETS = ("observations", "sightings")
MANIFEST_NAME = "manifest.json"

Changes = Mapping[str, Mapping[str, Mapping[str, list[str]]]]
"""dataset -> operator -> month -> the complete new file list of that partition."""


def lake_dir(data_dir: Path) -> Path:
    """The lake's root inside a data dir."""
    return DataPaths(Path(data_dir)).lake


def empty() -> dict[str, Any]:
    """A manifest listing nothing."""
    return {"format": FORMAT, "last_job_id": None, "datasets": {d: {} for d in DATASETS}}


def read(root: Path) -> dict[str, Any]:
    """The current manifest of the lake at `root` (empty when there is none yet)."""
    path = root / MANIFEST_NAME
    if not path.exists():
        return empty()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IntegrityError(f"{path}: unreadable lake manifest: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise IntegrityError(f"{path}: not a format {FORMAT} lake manifest")
    for dataset in DATASETS:
        data.setdefault("datasets", {}).setdefault(dataset, {})
    return data


def apply(manifest: Mapping[str, Any], changes: Changes, job_id: int | None) -> dict[str, Any]:
    """A new manifest with each changed partition's file list replaced (pure; empty list drops)."""
    new = copy.deepcopy(dict(manifest))
    for dataset, operators in changes.items():
        target = new["datasets"].setdefault(dataset, {})
        for operator, months in operators.items():
            partitions = target.setdefault(operator, {})
            for month, files in months.items():
                if files:
                    partitions[month] = sorted(files)
                else:
                    partitions.pop(month, None)
            if not partitions:
                target.pop(operator)
    if job_id is not None:
        new["last_job_id"] = max(job_id, new.get("last_job_id") or 0)
    return new


def write(root: Path, manifest: Mapping[str, Any]) -> None:
    """Replace the manifest atomically: write a temp file, fsync it, os.replace it."""
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".{MANIFEST_NAME}.{os.getpid()}.tmp"
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=1, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, root / MANIFEST_NAME)
    fd = os.open(root, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def files(
    manifest: Mapping[str, Any],
    dataset: str,
    operators: list[str] | None = None,
    months: list[str] | None = None,
) -> list[str]:
    """The relative paths of a dataset's current files, optionally for some operators/months."""
    out: list[str] = []
    for operator, partitions in sorted(manifest["datasets"].get(dataset, {}).items()):
        if operators is not None and operator not in operators:
            continue
        for month, paths in sorted(partitions.items()):
            if months is None or month in months:
                out.extend(paths)
    return out


def referenced(manifest: Mapping[str, Any]) -> set[str]:
    """Every relative path the manifest lists, across datasets."""
    return {p for dataset in manifest["datasets"] for p in files(manifest, dataset)}


def change_paths(changes: Changes) -> set[str]:
    """Every relative path named by a set of changes."""
    return {
        p
        for ops in changes.values()
        for months in ops.values()
        for rels in months.values()
        for p in rels
    }


def collect_garbage(
    root: Path, manifest: Mapping[str, Any], also_keep: set[str] | None = None
) -> int:
    """Delete Parquet files neither the manifest nor `also_keep` lists, and the staging area.

    Returns how many files were deleted. Call only while holding `lock(root)`.
    """
    keep = referenced(manifest) | (also_keep or set())
    removed = 0
    for dataset in DATASETS:
        base = root / dataset
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.parquet")):
            if path.relative_to(root).as_posix() not in keep:
                path.unlink()
                removed += 1
        for folder in sorted(base.rglob("*"), key=lambda p: len(p.parts), reverse=True):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
    staging = root / "_staging"
    if staging.is_dir():
        for path in sorted(staging.rglob("*"), key=lambda p: len(p.parts), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        staging.rmdir()
    return removed


@contextmanager
def lock(root: Path) -> Iterator[None]:
    """Hold the lake's writer lock (flock; released by the OS if the process dies)."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


__all__ = [
    "DATASETS",
    "Changes",
    "apply",
    "change_paths",
    "collect_garbage",
    "empty",
    "files",
    "lake_dir",
    "lock",
    "read",
    "referenced",
    "write",
]
