"""What is known about the SIMs of a duplicated IMEI: each SIM's use of it, the device it is
registered for, the manufacturer binding; parsed from observation rows and register text.

Pure: no I/O. `clone_inputs` reads these from the sources, `clones` decides on them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from stdnum import luhn

from openceir.lake.rat import GENERATIONS, LTE, LTE_VARIANTS, interface_mask


def rat_words(mask: int) -> str:
    """`2G, 4G` for a RAT bitmask; NB-IoT and LTE-M are named only without 4G (whose
    variants they are taken to be)."""
    if mask & LTE:
        mask &= ~LTE_VARIANTS
    return ", ".join(name for bit, name in GENERATIONS.items() if mask & bit) or "none"


@dataclass(frozen=True)
class ImsiUse:
    """How one IMSI used one IMEI: first and last day, the days seen, the RATs, and the
    software versions (SVN, the IMEISV's last two digits) its device reported."""

    imsi: str
    first_seen: date
    last_seen: date
    days: frozenset[date]
    rats: int
    svns: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Registered:
    """The device an IMEI is registered for: make, model and its radio technologies."""

    make: str | None = None
    model: str | None = None
    rats: int | None = None

    def words(self) -> str:
        name = " ".join(t for t in (self.make, self.model) if t) or "a device"
        return name if self.rats is None else f"{name} ({rat_words(self.rats)})"


@dataclass(frozen=True)
class Binding:
    """The manufacturer binding on the ledger: model, its RATs, the factory software version."""

    model: str
    rats: int | None = None
    software_version: str | None = None
    participant: str | None = None


def uses_from_rows(rows: list[dict[str, Any]]) -> dict[int, list[ImsiUse]]:
    """Per IMEI key, its IMSIs' use, from observation rows (day_mask expanded to dates)."""
    acc: dict[tuple[int, str], dict[str, Any]] = {}
    for r in rows:
        k = (r["imei_key"], r["imsi"])
        a = acc.setdefault(
            k,
            {
                "first": r["first_seen"],
                "last": r["last_seen"],
                "days": set(),
                "rats": 0,
                "sv": set(),
            },
        )
        a["first"] = min(a["first"], r["first_seen"])
        a["last"] = max(a["last"], r["last_seen"])
        a["rats"] |= r["rat_mask"] or 0
        a["sv"].update(sv[-2:] for sv in r.get("imeisv") or () if sv and len(sv) == 16)
        year, month = (int(x) for x in r["month"].split("-"))
        mask = r["day_mask"] or 0
        for d in range(31):
            if mask >> d & 1:
                a["days"].add(date(year, month, d + 1))
    out: dict[int, list[ImsiUse]] = defaultdict(list)
    for (key, imsi), a in acc.items():
        out[key].append(
            ImsiUse(
                imsi, a["first"], a["last"], frozenset(a["days"]), a["rats"], frozenset(a["sv"])
            )
        )
    return out


def imei15(key: int) -> str:
    """The 15-digit IMEI of a 14-digit key: the key and its Luhn check digit (TS 23.003)."""
    body = f"{key:014d}"
    return body + luhn.calc_check_digit(body)


__all__ = [
    "Binding",
    "ImsiUse",
    "Registered",
    "imei15",
    "interface_mask",
    "rat_words",
    "uses_from_rows",
]
