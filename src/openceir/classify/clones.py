"""Clone differentiation (ITU-T Q.5052 §9, deciding the genuine device): for a duplicated
IMEI, which (IMEI, IMSI) pair is the genuine device and which are clones, by weighing every
piece of evidence.

Each piece of evidence gives points to one SIM, for (+) or against (-) it being the genuine
device, with the weight stated in `WEIGHTS`:

- pairing (+6): the SIM is paired with the IMEI on the pairing list (when not every SIM is).
- binding (-5, +/-3): the ledger's manufacturer binding names the model; a SIM using a radio
  technology that model lacks is in another device (-5); when some SIM reports the factory
  software version, it gains (+3) and SIMs reporting other versions lose (-3).
- registration (-4): a SIM used a radio technology the registered device lacks. When the
  registration contradicts the TAC catalog (it names other radio technologies than the
  catalog's model has), the registration is reported as contradictory and weighs 1, not 4.
- radio technology (-4): a SIM used a radio technology no TAC of the model supports.
- earliest use (up to +3): the one SIM seen first, `lead` days before any other, gains
  `3 * (1 - (1 - p) ** lead)`, where `p` is how steadily the next SIM was seen once it
  appeared: had a steady SIM been there earlier, it would have been seen. A lead of one day
  counts when the others are steady; all SIMs on the first day give nothing.
- continuity (+1): the earliest SIM was used on `min_steady_days` days or more over a lead
  of `min_lead_days` days or more.
- software version (-1): with a clear earliest SIM (earliest use 1.5 or more), a SIM whose
  device reports a software version the earliest device never reported.
- earlier runs (+2): an earlier run decided this SIM was the genuine device.

The SIM with the most points is the genuine device when it leads the next one by `MARGIN`
points or more; the confidence is the logistic of that lead. Otherwise the group is
undecided: the explanation says which evidence is missing and how the owner can claim the
phone, and the undecided policy (`POLICIES`) says what happens to its SIMs.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from openceir.classify.evidence import Binding, ImsiUse, Registered, rat_words

WEIGHTS: dict[str, float] = {
    "pairing": 6.0,
    "binding_rat": -5.0,
    "binding_version": 3.0,
    "registration": -4.0,
    "registration_contradicted": -1.0,
    "rat_consistency": -4.0,
    "earliest": 3.0,
    "continuity": 1.0,
    "imeisv": -1.0,
    "earlier_run": 2.0,
}
"""Points per piece of evidence (positive: for the SIM being the genuine device)."""

MARGIN = 2.0
"""Points the genuine SIM must lead the next one by."""

POLICIES = ("invite_claims", "block_all", "wait")
"""What an undecided group's SIMs get: `invite_claims` (default) notifies every SIM and
invites ownership claims during the grace period, then blocks the unclaimed pairs;
`block_all` blocks every pair after the grace period without an invitation; `wait` blocks
nothing until the evidence decides (the IMEI stays on the state, informational)."""

ORDER = ("pairing", "binding", "registration", "rat_consistency", "earliest", "imeisv")
"""Kinds of evidence, in the order the explanation lists them."""


@dataclass(frozen=True)
class Piece:
    """One piece of evidence: its kind, the SIM it speaks about, its points and the words."""

    kind: str
    imsi: str
    points: float
    why: str


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _sims(imsis: Iterable[str]) -> str:
    got = sorted(imsis)
    return ("SIM " if len(got) == 1 else "SIMs ") + ", ".join(got)


def _rats_outside(uses: list[ImsiUse], allowed: int) -> dict[str, int]:
    return {u.imsi: u.rats & ~allowed for u in uses if u.rats & ~allowed}


def _pairing(uses: list[ImsiUse], paired: set[str] | None) -> list[Piece]:
    got = frozenset(paired or ()) & {u.imsi for u in uses}
    if not got or len(got) == len(uses):
        return []
    return [
        Piece(
            "pairing",
            i,
            WEIGHTS["pairing"],
            f"SIM {i} is paired with this IMEI on the pairing list",
        )
        for i in sorted(got)
    ]


def _binding(uses: list[ImsiUse], binding: Binding | None) -> list[Piece]:
    if binding is None:
        return []
    by = f" ({binding.participant})" if binding.participant else ""
    made = (
        f"the manufacturer{by} recorded on the ledger that this IMEI was made as model "
        f"{binding.model}"
    )
    out = []
    if binding.rats:
        for imsi, mask in sorted(_rats_outside(uses, binding.rats).items()):
            out.append(
                Piece(
                    "binding",
                    imsi,
                    WEIGHTS["binding_rat"],
                    f"{made}; SIM {imsi} used {rat_words(mask)}, which that model does not have",
                )
            )
    sv = binding.software_version
    if sv and any(sv in u.svns for u in uses):
        for u in uses:
            if sv in u.svns:
                out.append(
                    Piece(
                        "binding",
                        u.imsi,
                        WEIGHTS["binding_version"],
                        f"{made} with software version {sv}; SIM {u.imsi}'s device reports it",
                    )
                )
            elif u.svns:
                out.append(
                    Piece(
                        "binding",
                        u.imsi,
                        -WEIGHTS["binding_version"],
                        f"{made} with software version {sv}; SIM {u.imsi}'s device reports "
                        f"{', '.join(sorted(u.svns))}",
                    )
                )
    return out


def _registration(
    uses: list[ImsiUse], reg: Registered | None, model_rats: int | None
) -> tuple[list[Piece], str | None]:
    """Pieces against SIMs on RATs the registered device lacks, and the contradiction, if any."""
    if reg is None or not reg.rats:
        return [], None
    odd = _rats_outside(uses, reg.rats)
    contradiction = None
    weight = WEIGHTS["registration"]
    if model_rats and reg.rats != model_rats:
        contradiction = (
            f"the registration ({reg.words()}) contradicts the TAC catalog, whose model has "
            f"{rat_words(model_rats)}: it is weighed down"
        )
        weight = WEIGHTS["registration_contradicted"]
    pieces = [
        Piece(
            "registration",
            imsi,
            weight,
            f"the IMEI is registered for {reg.words()}, but SIM {imsi} used {rat_words(mask)}",
        )
        for imsi, mask in sorted(odd.items())
    ]
    return pieces, contradiction


def _rat_consistency(uses: list[ImsiUse], model_rats: int | None) -> list[Piece]:
    if not model_rats:
        return []
    return [
        Piece(
            "rat_consistency",
            imsi,
            WEIGHTS["rat_consistency"],
            f"SIM {imsi} used {rat_words(mask)}, which the model of this TAC does not support "
            f"({rat_words(model_rats)})",
        )
        for imsi, mask in sorted(_rats_outside(uses, model_rats).items())
    ]


def _activity(use: ImsiUse) -> float:
    """The share of days from its first to its last sighting on which the SIM was seen."""
    span = (use.last_seen - use.first_seen).days + 1
    return min(1.0, len(use.days) / span) if span > 0 else 1.0


def _earliest(uses: list[ImsiUse], lead_days: int, steady_days: int) -> tuple[list[Piece], float]:
    """Pieces for the one SIM seen first (earliest use, continuity); and its earliest points."""
    if len(uses) < 2:
        return [], 0.0
    first, nxt, *_ = sorted(uses, key=lambda u: (u.first_seen, u.imsi))
    lead = (nxt.first_seen - first.first_seen).days
    if lead <= 0:
        return [], 0.0
    p = _activity(nxt)
    points = WEIGHTS["earliest"] * (1 - (1 - p) ** lead)
    out = [
        Piece(
            "earliest",
            first.imsi,
            round(points, 2),
            f"SIM {first.imsi} used the IMEI from {first.first_seen}, {lead} "
            f"day{'s' if lead > 1 else ''} before any other SIM (SIM {nxt.imsi}, from "
            f"{nxt.first_seen}, seen on {p:.0%} of its days since: had it been there earlier, "
            f"it would {'likely ' if p < 0.9 else ''}have been seen)",
        )
    ]
    before = [d for d in first.days if d < nxt.first_seen]
    if lead >= lead_days and len(before) >= steady_days:
        out.append(
            Piece(
                "earliest",
                first.imsi,
                WEIGHTS["continuity"],
                f"SIM {first.imsi} was used steadily on {len(before)} days before another SIM "
                "appeared",
            )
        )
    return out, points


def _imeisv(uses: list[ImsiUse], earliest_points: float) -> list[Piece]:
    if earliest_points < 1.5:
        return []
    first, *others = sorted(uses, key=lambda u: (u.first_seen, u.imsi))
    if not first.svns:
        return []
    return [
        Piece(
            "imeisv",
            u.imsi,
            WEIGHTS["imeisv"],
            f"SIM {u.imsi}'s device reports software version {', '.join(sorted(u.svns))}, "
            f"which the device in use first (SIM {first.imsi}) never reported",
        )
        for u in others
        if u.svns and not u.svns & first.svns
    ]


def _earlier(uses: list[ImsiUse], genuine_before: Iterable[str] | None) -> list[Piece]:
    here = {u.imsi for u in uses}
    return [
        Piece(
            "earlier_run",
            i,
            WEIGHTS["earlier_run"],
            f"an earlier classification run decided SIM {i} was the genuine device",
        )
        for i in sorted(set(genuine_before or ()) & here)
    ]


def _missing(
    uses: list[ImsiUse],
    paired: set[str] | None,
    registered: Registered | None,
    binding: Binding | None,
) -> list[str]:
    out = []
    if not paired:
        out.append("no SIM is paired with this IMEI on the pairing list")
    out.append("no ownership claim has been made")
    if binding is None:
        out.append("the manufacturer recorded no binding for this IMEI on the ledger")
    if registered is None:
        out.append("the IMEI is not registered")
    first = min(u.first_seen for u in uses)
    together = [u.imsi for u in uses if u.first_seen == first]
    if len(together) > 1:
        out.append(f"{_sims(together)} were all first seen on {first}")
    return out


def decide(
    uses: list[ImsiUse],
    *,
    registered: Registered | None = None,
    paired: set[str] | None = None,
    binding: Binding | None = None,
    model_rats: int | None = None,
    genuine_before: Iterable[str] | None = None,
    min_lead_days: int = 4,
    min_steady_days: int = 3,
    policy: str = "invite_claims",
) -> dict[str, Any]:
    """Tell the genuine pair from the clones of one duplicated IMEI; pure.

    Returns `decided`, `confidence` (0.5-1), `points` per SIM, `evidence` (each piece:
    kind, imsi, points, why), `contradictions`, `basis` (the kind that gave the genuine SIM
    most of its lead), `bases` (kinds that spoke), `genuine_imsis`, `clone_imsis` (every
    SIM when undecided), `missing` (what would decide an undecided group), `policy` and
    `explanation` (sentences to read out).
    """
    if policy not in POLICIES:
        raise ValueError(f"unknown undecided policy {policy!r} (known: {', '.join(POLICIES)})")
    imsis = sorted(u.imsi for u in uses)
    reg_pieces, contradiction = _registration(uses, registered, model_rats)
    early, early_points = _earliest(uses, min_lead_days, min_steady_days)
    pieces = [
        *_pairing(uses, paired),
        *_binding(uses, binding),
        *reg_pieces,
        *_rat_consistency(uses, model_rats),
        *early,
        *_imeisv(uses, early_points),
        *_earlier(uses, genuine_before),
    ]
    points: dict[str, float] = dict.fromkeys(imsis, 0.0)
    by_kind: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for piece in pieces:
        points[piece.imsi] += piece.points
        by_kind[piece.kind][piece.imsi] += piece.points
    ranked = sorted(imsis, key=lambda i: (-points[i], i))
    top = ranked[0]
    lead = points[top] - points[ranked[1]] if len(ranked) > 1 else 0.0
    contradictions = [contradiction] if contradiction else []
    listed = [
        f"{_upper_first(p.why)} ({p.points:+.1f} for SIM {p.imsi})"
        for p in sorted(pieces, key=lambda p: (ORDER.index(_kind_group(p.kind)), p.imsi))
    ]
    common = {
        "points": {i: round(points[i], 2) for i in imsis},
        "evidence": [p.__dict__ for p in pieces],
        "contradictions": contradictions,
        "bases": sorted({_kind_group(p.kind) for p in pieces}, key=ORDER.index),
        "policy": policy,
        "conflict": bool(contradictions),
    }
    said = " ".join(f"{line}." for line in [*listed, *map(_upper_first, contradictions)])
    if len(ranked) > 1 and lead >= MARGIN:
        gain = {
            k: v.get(top, 0.0) - max(v.get(i, 0.0) for i in ranked[1:]) for k, v in by_kind.items()
        }
        basis = _kind_group(max(gain, key=lambda k: (gain[k], k)))
        confidence = 1 / (1 + math.exp(-lead))
        clones = [i for i in imsis if i != top]
        text = (
            f"{said} SIM {top} is the genuine device (confidence {confidence:.0%}, leading by "
            f"{lead:.1f} points) and stays in service; {_sims(clones)} "
            f"{'is a clone' if len(clones) == 1 else 'are clones'} and will be blocked."
        )
        return {
            **common,
            "decided": True,
            "confidence": round(confidence, 3),
            "basis": basis,
            "genuine_imsis": [top],
            "clone_imsis": clones,
            "missing": [],
            "explanation": text.strip(),
        }
    missing = _missing(uses, paired, registered, binding)
    if not pieces:
        said = "No evidence tells the genuine device apart."
    elif len(ranked) > 1:
        said += f" SIM {top} leads by {lead:.1f} points, less than the {MARGIN:.1f} needed."
    then = {
        "invite_claims": "Every SIM is notified and invited to claim the phone during the grace "
        "period; pairs not claimed by then are blocked.",
        "block_all": "Every SIM using this IMEI is treated as duplicated and blocked after the "
        "grace period.",
        "wait": "No SIM is blocked until the evidence decides.",
    }[policy]
    text = (
        f"{said} Undecided: {'; '.join(missing)}. The owner can claim the phone with an "
        f"ownership claim (proof of purchase for this IMEI and the SIM's number) before the "
        f"block date; a claimed pair stays in service. {then}"
    )
    return {
        **common,
        "decided": False,
        "confidence": round(1 / (1 + math.exp(-lead)), 3) if len(ranked) > 1 else 0.5,
        "basis": None,
        "genuine_imsis": [],
        "clone_imsis": imsis,
        "missing": missing,
        "explanation": text.strip(),
    }


def _kind_group(kind: str) -> str:
    return "earliest" if kind in ("earliest", "earlier_run") else kind


__all__ = ["MARGIN", "ORDER", "POLICIES", "WEIGHTS", "Piece", "decide"]
