"""One chunk of subscribers: their SIMs, devices and life over the simulated days.

Each subscriber is of one kind (ordinary, dual-SIM, IoT, roamer, SIM swap, phone change,
clone victim, counterfeit, RAT mismatch, stolen, null/test IMEI, malformed, transient). The
chunk turns them into streams, register rows (registration, pairing, stolen) and ground
truth rows. Everything is drawn from the chunk's own generator, so chunks are independent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from openceir.errors import InputError
from openceir.simulate import numbering, radio
from openceir.simulate.catalog import RAT_MISMATCH
from openceir.simulate.luhn import with_check_digits
from openceir.simulate.numbering import Role
from openceir.simulate.rates import KIND_CODE as K
from openceir.simulate.rates import MIN_DAYS, ORDINARY
from openceir.simulate.registers import registration_lines
from openceir.simulate.streams import StreamBuilder, Streams
from openceir.simulate.truth import TRUTH_COLUMNS
from openceir.simulate.world import (
    CHUNK_SIZE,
    FOREIGN,
    REGION_WEIGHTS,
    SERIAL_BASE,
    SERIAL_SPAN,
    World,
    pick,
)

OLD_THEFTS = 2.0  # stolen reports from before the window, per theft within it
_REGION_CUMULATIVE = np.cumsum(REGION_WEIGHTS / REGION_WEIGHTS.sum())


@dataclass
class Chunk:
    """What one chunk contributes: its streams, register tables and truth rows."""

    streams: Streams
    registration: pa.Array  # newline-terminated CSV lines: model fields hold commas
    pairing: pa.Table
    stolen: pa.Table
    truth: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)


def _imei_text(values: np.ndarray) -> list[str]:
    return [f"{v:015d}" for v in values.tolist()]


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


def build_chunk(world: World, chunk: int) -> Chunk:
    """Generate chunk `chunk` of the subscribers; deterministic in (world, chunk)."""
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
    imei_old = with_check_digits(cat.tac[tac_old] * 10**6 + serials[n + n_b :])
    body_a = cat.tac[tac_a] * 10**6 + serials[:n]
    imei_a = with_check_digits(body_a)
    imei_a2 = with_check_digits(body_a + 1)
    imei_b = with_check_digits(cat.tac[tac_b] * 10**6 + serial_b)
    rats_a = cat.rats_of(tac_a)
    base_a, extra_a = _rat_habits(rng, rats_a)
    base_b, extra_b = _rat_habits(rng, cat.rats_of(tac_b))
    own_imsi = numbering.imsis(world.op_mcc_mnc[op], Role.OWN, g)
    own_msisdn = numbering.msisdns(world.country_code, Role.OWN, g)
    random_op = np.searchsorted(world.op_cumulative, rng.random(n), side="right").clip(0, n_ops - 1)
    change_day = rng.integers(1, max(days, 2), n)
    truth: dict[str, list[tuple[str, ...]]] = {name: [] for name in TRUTH_COLUMNS}
    date = world.dates

    # The primary stream: the subscriber's own SIM in its first device, adjusted per kind.
    s_imsi, s_msisdn, s_op = own_imsi.copy(), own_msisdn.copy(), op.copy()
    s_region, s_base, s_extra = region.copy(), base_a.copy(), extra_a.copy()
    s_start, s_end = np.zeros(n, np.int64), np.full(n, days, np.int64)
    s_p = np.where(kind == ORDINARY, p, 1.0)
    special = np.full(n, None, dtype=object)  # IMEI text overriding the device's, if any
    op_sv = np.array([profile.imeisv_as_imei for profile in world.operators], dtype=bool)
    b = StreamBuilder()

    ix = np.flatnonzero(kind == K["inbound_roamer"])
    if ix.size:
        home = rng.integers(0, len(FOREIGN), ix.size)
        mcc_mnc = np.array([int(FOREIGN[h][0]) for h in home.tolist()], dtype=np.int64)
        codes = np.array([FOREIGN[h][1] for h in home.tolist()], dtype=np.int64)
        s_imsi[ix] = numbering.imsis(mcc_mnc, Role.OWN, g[ix])
        s_msisdn[ix] = numbering.foreign_msisdns(codes, g[ix])
        s_op[ix] = rng.integers(0, n_ops, ix.size)
        s_region[ix] = rng.choice([0, 1], ix.size)  # capital and coast: airports, beaches
        s_start[ix] = rng.integers(0, days, ix.size)
        s_end[ix] = np.minimum(days, s_start[ix] + rng.integers(2, 11, ix.size))
        for j, i in enumerate(ix.tolist()):
            truth["roamers"].append(
                (
                    str(s_imsi[i]),
                    str(s_msisdn[i]),
                    "inbound",
                    FOREIGN[home[j]][0],
                    world.operators[s_op[i]].id,
                    date[s_start[i]],
                    date[s_end[i] - 1],
                )
            )

    ix = np.flatnonzero(kind == K["national_roamer"])
    if ix.size:
        s_op[ix] = (op[ix] + rng.integers(1, n_ops, ix.size)) % n_ops
        for i in ix.tolist():
            truth["roamers"].append(
                (
                    str(own_imsi[i]),
                    str(own_msisdn[i]),
                    "national",
                    world.operators[op[i]].mcc_mnc,
                    world.operators[s_op[i]].id,
                    date[0],
                    date[days - 1],
                )
            )

    ix = np.flatnonzero(kind == K["dual_sim"])
    if ix.size:
        op2 = random_op[ix]
        imsi2 = numbering.imsis(world.op_mcc_mnc[op2], Role.SECOND, g[ix])
        b.add(
            imei=imei_a2[ix],
            svn=svn[ix],
            imsi=imsi2,
            msisdn=numbering.msisdns(world.country_code, Role.SECOND, g[ix]),
            op=op2,
            region=region[ix],
            rats=base_a[ix],
            extra=extra_a[ix],
            start=0,
            end=days,
            p=p[ix],
        )
        for k, i in enumerate(ix.tolist()):
            truth["dual_sim"].append(
                (f"{imei_a[i]:015d}", f"{imei_a2[i]:015d}", str(own_imsi[i]), str(imsi2[k]))
            )

    ix = np.flatnonzero(kind == K["sim_swap"])
    if ix.size:
        s_end[ix] = change_day[ix]
        new = numbering.imsis(world.op_mcc_mnc[op[ix]], Role.SWAPPED, g[ix])
        b.add(
            imei=imei_a[ix],
            svn=svn[ix],
            imsi=new,
            msisdn=own_msisdn[ix],
            op=op[ix],
            region=region[ix],
            rats=base_a[ix],
            extra=extra_a[ix],
            start=change_day[ix],
            end=days,
        )
        for k, i in enumerate(ix.tolist()):
            truth["sim_swaps"].append(
                (
                    str(own_msisdn[i]),
                    f"{imei_a[i]:015d}",
                    str(own_imsi[i]),
                    str(new[k]),
                    date[change_day[i]],
                )
            )

    ix = np.flatnonzero(kind == K["phone_change"])
    if ix.size:
        s_end[ix] = change_day[ix]
        b.add(
            imei=imei_b[ix],
            svn=svn[ix],
            imsi=own_imsi[ix],
            msisdn=own_msisdn[ix],
            op=op[ix],
            region=region[ix],
            rats=base_b[ix],
            extra=extra_b[ix],
            start=change_day[ix],
            end=days,
        )
        resold = rng.random(ix.size) < world.rates.resale
        resale_day = change_day[ix] + rng.integers(0, 4, ix.size)
        resold &= resale_day < days
        sold = ix[resold]
        buyer_op = random_op[sold]
        buyer = numbering.imsis(world.op_mcc_mnc[buyer_op], Role.BUYER, g[sold])
        b.add(
            imei=imei_a[sold],
            svn=svn[sold],
            imsi=buyer,
            msisdn=numbering.msisdns(world.country_code, Role.BUYER, g[sold]),
            op=buyer_op,
            region=rng.integers(0, 10, sold.size),
            rats=base_a[sold],
            extra=extra_a[sold],
            start=resale_day[resold],
            end=days,
        )
        buyers = dict(zip(sold.tolist(), buyer.tolist(), strict=True))
        resales = dict(zip(sold.tolist(), resale_day[resold].tolist(), strict=True))
        for i in ix.tolist():
            truth["device_changes"].append(
                (
                    str(own_imsi[i]),
                    f"{imei_a[i]:015d}",
                    f"{imei_b[i]:015d}",
                    date[change_day[i]],
                    str(buyers.get(i, "")),
                    date[resales[i]] if i in resales else "",
                )
            )

    ix = np.flatnonzero(kind == K["clone"])
    if ix.size:
        _clones(world, rng, b, truth, ix, g, op, region, svn, imei_a, own_imsi, base_a, extra_a)

    for i in np.flatnonzero(kind == K["counterfeit"]).tolist():
        truth["counterfeit_unallocated_tac"].append(
            (f"{imei_a[i]:015d}", f"{cat.tac[tac_a[i]]:08d}", str(own_imsi[i]))
        )

    ix = np.flatnonzero(kind == K["rat_mismatch"])
    if ix.size:
        shown = np.array([RAT_MISMATCH[r][1] for r in rule[ix].tolist()], dtype=np.int64)
        s_base[ix] = shown
        s_extra[ix] = base_a[ix]
        for k, i in enumerate(ix.tolist()):
            truth["rat_mismatch"].append(
                (
                    f"{imei_a[i]:015d}",
                    f"{cat.tac[tac_a[i]]:08d}",
                    radio.codes(int(rats_a[i])),
                    radio.codes(int(shown[k])),
                    str(own_imsi[i]),
                )
            )

    stolen_rows: list[tuple[int, str, str]] = []
    ix = np.flatnonzero(kind == K["stolen"])
    if ix.size:
        theft = rng.integers(1, max(days - 1, 2), ix.size)
        report = np.minimum(theft + rng.integers(0, 2, ix.size), days - 2)
        s_end[ix] = theft
        b.add(
            imei=imei_b[ix],
            svn=svn[ix],
            imsi=own_imsi[ix],
            msisdn=own_msisdn[ix],
            op=op[ix],
            region=region[ix],
            rats=base_b[ix],
            extra=extra_b[ix],
            start=report + 1,
            end=days,
        )
        reused = rng.random(ix.size) < world.rates.stolen_reuse
        again = np.minimum(report + 1 + rng.integers(0, 3, ix.size), days - 1)
        status = np.where(rng.random(ix.size) < 0.8, "stolen", "")
        thieves = ix[reused]
        thief_op = random_op[thieves]
        thief_imsi = numbering.imsis(world.op_mcc_mnc[thief_op], Role.THIEF, g[thieves])
        b.add(
            imei=imei_a[thieves],
            svn=svn[thieves],
            imsi=thief_imsi,
            msisdn=numbering.msisdns(world.country_code, Role.THIEF, g[thieves]),
            op=thief_op,
            region=rng.integers(0, 10, thieves.size),
            rats=base_a[thieves],
            extra=extra_a[thieves],
            start=again[reused],
            end=days,
        )
        for k, i in enumerate(ix.tolist()):
            stolen_rows.append((int(imei_a[i]), date[report[k]], str(status[k])))
        for k, i in enumerate(thieves.tolist()):
            j = int(np.flatnonzero(ix == i)[0])
            truth["stolen_reused"].append(
                (
                    f"{imei_a[i]:015d}",
                    str(own_imsi[i]),
                    str(thief_imsi[k]),
                    date[report[j]],
                    date[again[j]],
                )
            )

    ix = np.flatnonzero(kind == K["null_test"])
    for i in ix.tolist():
        which = int(rng.integers(3))
        if which == 0:
            text, label = "000000000000000", "null"
        elif which == 1:
            text = world.all_same_imeis[int(rng.integers(len(world.all_same_imeis)))]
            label = "all_same_serial"
        else:
            text, label = world.test_imeis[int(rng.integers(len(world.test_imeis)))], "test_tac"
        special[i] = text
        truth["null_test_imeis"].append((text, label, str(own_imsi[i])))

    ix = np.flatnonzero(kind == K["malformed"])
    for i in ix.tolist():
        text = f"{imei_a[i]:015d}"
        which = int(rng.integers(3))
        if which == 0:
            at = int(rng.integers(8, 14))
            text, label = text[:at] + "ABCDEF"[int(rng.integers(6))] + text[at + 1 :], "hex"
        elif which == 1:
            text, label = text[:13], "13_digits"
        else:
            text, label = text + f"{int(rng.integers(100)):02d}", "17_digits"
        special[i] = text
        truth["malformed_imeis"].append((text, label, str(own_imsi[i])))

    ix = np.flatnonzero(kind == K["transient"])
    if ix.size:
        count = rng.integers(10, numbering.TRANSIENT_SIMS + 1, ix.size)
        step = rng.integers(1, 21, ix.size)
        owner = np.repeat(ix, count)
        sim = np.arange(owner.size) - np.repeat(np.cumsum(count) - count, count)
        msisdn = numbering.transient_msisdns(
            world.country_code, g[owner], sim, np.repeat(step, count)
        )
        imsi = numbering.imsis(world.op_mcc_mnc[op[owner]], Role.TRANSIENT + sim, g[owner])
        on_day = sim * days // np.repeat(count, count)
        b.add(
            imei=imei_a[owner],
            svn=svn[owner],
            imsi=imsi,
            msisdn=msisdn,
            op=op[owner],
            region=region[owner],
            rats=base_a[owner],
            extra=extra_a[owner],
            start=on_day,
            end=on_day + 1,
        )
        firsts = np.cumsum(count) - count
        for k, i in enumerate(ix.tolist()):
            truth["transient_imeis"].append(
                (f"{imei_a[i]:015d}", str(msisdn[firsts[k]]), str(step[k]), str(count[k]))
            )

    primary = kind != K["transient"]
    ordinary_sv = (kind == ORDINARY) & sv_flag
    b.add(
        imei=imei_a[primary],
        svn=svn[primary],
        imsi=s_imsi[primary],
        msisdn=s_msisdn[primary],
        op=s_op[primary],
        region=s_region[primary],
        rats=s_base[primary],
        extra=s_extra[primary],
        start=s_start[primary],
        end=s_end[primary],
        p=s_p[primary],
        special=special[primary],
        sv_as_imei=(ordinary_sv & op_sv[s_op])[primary],
    )
    for i in np.flatnonzero(ordinary_sv & op_sv[s_op]).tolist():
        imei = f"{imei_a[i]:015d}"
        truth["imeisv_as_imei"].append(
            (imei, f"{imei[:14]}{svn[i]:02d}", world.operators[s_op[i]].id, str(own_imsi[i]))
        )

    streams = b.finish(n_ops)
    registration = registration_lines(world, rng, g, kind, tac_a, tac_b, imei_a, imei_a2, imei_b)
    paired = ((kind == ORDINARY) & (rng.random(n) < world.rates.paired)) | (
        (kind == K["clone"]) & (rng.random(n) < 0.5)
    )
    pairing = pa.table(
        {
            "imei": _imei_text(imei_a[paired]),
            "imsi": pa.array(own_imsi[paired]).cast(pa.string()),
            "msisdn": pa.array(own_msisdn[paired]).cast(pa.string()),
        }
    )
    old_report = [
        (world.start - dt.timedelta(days=int(back))).strftime("%Y%m%d")
        for back in rng.integers(1, 366, n_old).tolist()
    ]
    old_status = np.where(rng.random(n_old) < 0.8, "stolen", "").tolist()
    stolen_rows += zip(imei_old.tolist(), old_report, old_status, strict=True)
    stolen = pa.table(
        {
            "imei": [f"{r[0]:015d}" for r in stolen_rows],
            "reporting_date": [r[1] for r in stolen_rows],
            "status": [r[2] for r in stolen_rows],
        }
    )
    return Chunk(streams, registration, pairing, stolen, truth)


def _clones(
    world: World,
    rng: np.random.Generator,
    b: StreamBuilder,
    truth: dict[str, list[tuple[str, ...]]],
    ix: np.ndarray,
    g: np.ndarray,
    op: np.ndarray,
    region: np.ndarray,
    svn: np.ndarray,
    imei_a: np.ndarray,
    own_imsi: np.ndarray,
    base_a: np.ndarray,
    extra_a: np.ndarray,
) -> None:
    """Clones of the devices `ix`: 1-3 each, from a day after the first, far from the genuine."""
    days = world.days
    first = rng.integers(max(1, days // 3), days, ix.size)
    count = rng.integers(1, 4, ix.size)
    owner = np.repeat(ix, count)  # subscriber of each clone
    nth = np.arange(owner.size) - np.repeat(np.cumsum(count) - count, count)
    c_op = rng.integers(0, len(world.operators), owner.size)
    far = world.far
    pick_far = (rng.random(owner.size) * np.array([far[r].size for r in region[owner]])).astype(int)
    c_region = np.array([far[r][k] for r, k in zip(region[owner], pick_far, strict=True)])
    c_imsi = numbering.imsis(world.op_mcc_mnc[c_op], Role.CLONE + nth, g[owner])
    c_msisdn = np.zeros(owner.size, dtype=np.int64)
    for j in range(3):
        at = nth == j
        c_msisdn[at] = numbering.msisdns(world.country_code, Role.CLONE + j, g[owner[at]])
    c_start = np.minimum(np.repeat(first, count) + nth, days - 1)
    c_svn = (svn[owner] + 1 + nth) % 100
    b.add(
        imei=imei_a[owner],
        svn=c_svn,
        imsi=c_imsi,
        msisdn=c_msisdn,
        op=c_op,
        region=c_region,
        rats=base_a[owner],
        extra=extra_a[owner],
        start=c_start,
        end=days,
    )
    date = world.dates
    ends = np.cumsum(count)
    for k, i in enumerate(ix.tolist()):
        mine = slice(ends[k] - count[k], ends[k])
        imei = f"{imei_a[i]:015d}"
        truth["clones"].append(
            (
                imei,
                str(own_imsi[i]),
                "|".join(map(str, c_imsi[mine].tolist())),
                date[first[k]],
                str(region[i]),
                "|".join(map(str, c_region[mine].tolist())),
            )
        )
        with_sv = [
            n for n in range(mine.start, mine.stop) if world.operators[c_op[n]].imeisv_column
        ]
        if with_sv and world.operators[op[i]].imeisv_column:
            truth["imeisv_conflict"].append(
                (
                    imei,
                    f"{imei[:14]}{svn[i]:02d}",
                    "|".join(f"{imei[:14]}{c_svn[n]:02d}" for n in with_sv),
                    date[min(c_start[n] for n in with_sv)],
                )
            )
