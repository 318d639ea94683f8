"""Retention: drop whole months of network data older than a number of months."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openceir.errors import InputError
from openceir.lake import manifest as _manifest


def cutoff_month(today: date, months: int) -> str:
    """The oldest month kept when keeping `months` months including the current one.

    >>> cutoff_month(date(2026, 11, 28), 3)
    '2026-09'
    """
    if months < 1:
        raise InputError(f"--months must be at least 1, got {months}", field="months")
    index = today.year * 12 + today.month - 1 - (months - 1)
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def prune(data_dir: Path, months: int, today: date | None = None) -> list[tuple[str, str, str]]:
    """Remove partitions older than the last `months` months; returns (dataset, operator, month).

    The manifest is switched first, then the files are deleted, so a crash leaves either the
    old state or the pruned one, never a manifest naming missing files.
    """
    keep_from = cutoff_month(today or date.today(), months)
    root = _manifest.lake_dir(data_dir)
    with _manifest.lock(root):
        current = _manifest.read(root)
        dropped: list[tuple[str, str, str]] = []
        changes: dict[str, dict[str, dict[str, list[str]]]] = {}
        for dataset, operators in current["datasets"].items():
            for operator, partitions in operators.items():
                for month in partitions:
                    if month < keep_from:
                        changes.setdefault(dataset, {}).setdefault(operator, {})[month] = []
                        dropped.append((dataset, operator, month))
        if dropped:
            new = _manifest.apply(current, changes, None)
            _manifest.write(root, new)
            _manifest.collect_garbage(root, new)
    return sorted(dropped)


__all__ = ["cutoff_month", "prune"]
