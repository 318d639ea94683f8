"""Clone differentiation (ITU-T Q.5052 §9, deciding the genuine device): for a duplicated
IMEI, which (IMEI, IMSI) pairs are the genuine device and which are clones.

Evidence, strongest first (`ORDER`):

1. registration: the device the IMEI is registered for (registration list: make, model,
   radio interfaces). A SIM that used the IMEI on a radio technology that device lacks is in
   another device. The list names no owner or SIM, so it rules SIMs out, never in.
2. pairing: a SIM paired with the IMEI on the pairing list is the owner's.
3. manufacturer binding: the ledger's `device_manufactured` event (model, and optionally the
   software version the device left the factory with). A SIM that used a radio technology the
   bound model lacks, or whose device reports another software version while another SIM's
   device reports the bound one, is in another device.
4. continuity of use: the SIM used steadily (`min_steady_days` days or more) for at least
   `min_lead_days` before any other SIM appeared is the genuine device.
5. IMEISV and RAT consistency: a SIM whose device reports a software version the device in
   steady use first (`min_steady_days` before any other SIM) never reported, or that used a
   radio technology no TAC of the model supports, is in another device.

Registration, binding, IMEISV and RAT consistency rule SIMs out; pairing and continuity name
the genuine SIM. Each kind is applied strongest first to the SIMs still in question. The
first kind that names the genuine SIM decides; weaker evidence that points elsewhere is
stated, not followed. A single SIM left after the others were ruled out is the genuine one.
When a kind would rule out every SIM still in question, the evidence conflicts; when several
SIMs remain and nothing names one, the evidence cannot decide. Either way no SIM is kept:
every pair is treated as duplicated, and the explanation says why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from openceir.classify.evidence import Binding, ImsiUse, Registered, rat_words

ORDER = ("registration", "pairing", "binding", "continuity", "imeisv", "rat_consistency")
"""Kinds of evidence, strongest first (issue #4: registration, pairing, manufacturer binding,
continuity of use, IMEISV and RAT consistency with the model)."""

RELATIVE = frozenset({"continuity", "imeisv"})
"""Kinds whose verdict depends on which other SIMs are in question (who was first)."""

_WORDS = {
    "registration": "registration",
    "pairing": "pairing",
    "binding": "the manufacturer binding",
    "continuity": "continuity of use",
    "imeisv": "the software versions",
    "rat_consistency": "the radio technologies",
}


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _sentences(facts: list[str]) -> str:
    return " ".join(f"{_upper_first(f)}." for f in facts)


@dataclass(frozen=True)
class Verdict:
    """What one kind of evidence says: the SIMs that may be the genuine device (`keep`),
    whether it names them (pairing, continuity) or only rules the others out, and why."""

    kind: str
    keep: frozenset[str]
    names: bool
    why: str


def _sims(imsis: Iterable[str]) -> str:
    got = sorted(imsis)
    return ("SIM " if len(got) == 1 else "SIMs ") + ", ".join(got)


def _rats_outside(uses: list[ImsiUse], allowed: int) -> dict[str, int]:
    return {u.imsi: u.rats & ~allowed for u in uses if u.rats & ~allowed}


def _outside_words(odd: dict[str, int]) -> str:
    return "; ".join(
        f"{_sims([imsi])} used {rat_words(mask)}" for imsi, mask in sorted(odd.items())
    )


def _registration(uses: list[ImsiUse], reg: Registered | None) -> Verdict | None:
    if reg is None or not reg.rats:
        return None
    odd = _rats_outside(uses, reg.rats)
    if not odd:
        return None
    keep = frozenset(u.imsi for u in uses) - set(odd)
    return Verdict(
        "registration",
        keep,
        False,
        f"the IMEI is registered for {reg.words()}, but {_outside_words(odd)}, which that "
        f"device does not have: {'that SIM is' if len(odd) == 1 else 'those SIMs are'} "
        "in another device",
    )


def _pairing(uses: list[ImsiUse], paired: set[str] | None) -> Verdict | None:
    got = frozenset(paired or ()) & {u.imsi for u in uses}
    if not got or len(got) == len(uses):
        return None
    return Verdict(
        "pairing",
        got,
        True,
        f"{_sims(got)} {'is' if len(got) == 1 else 'are'} paired with this IMEI on the "
        "pairing list",
    )


def _binding(uses: list[ImsiUse], binding: Binding | None) -> Verdict | None:
    if binding is None:
        return None
    by = f" ({binding.participant})" if binding.participant else ""
    made = (
        f"the manufacturer{by} recorded on the ledger that this IMEI was made as model "
        f"{binding.model}"
    )
    facts, out = [], set()
    if binding.rats:
        odd = _rats_outside(uses, binding.rats)
        if odd:
            facts.append(f"{_outside_words(odd)}, which that model does not have")
            out |= set(odd)
    sv = binding.software_version
    if sv and any(sv in u.svns for u in uses):
        other = {u.imsi: u.svns for u in uses if u.svns and sv not in u.svns}
        if other:
            shown = "; ".join(
                f"{_sims([i])}'s device reports software version {', '.join(sorted(v))}"
                for i, v in sorted(other.items())
            )
            with_sv = sorted(u.imsi for u in uses if sv in u.svns)
            facts.append(f"{shown}, while {_sims(with_sv)}'s reports the factory version {sv}")
            out |= set(other)
    if not out:
        return None
    return Verdict(
        "binding",
        frozenset(u.imsi for u in uses) - out,
        False,
        f"{made}{f' with software version {sv}' if sv else ''}, but {'; '.join(facts)}",
    )


def _continuity(
    uses: list[ImsiUse], lead_days: int, steady_days: int, next_sim: str = "another SIM"
) -> Verdict | None:
    if len(uses) < 2:
        return None
    first, *others = sorted(uses, key=lambda u: (u.first_seen, u.imsi))
    dup_start = min(u.first_seen for u in others)
    before = [d for d in first.days if d < dup_start]
    if (dup_start - first.first_seen).days < lead_days or len(before) < steady_days:
        return None
    return Verdict(
        "continuity",
        frozenset([first.imsi]),
        True,
        f"{_sims([first.imsi])} used the IMEI on {len(before)} days from {first.first_seen} "
        f"before {next_sim} appeared on {dup_start}",
    )


def _imeisv(uses: list[ImsiUse], steady_days: int) -> Verdict | None:
    if len(uses) < 2:
        return None
    first, *others = sorted(uses, key=lambda u: (u.first_seen, u.imsi))
    dup_start = min(u.first_seen for u in others)
    steady = sum(1 for d in first.days if d < dup_start)
    if not first.svns or steady < steady_days:
        return None  # no steady version to compare with
    other = {u.imsi: u.svns for u in others if u.svns and not u.svns & first.svns}
    if not other:
        return None
    shown = "; ".join(
        f"{_sims([i])}'s device reports {', '.join(sorted(v))}" for i, v in sorted(other.items())
    )
    return Verdict(
        "imeisv",
        frozenset(u.imsi for u in uses) - set(other),
        False,
        f"the device in use first ({_sims([first.imsi])}, on {steady} days from "
        f"{first.first_seen} before {dup_start}) reports software version "
        f"{', '.join(sorted(first.svns))}; {shown}: a different device",
    )


def _rat_consistency(uses: list[ImsiUse], model_rats: int | None) -> Verdict | None:
    if not model_rats:
        return None
    odd = _rats_outside(uses, model_rats)
    if not odd:
        return None
    return Verdict(
        "rat_consistency",
        frozenset(u.imsi for u in uses) - set(odd),
        False,
        f"{_outside_words(odd)}, which the model of this TAC does not support "
        f"({rat_words(model_rats)})",
    )


def decide(
    uses: list[ImsiUse],
    *,
    registered: Registered | None = None,
    paired: set[str] | None = None,
    binding: Binding | None = None,
    model_rats: int | None = None,
    min_lead_days: int = 4,
    min_steady_days: int = 3,
) -> dict[str, Any]:
    """Tell the genuine pairs from the clones of one duplicated IMEI; pure.

    Returns `decided`, `basis` (the kind of evidence that decided), `bases` (every kind that
    ruled SIMs out or named the genuine one, strongest first), `conflict`, `genuine_imsis`,
    `clone_imsis` (every SIM when undecided) and `explanation` (sentences to read out).
    """
    imsis = frozenset(u.imsi for u in uses)
    by_imsi = {u.imsi: u for u in uses}
    kinds: dict[str, Callable[[list[ImsiUse]], Verdict | None]] = {
        "registration": lambda us: _registration(us, registered),
        "pairing": lambda us: _pairing(us, paired),
        "binding": lambda us: _binding(us, binding),
        "continuity": lambda us: _continuity(
            us,
            min_lead_days,
            min_steady_days,
            "another SIM" if len(us) == len(imsis) else "another SIM not ruled out above",
        ),
        "imeisv": lambda us: _imeisv(us, min_steady_days),
        "rat_consistency": lambda us: _rat_consistency(us, model_rats),
    }
    left, facts, bases, decided_by = imsis, [], [], None
    disagree: list[str] = []
    for kind in ORDER:
        # Continuity and software versions are relative to the other SIMs: they are asked
        # about the SIMs still in question, so a SIM already ruled out cannot hide the others'
        # steady use. The other kinds are facts about each SIM, asked about all of them.
        relative = kind in RELATIVE and decided_by is None
        verdict = kinds[kind]([by_imsi[i] for i in sorted(left if relative else imsis)])
        if verdict is None:
            continue
        if decided_by is not None:
            if not verdict.keep & left:
                disagree.append(f"{verdict.why}; {_WORDS[decided_by]} is the stronger evidence")
            continue
        keep = verdict.keep & left
        if not keep:
            if facts:
                why = f"The evidence conflicts. {_sentences(facts)} Yet {verdict.why}"
            else:
                why = f"{_upper_first(verdict.why)}. That rules out every SIM"
            return _undecided(
                imsis,
                f"{why}. No SIM can be told to be the genuine device",
                conflict=True,
                bases=[*bases, kind],
            )
        if keep == left:
            continue
        left = keep
        facts.append(verdict.why)
        bases.append(kind)
        if verdict.names:
            decided_by = kind
    if decided_by is None and len(left) == 1 and bases:
        decided_by = bases[-1]  # the other SIMs were all ruled out, and nothing disagrees
    if decided_by is None:
        if not facts:
            return _undecided(
                imsis,
                "No registration, pairing, manufacturer binding, steady earlier use, software "
                "version or radio technology tells the genuine device apart",
                bases=[],
            )
        return _undecided(
            imsis,
            f"{_sentences(facts)} Nothing tells {_sims(left)} apart",
            bases=bases,
        )
    genuine = sorted(left)
    clones = sorted(imsis - left)
    text = (
        f"{_sentences(facts)} {_sims(genuine)} "
        f"{'is' if len(genuine) == 1 else 'are'} the genuine device and "
        f"{'stays' if len(genuine) == 1 else 'stay'} in service; {_sims(clones)} "
        f"{'is a clone' if len(clones) == 1 else 'are clones'} and will be blocked."
    )
    if disagree:
        text += " Weaker evidence points elsewhere: " + "; ".join(disagree) + "."
    return {
        "decided": True,
        "basis": decided_by,
        "bases": bases,
        "conflict": False,
        "genuine_imsis": genuine,
        "clone_imsis": clones,
        "explanation": text,
    }


def _undecided(
    imsis: frozenset[str], why: str, *, bases: list[str], conflict: bool = False
) -> dict[str, Any]:
    return {
        "decided": False,
        "basis": None,
        "bases": bases,
        "conflict": conflict,
        "genuine_imsis": [],
        "clone_imsis": sorted(imsis),
        "explanation": f"{_upper_first(why)}: every SIM using this IMEI is treated as duplicated.",
    }


__all__ = ["ORDER", "Verdict", "decide"]
