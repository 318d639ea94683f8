"""Cloned IMEIs: the copies of a genuine device, after one named variant per IMEI."""

from __future__ import annotations

import numpy as np

from openceir.simulate import numbering, radio
from openceir.simulate.cohort import Cohort

CLONE_VARIANTS = (
    "classic",
    "close_start",
    "complete_from_start",
    "large_group",
    "same_operator",
    "mimic",
    "intermittent_owner",
    "model_only_registration",
    "registration_contradicts_catalog",
)
"""How the copies of a cloned IMEI behave, one named variant per cloned IMEI (truth column
`variant`): `classic` copies start a third of the window or more after the genuine device,
1-3 of them, on any operator, far away, with another software version; `close_start` copies
start 0-3 days after it; `complete_from_start` copies are there on the data's first day;
`large_group` has a heavy-tailed group of 2 to several hundred SIMs; `same_operator` copies
are on the owner's operator and in the owner's region; `mimic` copies report the genuine
software version (and RATs); `intermittent_owner` the genuine SIM is seen on 15-35% of days;
`model_only_registration` the IMEI is registered (model only) and not paired, copies start
0-3 days after; `registration_contradicts_catalog` as that, but the registration names radio
technologies narrower than the catalog's (the genuine device uses one it does not name)."""

MAX_GROUP = 400  # SIMs of one cloned IMEI at most (`large_group`)
LATE_COUNTERFEITS = 0.3  # counterfeits first seen in the last two weeks, their TAC long seen
_CLOSE = frozenset({"close_start", "model_only_registration", "registration_contradicts_catalog"})
_UNPAIRED = frozenset({"model_only_registration", "registration_contradicts_catalog"})


def _clone_counts(rng: np.random.Generator, variant: list[str], g: np.ndarray) -> np.ndarray:
    """Copies per cloned IMEI: 1-3, or heavy-tailed (Pareto) up to MAX_GROUP - 1 SIMs."""
    count = rng.integers(1, 4, len(variant))
    big = np.array([v == "large_group" for v in variant], dtype=bool)
    tail = (rng.pareto(1.1, len(variant)) * 4).astype(np.int64) + 1
    count = np.where(big, np.minimum(tail, MAX_GROUP - 1), count)
    return np.where(g < numbering.BIG_GROUP_SUBSCRIBERS, count, np.minimum(count, 3))


def add_clones(c: Cohort) -> None:
    """Copies of the cloned devices, each IMEI after its variant (`CLONE_VARIANTS`)."""
    world, rng, days = c.world, c.rng, c.world.days
    ix = c.of("clone")
    n = c.g.size
    c.clone_pairable = np.ones(n, dtype=bool)
    c.registration_override = np.full(n, None, dtype=object)
    if not ix.size:
        return
    names = world.clone_variants
    variant = [names[v] for v in rng.integers(0, len(names), ix.size).tolist()]
    first = rng.integers(max(1, days // 3), days, ix.size)
    close = np.array([v in _CLOSE for v in variant], dtype=bool)
    first = np.where(close, np.minimum(rng.integers(0, 4, ix.size), days - 1), first)
    first = np.where(np.array([v == "complete_from_start" for v in variant]), 0, first)
    count = _clone_counts(rng, variant, c.g[ix])
    owner = np.repeat(ix, count)  # subscriber of each clone
    nth = np.arange(owner.size) - np.repeat(np.cumsum(count) - count, count)
    v_of = np.repeat(np.array(variant, dtype=object), count)
    c_op = rng.integers(0, len(world.operators), owner.size)
    same = v_of == "same_operator"
    c_op = np.where(same, c.op[owner], c_op)
    far = world.far
    pick_far = (rng.random(owner.size) * np.array([far[r].size for r in c.region[owner]])).astype(
        int
    )
    c_region = np.array(
        [far[r][k] for r, k in zip(c.region[owner], pick_far, strict=True)], dtype=np.int64
    )
    c_region = np.where(same, c.region[owner], c_region)
    c_imsi = numbering.clone_imsis(world.op_mcc_mnc[c_op], c.g[owner], nth)
    c_msisdn = numbering.clone_msisdns(world.country_code, c.g[owner], nth)
    # Copies of a large group join over a few days; the others one day after another.
    c_start = np.minimum(np.repeat(first, count) + np.minimum(nth, 3), days - 1)
    c_svn = np.where(v_of == "mimic", c.svn[owner], (c.svn[owner] + 1 + nth) % 100)
    c.b.add(
        imei=c.imei_a[owner],
        svn=c_svn,
        imsi=c_imsi,
        msisdn=c_msisdn,
        op=c_op,
        region=c_region,
        rats=c.base_a[owner],
        extra=c.extra_a[owner],
        start=c_start,
        end=days,
    )
    date = world.dates
    ends = np.cumsum(count)
    for k, i in enumerate(ix.tolist()):
        v = variant[k]
        if v == "intermittent_owner":
            c.s_p[i] = rng.uniform(0.15, 0.35)
        if v in _UNPAIRED:
            c.clone_pairable[i] = False
        if v == "registration_contradicts_catalog":
            c.registration_override[i] = radio.radio_interface(_narrower(int(c.rats_a[i])))
        mine = slice(ends[k] - count[k], ends[k])
        imei = f"{c.imei_a[i]:015d}"
        c.truth["clones"].append(
            (
                imei,
                str(c.own_imsi[i]),
                "|".join(map(str, c_imsi[mine].tolist())),
                date[first[k]],
                str(c.region[i]),
                "|".join(map(str, c_region[mine].tolist())),
                v,
            )
        )
        with_sv = [
            m
            for m in range(mine.start, mine.stop)
            if world.operators[c_op[m]].imeisv_column and c_svn[m] != c.svn[i]
        ]
        if with_sv and world.operators[c.op[i]].imeisv_column:
            c.truth["imeisv_conflict"].append(
                (
                    imei,
                    f"{imei[:14]}{c.svn[i]:02d}",
                    "|".join(f"{imei[:14]}{c_svn[m]:02d}" for m in with_sv),
                    date[min(c_start[m] for m in with_sv)],
                )
            )


def _narrower(rats: int) -> int:
    """Radio technologies a contradicting registration names: the model's without its best."""
    for bit in (radio.NR, radio.EUTRAN, radio.UTRAN):
        if rats & bit and rats & ~bit:
            return rats & ~bit & ~(radio.LTEM | radio.NBIOT)
    return rats


__all__ = ["CLONE_VARIANTS", "LATE_COUNTERFEITS", "MAX_GROUP", "add_clones"]
