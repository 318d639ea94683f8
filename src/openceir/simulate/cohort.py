"""A chunk's subscribers as they are drawn: kinds, operators, devices, serials and numbers,
and the mutable state the per-kind steps of `population` fill in (streams, truth, registers).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from openceir.errors import InputError
from openceir.simulate import numbering, radio
from openceir.simulate.catalog import RAT_MISMATCH
from openceir.simulate.luhn import with_check_digits
from openceir.simulate.numbering import Role
from openceir.simulate.rates import KIND_CODE as K
from openceir.simulate.rates import MIN_DAYS, ORDINARY
from openceir.simulate.streams import StreamBuilder
from openceir.simulate.truth import TRUTH_COLUMNS
from openceir.simulate.world import (
    CHUNK_SIZE,
    REGION_WEIGHTS,
    SERIAL_BASE,
    SERIAL_SPAN,
    World,
    pick,
)

OLD_THEFTS = 2.0  # stolen reports from before the window, per theft within it
_REGION_CUMULATIVE = np.cumsum(REGION_WEIGHTS / REGION_WEIGHTS.sum())


def _assign_kinds(world: World, rng: np.random.Generator, n: int) -> np.ndarray:
    """Carve each kind's share out of the chunk by stochastic rounding; the rest is ordinary."""
    kind = np.full(n, ORDINARY, dtype=np.int64)
    perm = rng.permutation(n)
    pos = 0
    for name, rate in world.rates.kind_rates().items():
        draw = rng.random()
        if world.days < MIN_DAYS.get(name, 1):
            rate = 0.0
        if name == "national_roamer" and len(world.operators) < 2:
            rate = 0.0
        count = min(int(rate * n + draw), n - pos)
        kind[perm[pos : pos + count]] = K[name]
        pos += count
    return kind


def allocate_serials(
    tacs: np.ndarray, widths: np.ndarray, chunk: int, capacity: int, base: np.ndarray
) -> np.ndarray:
    """Unique serials per TAC: chunk c owns offsets [c * capacity, (c + 1) * capacity).

    Offsets start at the TAC's random `base` and wrap within the allocated span, so serials
    look scattered yet never collide. A device of width 2 (dual SIM) takes two consecutive
    serials and gets the first; at the end of the span its second is 900000, never allocated.
    """
    order = np.argsort(tacs, kind="stable")
    t, w = tacs[order], widths[order]
    before = np.cumsum(w) - w
    first = np.r_[True, t[1:] != t[:-1]]
    group_start = np.maximum.accumulate(np.where(first, np.arange(t.size), 0))
    offset = before - before[group_start]
    if t.size and int((offset + w).max()) > capacity:
        raise InputError(
            "too many devices of one model for this many subscribers: lower the kind rates",
            field="rates",
        )
    serials = np.empty_like(tacs)
    serials[order] = SERIAL_BASE + (base[t] + chunk * capacity + offset) % SERIAL_SPAN
    return serials


def _rat_habits(rng: np.random.Generator, masks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each device's usual RAT (its best) and the one it adds on some days (the next best)."""
    base = np.zeros_like(masks)
    extra = np.zeros_like(masks)
    for bit in (radio.GERAN, radio.UTRAN, radio.EUTRAN, radio.NR):
        has = (masks & bit) != 0
        extra = np.where(has, base, extra)
        base = np.where(has, bit, base)
    iot_ltem = (masks & radio.LTEM) != 0
    base = np.where(
        iot_ltem, np.where(rng.random(masks.size) < 0.5, radio.LTEM, radio.EUTRAN), base
    )
    extra = np.where(iot_ltem, 0, extra)
    nbiot = masks == radio.NBIOT
    base = np.where(nbiot, radio.NBIOT, base)
    return base, extra


@dataclass
class Cohort:
    """A chunk's subscribers while their life is drawn: who they are, their devices and SIMs,
    the primary stream of each (own SIM in the first device, adjusted per kind), the streams
    and truth rows added so far. The per-kind steps below fill it in, in a fixed order."""

    world: World
    rng: np.random.Generator
    chunk: int
    g: np.ndarray  # global subscriber index
    kind: np.ndarray
    op: np.ndarray
    region: np.ndarray
    p: np.ndarray
    svn: np.ndarray
    sv_flag: np.ndarray
    tac_a: np.ndarray
    tac_b: np.ndarray
    rule: np.ndarray
    n_old: int
    imei_old: np.ndarray
    imei_a: np.ndarray
    imei_a2: np.ndarray
    imei_b: np.ndarray
    rats_a: np.ndarray
    base_a: np.ndarray
    extra_a: np.ndarray
    base_b: np.ndarray
    extra_b: np.ndarray
    own_imsi: np.ndarray
    own_msisdn: np.ndarray
    random_op: np.ndarray
    change_day: np.ndarray
    truth: dict[str, list[tuple[str, ...]]]
    b: StreamBuilder = field(default_factory=StreamBuilder)
    stolen_rows: list[tuple[int, str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        n, days = self.g.size, self.world.days
        self.s_imsi, self.s_msisdn, self.s_op = (
            self.own_imsi.copy(),
            self.own_msisdn.copy(),
            self.op.copy(),
        )
        self.s_region, self.s_base = self.region.copy(), self.base_a.copy()
        self.s_extra = self.extra_a.copy()
        self.s_start, self.s_end = np.zeros(n, np.int64), np.full(n, days, np.int64)
        self.s_p = np.where(self.kind == ORDINARY, self.p, 1.0)
        self.special = np.full(n, None, dtype=object)  # IMEI text overriding the device's

    def of(self, name: str) -> np.ndarray:
        """Indexes of the subscribers of kind `name`."""
        return np.flatnonzero(self.kind == K[name])


def draw(world: World, chunk: int) -> Cohort:
    """Kinds, operators, devices (TACs, serials, IMEIs, RAT habits) and numbers of a chunk."""
    rng = world.chunk_rng(chunk)
    cat = world.catalog
    days = world.days
    lo = chunk * CHUNK_SIZE
    n = min(CHUNK_SIZE, world.subscribers - lo)
    g = lo + np.arange(n, dtype=np.int64)
    n_ops = len(world.operators)
    kind = _assign_kinds(world, rng, n)
    op = np.searchsorted(world.op_cumulative, rng.random(n), side="right").clip(0, n_ops - 1)
    region = np.searchsorted(_REGION_CUMULATIVE, rng.random(n), side="right").clip(0, 9)
    p = rng.uniform(0.55, 1.0, n)
    svn = rng.integers(1, 99, n)
    sv_flag = rng.random(n) < world.rates.imeisv_as_imei

    tac_a = pick(rng, world.phone_pool, n)
    is_iot = kind == K["iot"]
    tac_a[is_iot] = pick(rng, world.iot_pool, int(is_iot.sum()))
    is_fake = kind == K["counterfeit"]
    tac_a[is_fake] = rng.choice(cat.counterfeit, int(is_fake.sum()))
    is_new = kind == K["brand_new_tac"]
    tac_a[is_new] = rng.choice(cat.brand_new, int(is_new.sum()))
    rule = rng.integers(0, len(RAT_MISMATCH), n)
    for r in range(len(RAT_MISMATCH)):
        sel = (kind == K["rat_mismatch"]) & (rule == r)
        tac_a[sel] = pick(rng, world.mismatch_pools[r], int(sel.sum()))
    tac_b = pick(rng, world.phone_pool, n)
    need_b = (kind == K["phone_change"]) | (kind == K["stolen"])
    width_a = np.where(kind == K["dual_sim"], 2, 1)
    # Phones reported stolen in the year before the window and never seen since.
    n_old = int(world.rates.stolen * n * OLD_THEFTS + rng.random())
    tac_old = pick(rng, world.phone_pool, n_old)
    n_b = int(need_b.sum())
    serials = allocate_serials(
        np.r_[tac_a, tac_b[need_b], tac_old],
        np.r_[width_a, np.ones(n_b + n_old, np.int64)],
        chunk,
        world.serial_capacity,
        world.serial_base,
    )
    serial_b = np.zeros(n, dtype=np.int64)
    serial_b[need_b] = serials[n : n + n_b]
    body_a = cat.tac[tac_a] * 10**6 + serials[:n]
    rats_a = cat.rats_of(tac_a)
    base_a, extra_a = _rat_habits(rng, rats_a)
    base_b, extra_b = _rat_habits(rng, cat.rats_of(tac_b))
    random_op = np.searchsorted(world.op_cumulative, rng.random(n), side="right").clip(0, n_ops - 1)
    return Cohort(
        world=world,
        rng=rng,
        chunk=chunk,
        g=g,
        kind=kind,
        op=op,
        region=region,
        p=p,
        svn=svn,
        sv_flag=sv_flag,
        tac_a=tac_a,
        tac_b=tac_b,
        rule=rule,
        n_old=n_old,
        imei_old=with_check_digits(cat.tac[tac_old] * 10**6 + serials[n + n_b :]),
        imei_a=with_check_digits(body_a),
        imei_a2=with_check_digits(body_a + 1),
        imei_b=with_check_digits(cat.tac[tac_b] * 10**6 + serial_b),
        rats_a=rats_a,
        base_a=base_a,
        extra_a=extra_a,
        base_b=base_b,
        extra_b=extra_b,
        own_imsi=numbering.imsis(world.op_mcc_mnc[op], Role.OWN, g),
        own_msisdn=numbering.msisdns(world.country_code, Role.OWN, g),
        random_op=random_op,
        change_day=rng.integers(1, max(days, 2), n),
        truth={name: [] for name in TRUTH_COLUMNS},
    )


__all__ = ["OLD_THEFTS", "Cohort", "allocate_serials", "draw"]
