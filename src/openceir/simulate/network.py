"""The operators of a simulation and how each one reports its data.

Operators differ the way real ones do: one sends 3GPP RAT codes, cells, coordinates and an
IMEISV column; one sends cells but passes some handsets' IMEISV in the IMEI column; one sends
RAT words (`2G|3G|4G|5G`) and no cells at all. Profiles repeat in that order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from openceir.errors import InputError
from openceir.settings import Operator, Region, region_toml

BASE_COLUMNS = ("date", "imei", "imsi", "msisdn", "rat")
_MADE_UP = (
    ("alpha", "Alpha Mobile"),
    ("beta", "Beta Telecom"),
    ("gamma", "Gamma Wireless"),
    ("delta", "Delta Networks"),
    ("epsilon", "Epsilon Cellular"),
    ("zeta", "Zeta Connect"),
    ("eta", "Eta Mobile"),
    ("theta", "Theta Telecom"),
    ("iota", "Iota Wireless"),
)


@dataclass(frozen=True)
class OperatorProfile:
    """One operator and the shape of its daily dumps."""

    id: str
    name: str
    mcc_mnc: str  # the MCC-MNC its own SIMs carry
    share: float  # of the country's subscribers
    rat_words: bool  # `2G|3G|4G|5G` instead of 3GPP codes
    cells: bool  # sends cell, lat, lon and time
    imeisv_column: bool  # sends the IMEISV in its own column
    imeisv_as_imei: bool  # passes some handsets' IMEISV in the imei column

    @property
    def columns(self) -> tuple[str, ...]:
        """Header of this operator's dump files."""
        extra = ("imeisv",) if self.imeisv_column else ()
        cells = ("cell", "lat", "lon", "time") if self.cells else ()
        return BASE_COLUMNS + extra + cells


def made_up_operators(count: int = 3) -> list[Operator]:
    """A made-up set of operators for the default region (MCC 639), as `openceir demo` uses."""
    if not 1 <= count <= len(_MADE_UP):
        raise InputError(
            f"{count} operators asked for, expected 1 to {len(_MADE_UP)}", field="operators"
        )
    return [
        Operator(id=op_id, name=name, mcc_mnc=[f"639{k + 1:02d}"])
        for k, (op_id, name) in enumerate(_MADE_UP[:count])
    ]


def profiles(operators: Sequence[Operator]) -> list[OperatorProfile]:
    """Reporting profiles for the operators, in order; market shares fall off with position."""
    weights = [1.0 / (k + 1.5) for k in range(len(operators))]
    total = sum(weights)
    out = []
    for k, op in enumerate(operators):
        style = k % 3
        out.append(
            OperatorProfile(
                id=op.id,
                name=op.name,
                mcc_mnc=op.mcc_mnc[0] if op.mcc_mnc else f"639{k + 1:02d}",
                share=weights[k] / total,
                rat_words=style == 2,
                cells=style != 2,
                imeisv_column=style == 0,
                imeisv_as_imei=style == 1,
            )
        )
    return out


def region_config(region: Region, operators: Sequence[Operator]) -> str:
    """An `openceir.toml` snippet declaring the region and these operators."""
    comment = "Written by `openceir simulate`: the region and operators of the simulated dumps."
    return region_toml(region, list(operators), comment=comment)
