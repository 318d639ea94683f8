"""Diffs of register lists (pure): collapse a file's rows, diff full files, apply deltas.

A record is split into its key (the register's KEY columns) and its values (VALUES). A full
file replaces the list: keys only in the store are removed, keys only in the file added, keys
in both with other values updated. A delta file says per row what to do (`change_type`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Key = tuple[Any, ...]
Values = tuple[Any, ...]

CHANGE_TYPES: dict[str, str] = {
    **dict.fromkeys(("add", "added", "new", "insert", "create"), "add"),
    **dict.fromkeys(("remove", "removed", "delete", "deleted"), "remove"),
    **dict.fromkeys(("update", "updated", "change", "changed", "modify"), "update"),
}
"""change_type words accepted in delta files (openceir's and DIRBS's) -> add/remove/update."""


@dataclass
class Row:
    """One parsed row of a list file."""

    line: int
    key: Key
    values: Values
    change_type: str | None = None


@dataclass
class Diff:
    """What an import changes in a register."""

    adds: dict[Key, Values] = field(default_factory=dict)
    removes: set[Key] = field(default_factory=set)
    updates: dict[Key, Values] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Rows added, removed and updated."""
        return {"added": len(self.adds), "removed": len(self.removes), "updated": len(self.updates)}


@dataclass
class Conflict:
    """Two rows of one file with the same key and different values."""

    line: int
    first_line: int
    key: Key


def collapse(rows: Iterable[Row]) -> tuple[list[Row], int, list[Conflict]]:
    """Drop exact duplicates; report same-key rows with different values (the last one wins).

    Returns (rows in first-seen order, duplicates dropped, conflicts).
    """
    seen: dict[tuple[Key, str | None], Row] = {}
    duplicates = 0
    conflicts: list[Conflict] = []
    for row in rows:
        slot = (row.key, row.change_type)
        earlier = seen.get(slot)
        if earlier is None:
            seen[slot] = row
        elif earlier.values == row.values:
            duplicates += 1
        else:
            conflicts.append(Conflict(row.line, earlier.line, row.key))
            seen[slot] = Row(earlier.line, row.key, row.values, row.change_type)
    return list(seen.values()), duplicates, conflicts


def full(current: Mapping[Key, Values], incoming: Sequence[Row]) -> Diff:
    """The diff that makes the register equal to a full file."""
    diff = Diff()
    new = {row.key: row.values for row in incoming}
    for key, values in new.items():
        if key not in current:
            diff.adds[key] = values
        elif current[key] != values:
            diff.updates[key] = values
    diff.removes = {key for key in current if key not in new}
    return diff


@dataclass
class DeltaError:
    """A delta row that cannot apply to the current list."""

    line: int
    message: str


def delta(current: Mapping[Key, Values], rows: Sequence[Row]) -> tuple[Diff, list[DeltaError]]:
    """The diff a delta file asks for, and the rows that contradict the current list.

    An add of a key already present with the same values is accepted (idempotent); with
    other values, and a remove or update of an absent key, is an error.
    """
    diff = Diff()
    errors: list[DeltaError] = []
    keys_in_file: dict[Key, int] = {}
    for row in rows:
        if row.key in keys_in_file:
            errors.append(
                DeltaError(
                    row.line, f"the same key is also changed on line {keys_in_file[row.key]}"
                )
            )
            continue
        keys_in_file[row.key] = row.line
        present = row.key in current
        if row.change_type == "add":
            if present and current[row.key] != row.values:
                errors.append(
                    DeltaError(
                        row.line,
                        "add of a key already in the list with other "
                        "values; use change_type update",
                    )
                )
            elif not present:
                diff.adds[row.key] = row.values
        elif row.change_type == "remove":
            if not present:
                errors.append(DeltaError(row.line, "remove of a key not in the list"))
            else:
                diff.removes.add(row.key)
        elif row.change_type == "update":
            if not present:
                errors.append(DeltaError(row.line, "update of a key not in the list; use add"))
            elif current[row.key] != row.values:
                diff.updates[row.key] = row.values
    return diff, errors


__all__ = ["CHANGE_TYPES", "Conflict", "DeltaError", "Diff", "Row", "collapse", "delta", "full"]
