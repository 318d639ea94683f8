"""Data-quality checks (architecture §5): each has a threshold, can be disabled, and is recorded.

A check measures a value (usually a ratio of rows) and passes when it is within its
threshold: at most `threshold` for "max" checks, at least for "min" checks (volume_drop).
Every result, passed, failed, disabled or not run, goes into the import job's `checks`
JSON; any failed check fails the import with one line naming the check, the value, the
threshold, the first offending line and field, and how to override.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from openceir.errors import InputError


@dataclass(frozen=True)
class CheckSpec:
    """A check's contract: its default threshold, direction and what a bad row means."""

    name: str
    threshold: float
    direction: str  # "max" or "min"
    description: str


SPECS: dict[str, CheckSpec] = {
    s.name: s
    for s in (
        CheckSpec("invalid_rows", 0.0, "max", "rows that do not fit the schema"),
        CheckSpec("date_range", 0.0, "max", "rows dated outside the file name's range"),
        CheckSpec("future_dates", 0.0, "max", "rows dated after today"),
        CheckSpec("null_ratio", 0.05, "max", "empty values in a column"),
        CheckSpec("unclean_imei", 0.05, "max", "IMEIs whose first 14 characters are not digits"),
        CheckSpec("unclean_imsi", 0.05, "max", "IMSIs that are not 6-15 ASCII digits"),
        CheckSpec("unclean_msisdn", 0.05, "max", "MSISDNs that are not 6-15 ASCII digits"),
        CheckSpec("unclean_rat", 0.05, "max", "RAT values with an unknown code"),
        CheckSpec("foreign_imsi", 0.10, "max", "IMSIs outside the country's MCCs"),
        CheckSpec("off_network_imsi", 0.20, "max", "IMSIs outside the operator's MCC-MNCs"),
        CheckSpec("leading_zero_loss", 0.01, "max", "IMEIs that lost a leading 0"),
        CheckSpec("volume_drop", 0.5, "min", "rows per day against recent imports"),
        CheckSpec("conflicting_rows", 0.0, "max", "keys given twice with different values"),
        CheckSpec("list_shrink", 0.5, "max", "share of the current list removed"),
        CheckSpec("list_growth", 4.0, "max", "growth of the list against its current size"),
    )
}
"""Every check by name, with its default threshold."""


@dataclass
class CheckResult:
    """The outcome of one check on one file."""

    name: str
    value: float | None
    threshold: float
    passed: bool
    disabled: bool = False
    count: int = 0
    not_run: str | None = None
    field: str | None = None
    detail: str = ""
    examples: list[tuple[int, str | None]] = dataclasses.field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The form stored in ImportJob.checks."""
        return {
            "name": self.name,
            "value": self.value,
            "threshold": self.threshold,
            "passed": self.passed,
            "disabled": self.disabled,
            "count": self.count,
            "not_run": self.not_run,
            "field": self.field,
            "detail": self.detail,
            "examples": [[line, value] for line, value in self.examples],
        }


def thresholds(overrides: Mapping[str, float] | None = None) -> dict[str, float]:
    """The default thresholds with `overrides` applied; an unknown name is an InputError."""
    out = {name: spec.threshold for name, spec in SPECS.items()}
    for name, value in (overrides or {}).items():
        if name not in SPECS:
            known = ", ".join(sorted(SPECS))
            raise InputError(f"unknown check {name!r}; known checks: {known}", field="threshold")
        out[name] = float(value)
    return out


def validate_names(names: Iterable[str]) -> set[str]:
    """Check names given to --disable, normalised (dashes allowed); unknown ones fail."""
    out = set()
    for raw in names:
        name = raw.replace("-", "_")
        if name not in SPECS:
            known = ", ".join(sorted(SPECS))
            raise InputError(f"unknown check {raw!r}; known checks: {known}", field="disable")
        out.add(name)
    return out


def evaluate(
    name: str,
    value: float | None,
    limits: Mapping[str, float],
    disabled: set[str],
    *,
    count: int = 0,
    field: str | None = None,
    detail: str = "",
    not_run: str | None = None,
) -> CheckResult:
    """Judge one measured value against its threshold (pure)."""
    spec = SPECS[name]
    threshold = limits[name]
    if not_run is not None or value is None:
        return CheckResult(
            name,
            None,
            threshold,
            True,
            name in disabled,
            count,
            not_run or "not run",
            field,
            detail,
        )
    ok = value <= threshold if spec.direction == "max" else value >= threshold
    return CheckResult(
        name, value, threshold, ok or name in disabled, name in disabled, count, None, field, detail
    )


def _pct(value: float) -> str:
    return f"{value:.2%}" if value < 10 else f"{value:.1f}x"


def failure(results: Iterable[CheckResult], source: str) -> InputError | None:
    """The InputError for the first failed check (None when all passed): one actionable line."""
    failed = [r for r in results if not r.passed]
    if not failed:
        return None
    first = failed[0]
    spec = SPECS[first.name]
    relation = "over" if spec.direction == "max" else "under"
    value = _pct(first.value or 0.0)
    message = (
        f"check {first.name} failed: {spec.description} {value}"
        f"{f' ({first.count} rows)' if first.count else ''}, {relation} the threshold "
        f"{_pct(first.threshold)}"
    )
    if first.detail:
        message += f"; {first.detail}"
    if len(first.examples) > 1:
        more = ", ".join(str(line) for line, _ in first.examples[1:6])
        message += f"; also line{'s' if len(first.examples) > 2 else ''} {more}"
    message += (
        f". Fix the file, or override with --disable-{first.name.replace('_', '-')} "
        f"or --threshold {first.name}=VALUE"
    )
    if len(failed) > 1:
        message += f" (other failed checks: {', '.join(r.name for r in failed[1:])})"
    line = first.examples[0][0] if first.examples else None
    return InputError(message, source=source, line=line, field=first.field)


__all__ = [
    "SPECS",
    "CheckResult",
    "CheckSpec",
    "evaluate",
    "failure",
    "thresholds",
    "validate_names",
]
