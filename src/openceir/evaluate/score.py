"""Scoring published decisions against ground truth: per phenomenon, variant and measure.

Pure: cases and flags in, rows out. A pair (IMEI, SIM) is flagged when it will lose service:
on the notification list, or its IMEI on the blacklist without an exception for the pair.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

GOALS: dict[str, tuple[str, float]] = {
    "genuine owners wrongly flagged": ("<=", 0.01),
    "cloned IMEIs flagged": (">=", 0.99),
    "clone pairs flagged": (">=", 0.99),
    "IMEIs flagged (past the delay)": (">=", 0.99),
    "pairs flagged": ("<=", 0.001),
}
"""Issue 15's goal for each measure: (direction, share)."""


@dataclass(frozen=True)
class Case:
    """One truth item: phenomenon, variant, role (`genuine`, `clone`, `imei`, `pair`), the
    14-digit IMEI and the SIM (None for IMEI-level cases)."""

    phenomenon: str
    variant: str
    role: str
    ident: str
    imsi: str | None = None


@dataclass
class Flags:
    """What one system decided: blacklisted IMEIs, pairs excepted, pairs notified."""

    blacklisted: set[str] = field(default_factory=set)
    excepted: set[tuple[str, str]] = field(default_factory=set)
    notified: set[tuple[str, str]] = field(default_factory=set)
    undecided: set[str] = field(default_factory=set)
    """IMEIs whose clone group is undecided: their SIMs are notified and invited to claim."""

    def pair(self, ident: str, imsi: str) -> bool:
        """Whether the pair loses service (now, or when its notification runs out) without
        having been invited to claim the phone."""
        if (ident, imsi) in self.notified:
            return ident not in self.undecided
        return ident in self.blacklisted and (ident, imsi) not in self.excepted

    def invited(self, ident: str, imsi: str) -> bool:
        """Whether the pair was notified as part of an undecided group (invited to claim)."""
        return ident in self.undecided and (ident, imsi) in self.notified

    def loses(self, ident: str, imsi: str) -> bool:
        """Whether the pair loses service unless someone acts (flagged or invited)."""
        if (ident, imsi) in self.notified:
            return True
        return ident in self.blacklisted and (ident, imsi) not in self.excepted

    def imei(self, ident: str) -> bool:
        """Whether any pair of the IMEI loses service, or the IMEI is blacklisted."""
        return ident in self.blacklisted or ident in {i for i, _ in self.notified}


@dataclass(frozen=True)
class Row:
    """One line of the table: the share per system and whether openceir meets the goal."""

    phenomenon: str
    variant: str
    measure: str
    n: int
    baseline: float
    openceir: float

    @property
    def meets_goal(self) -> bool:
        if self.measure not in GOALS:
            return True
        way, share = GOALS[self.measure]
        return self.openceir <= share if way == "<=" else self.openceir >= share


def ident(imei: str) -> str:
    """The engine's id of a truth IMEI: its first 14 digits."""
    return imei[:14]


def _share(hits: int, n: int) -> float:
    return hits / n if n else 0.0


def score(cases: list[Case], baseline: Flags, ours: Flags) -> list[Row]:
    """The table rows, phenomenon by phenomenon and variant by variant, sorted."""
    groups: dict[tuple[str, str], list[Case]] = defaultdict(list)
    for case in cases:
        groups[(case.phenomenon, case.variant)].append(case)
    rows = []
    for (phenomenon, variant), mine in sorted(groups.items()):
        by_role: dict[str, list[Case]] = defaultdict(list)
        for case in mine:
            by_role[case.role].append(case)

        def pairs(items: list[Case], flags: Flags) -> int:
            return sum(flags.pair(c.ident, c.imsi or "") for c in items)

        def invited(items: list[Case], flags: Flags) -> int:
            return sum(flags.invited(c.ident, c.imsi or "") for c in items)

        def losing(items: list[Case], flags: Flags) -> int:
            return sum(flags.loses(c.ident, c.imsi or "") for c in items)

        def imeis(items: list[Case], flags: Flags) -> int:
            return sum(flags.imei(i) for i in {c.ident for c in items})

        measures = []
        if by_role["genuine"]:
            g = by_role["genuine"]
            measures.append(("genuine owners wrongly flagged", len(g), pairs, g))
            measures.append(("genuine owners invited to claim (undecided)", len(g), invited, g))
            measures.append(("cloned IMEIs flagged", len({c.ident for c in g}), imeis, g))
        if by_role["clone"]:
            measures.append(
                ("clone pairs flagged", len(by_role["clone"]), losing, by_role["clone"])
            )
        if by_role["imei"]:
            items = by_role["imei"]
            measures.append(("IMEIs flagged (past the delay)", len(items), imeis, items))
        if by_role["pair"]:
            measures.append(("pairs flagged", len(by_role["pair"]), pairs, by_role["pair"]))
        for measure, n, count, items in measures:
            rows.append(
                Row(
                    phenomenon,
                    variant,
                    measure,
                    n,
                    _share(count(items, baseline), n),
                    _share(count(items, ours), n),
                )
            )
    return rows


def read_truth(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def truth_cases(
    truth_dir: Path, pairs_of_imsi: dict[str, set[str]], past_delay: set[str]
) -> list[Case]:
    """Cases from a simulation's `truth/` files.

    `pairs_of_imsi` maps an IMSI to the IMEIs it was seen with (roamers' truth names no IMEI);
    `past_delay` holds the IMEIs of never-allocated TACs whose reporting delay has passed.
    """
    out: list[Case] = []
    for r in read_truth(truth_dir / "clones.csv"):
        v = r.get("variant") or "classic"
        out.append(Case("clone", v, "genuine", ident(r["imei"]), r["genuine_imsi"]))
        out += [Case("clone", v, "clone", ident(r["imei"]), s) for s in r["clone_imsis"].split("|")]
    for r in read_truth(truth_dir / "counterfeit_unallocated_tac.csv"):
        if ident(r["imei"]) in past_delay:
            out.append(
                Case("never-allocated TAC", r.get("variant") or "classic", "imei", ident(r["imei"]))
            )

    def look(kind: str, imei: str, imsi: str) -> None:
        out.append(Case("look-alike", kind, "pair", ident(imei), imsi))

    for r in read_truth(truth_dir / "family_sharing.csv"):
        look("family_sharing", r["imei"], r["imsi_1"])
        look("family_sharing", r["imei"], r["imsi_2"])
    for r in read_truth(truth_dir / "device_changes.csv"):
        look("phone_change", r["new_imei"], r["imsi"])
        if r["buyer_imsi"]:
            look("resale", r["old_imei"], r["imsi"])
            look("resale", r["old_imei"], r["buyer_imsi"])
    for r in read_truth(truth_dir / "sim_swaps.csv"):
        look("sim_swap", r["imei"], r["old_imsi"])
        look("sim_swap", r["imei"], r["new_imsi"])
    for r in read_truth(truth_dir / "dual_sim.csv"):
        look("dual_sim", r["imei_1"], r["imsi_1"])
        look("dual_sim", r["imei_2"], r["imsi_2"])
    for r in read_truth(truth_dir / "roamers.csv"):
        for imei in sorted(pairs_of_imsi.get(r["imsi"], ())):
            out.append(Case("look-alike", f"{r['kind']}_roamer", "pair", imei, r["imsi"]))
    for r in read_truth(truth_dir / "brand_new_tac.csv"):
        look("brand_new_tac", r["imei"], r["imsi"])
    return out


__all__ = ["GOALS", "Case", "Flags", "Row", "ident", "read_truth", "score", "truth_cases"]
