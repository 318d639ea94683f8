"""One small simulation shared by the simulate tests, with rates high enough to see everything."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from openceir.simulate import Rates, SimulationSummary, simulate

START = dt.date(2026, 11, 1)
DAYS = 8
RATES = Rates(
    clone=0.01,
    counterfeit=0.01,
    rat_mismatch=0.01,
    stolen=0.02,
    null_test=0.005,
    malformed=0.006,
    transient=0.002,
    stolen_reuse=0.8,
)


@dataclass
class Simulated:
    """A simulation's summary with its files read back as dicts."""

    summary: SimulationSummary
    out: Path
    rows: list[dict[str, str]]  # every dump row, plus `operator` and `file`

    def truth(self, name: str) -> list[dict[str, str]]:
        return read_csv(self.out / "truth" / f"{name}.csv")

    def rows_of(self, imei: str) -> list[dict[str, str]]:
        """Rows reporting this IMEI, also where a file lost its leading zero."""
        lost = imei[1:] if len(imei) == 15 and imei.startswith("0") else None
        return [r for r in self.rows if r["imei"] == imei or (lost and r["imei"] == lost)]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def read_dumps(out: Path) -> list[dict[str, str]]:
    rows = []
    for path in sorted((out / "operators").glob("*/*.csv")):
        for row in read_csv(path):
            row["operator"] = path.parent.name
            row["file"] = path.name
            rows.append(row)
    return rows


@pytest.fixture(scope="package")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Simulated:
    out = tmp_path_factory.mktemp("sim")
    summary = simulate(
        [], out, subscribers=4000, days=DAYS, start=START, seed=11, fmt="csv", rates=RATES
    )
    return Simulated(summary, out, read_dumps(out))
