"""One chunk of subscribers: their SIMs, devices and life over the simulated days.

Each subscriber is of one kind (ordinary, dual-SIM, IoT, roamer, SIM swap, phone change,
clone victim, counterfeit, RAT mismatch, stolen, null/test IMEI, malformed, transient, family
sharing, brand-new TAC), drawn in `cohort`; clones follow `cloning`. One step per kind turns
them into streams, register rows (registration, pairing, stolen) and ground truth rows.
Everything is drawn from the chunk's own generator, so chunks are independent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from openceir.simulate import numbering, radio
from openceir.simulate.catalog import RAT_MISMATCH
from openceir.simulate.cloning import CLONE_VARIANTS, LATE_COUNTERFEITS, add_clones
from openceir.simulate.cohort import OLD_THEFTS, Cohort, allocate_serials, draw
from openceir.simulate.numbering import Role
from openceir.simulate.rates import KIND_CODE as K
from openceir.simulate.rates import ORDINARY
from openceir.simulate.registers import registration_lines
from openceir.simulate.streams import Streams
from openceir.simulate.world import FOREIGN, World


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


def _inbound_roamers(c: Cohort) -> None:
    """Foreign SIMs visiting for 2-10 days, around the capital and the coast."""
    ix = c.of("inbound_roamer")
    if not ix.size:
        return
    rng, world, days, date = c.rng, c.world, c.world.days, c.world.dates
    home = rng.integers(0, len(FOREIGN), ix.size)
    mcc_mnc = np.array([int(FOREIGN[h][0]) for h in home.tolist()], dtype=np.int64)
    codes = np.array([FOREIGN[h][1] for h in home.tolist()], dtype=np.int64)
    c.s_imsi[ix] = numbering.imsis(mcc_mnc, Role.OWN, c.g[ix])
    c.s_msisdn[ix] = numbering.foreign_msisdns(codes, c.g[ix])
    c.s_op[ix] = rng.integers(0, len(world.operators), ix.size)
    c.s_region[ix] = rng.choice([0, 1], ix.size)  # capital and coast: airports, beaches
    c.s_start[ix] = rng.integers(0, days, ix.size)
    c.s_end[ix] = np.minimum(days, c.s_start[ix] + rng.integers(2, 11, ix.size))
    for j, i in enumerate(ix.tolist()):
        c.truth["roamers"].append(
            (
                str(c.s_imsi[i]),
                str(c.s_msisdn[i]),
                "inbound",
                FOREIGN[home[j]][0],
                world.operators[c.s_op[i]].id,
                date[c.s_start[i]],
                date[c.s_end[i] - 1],
            )
        )


def _national_roamers(c: Cohort) -> None:
    """Own-country SIMs on another operator's network all the time."""
    ix = c.of("national_roamer")
    if not ix.size:
        return
    world, n_ops = c.world, len(c.world.operators)
    c.s_op[ix] = (c.op[ix] + c.rng.integers(1, n_ops, ix.size)) % n_ops
    for i in ix.tolist():
        c.truth["roamers"].append(
            (
                str(c.own_imsi[i]),
                str(c.own_msisdn[i]),
                "national",
                world.operators[c.op[i]].mcc_mnc,
                world.operators[c.s_op[i]].id,
                world.dates[0],
                world.dates[world.days - 1],
            )
        )


def _dual_sims(c: Cohort) -> None:
    """The second SIM of a dual-SIM phone, on the phone's second IMEI."""
    ix = c.of("dual_sim")
    if not ix.size:
        return
    world = c.world
    op2 = c.random_op[ix]
    imsi2 = numbering.imsis(world.op_mcc_mnc[op2], Role.SECOND, c.g[ix])
    c.b.add(
        imei=c.imei_a2[ix],
        svn=c.svn[ix],
        imsi=imsi2,
        msisdn=numbering.msisdns(world.country_code, Role.SECOND, c.g[ix]),
        op=op2,
        region=c.region[ix],
        rats=c.base_a[ix],
        extra=c.extra_a[ix],
        start=0,
        end=world.days,
        p=c.p[ix],
    )
    for k, i in enumerate(ix.tolist()):
        c.truth["dual_sim"].append(
            (f"{c.imei_a[i]:015d}", f"{c.imei_a2[i]:015d}", str(c.own_imsi[i]), str(imsi2[k]))
        )


def _family_sharing(c: Cohort) -> None:
    """A phone shared by two members of a family, each with a SIM, on alternate days."""
    ix = c.of("family_sharing")
    if not ix.size:
        return
    world = c.world
    c.s_p[ix] = 0.5
    op2 = c.random_op[ix]
    imsi2 = numbering.imsis(world.op_mcc_mnc[op2], Role.SECOND, c.g[ix])
    c.b.add(
        imei=c.imei_a[ix],
        svn=c.svn[ix],
        imsi=imsi2,
        msisdn=numbering.msisdns(world.country_code, Role.SECOND, c.g[ix]),
        op=op2,
        region=c.region[ix],
        rats=c.base_a[ix],
        extra=c.extra_a[ix],
        start=0,
        end=world.days,
        p=0.5,
    )
    for k, i in enumerate(ix.tolist()):
        c.truth["family_sharing"].append((f"{c.imei_a[i]:015d}", str(c.own_imsi[i]), str(imsi2[k])))


def _sim_swaps(c: Cohort) -> None:
    """Same number and phone, a new SIM from the change day on."""
    ix = c.of("sim_swap")
    if not ix.size:
        return
    world = c.world
    c.s_end[ix] = c.change_day[ix]
    new = numbering.imsis(world.op_mcc_mnc[c.op[ix]], Role.SWAPPED, c.g[ix])
    c.b.add(
        imei=c.imei_a[ix],
        svn=c.svn[ix],
        imsi=new,
        msisdn=c.own_msisdn[ix],
        op=c.op[ix],
        region=c.region[ix],
        rats=c.base_a[ix],
        extra=c.extra_a[ix],
        start=c.change_day[ix],
        end=world.days,
    )
    for k, i in enumerate(ix.tolist()):
        c.truth["sim_swaps"].append(
            (
                str(c.own_msisdn[i]),
                f"{c.imei_a[i]:015d}",
                str(c.own_imsi[i]),
                str(new[k]),
                world.dates[c.change_day[i]],
            )
        )


def _phone_changes(c: Cohort) -> None:
    """Same SIM in a new phone from the change day on; the old phone is often resold."""
    ix = c.of("phone_change")
    if not ix.size:
        return
    world, rng, days, date = c.world, c.rng, c.world.days, c.world.dates
    c.s_end[ix] = c.change_day[ix]
    c.b.add(
        imei=c.imei_b[ix],
        svn=c.svn[ix],
        imsi=c.own_imsi[ix],
        msisdn=c.own_msisdn[ix],
        op=c.op[ix],
        region=c.region[ix],
        rats=c.base_b[ix],
        extra=c.extra_b[ix],
        start=c.change_day[ix],
        end=days,
    )
    resold = rng.random(ix.size) < world.rates.resale
    resale_day = c.change_day[ix] + rng.integers(0, 4, ix.size)
    resold &= resale_day < days
    sold = ix[resold]
    buyer_op = c.random_op[sold]
    buyer = numbering.imsis(world.op_mcc_mnc[buyer_op], Role.BUYER, c.g[sold])
    c.b.add(
        imei=c.imei_a[sold],
        svn=c.svn[sold],
        imsi=buyer,
        msisdn=numbering.msisdns(world.country_code, Role.BUYER, c.g[sold]),
        op=buyer_op,
        region=rng.integers(0, 10, sold.size),
        rats=c.base_a[sold],
        extra=c.extra_a[sold],
        start=resale_day[resold],
        end=days,
    )
    buyers = dict(zip(sold.tolist(), buyer.tolist(), strict=True))
    resales = dict(zip(sold.tolist(), resale_day[resold].tolist(), strict=True))
    for i in ix.tolist():
        c.truth["device_changes"].append(
            (
                str(c.own_imsi[i]),
                f"{c.imei_a[i]:015d}",
                f"{c.imei_b[i]:015d}",
                date[c.change_day[i]],
                str(buyers.get(i, "")),
                date[resales[i]] if i in resales else "",
            )
        )


def _unallocated(c: Cohort) -> None:
    """Counterfeits (never-allocated TACs; some first seen late, their TAC long on the network)
    and genuinely new models whose TAC is not in the catalog yet (first seen recently)."""
    world, days, date = c.world, c.world.days, c.world.dates
    ix = c.of("counterfeit")
    late = c.rng.random(ix.size) < LATE_COUNTERFEITS
    c.s_start[ix[late]] = np.maximum(0, days - c.rng.integers(1, 15, int(late.sum())))
    for k, i in enumerate(ix.tolist()):
        c.truth["counterfeit_unallocated_tac"].append(
            (
                f"{c.imei_a[i]:015d}",
                f"{world.catalog.tac[c.tac_a[i]]:08d}",
                str(c.own_imsi[i]),
                date[c.s_start[i]],
                "late_imei" if late[k] else "classic",
            )
        )
    ix = c.of("brand_new_tac")
    c.s_start[ix] = np.maximum(0, days - c.rng.integers(1, 15, ix.size))
    for i in ix.tolist():
        c.truth["brand_new_tac"].append(
            (
                f"{c.imei_a[i]:015d}",
                f"{world.catalog.tac[c.tac_a[i]]:08d}",
                str(c.own_imsi[i]),
                date[c.s_start[i]],
            )
        )


def _rat_mismatches(c: Cohort) -> None:
    """Devices seen on a RAT their model cannot support (relabelled counterfeits)."""
    ix = c.of("rat_mismatch")
    if not ix.size:
        return
    shown = np.array([RAT_MISMATCH[r][1] for r in c.rule[ix].tolist()], dtype=np.int64)
    c.s_base[ix] = shown
    c.s_extra[ix] = c.base_a[ix]
    for k, i in enumerate(ix.tolist()):
        c.truth["rat_mismatch"].append(
            (
                f"{c.imei_a[i]:015d}",
                f"{c.world.catalog.tac[c.tac_a[i]]:08d}",
                radio.codes(int(c.rats_a[i])),
                radio.codes(int(shown[k])),
                str(c.own_imsi[i]),
            )
        )


def _thefts(c: Cohort) -> None:
    """Stolen phones: the owner moves to a new phone; the thief often uses the old one."""
    ix = c.of("stolen")
    if not ix.size:
        return
    world, rng, days, date = c.world, c.rng, c.world.days, c.world.dates
    theft = rng.integers(1, max(days - 1, 2), ix.size)
    report = np.minimum(theft + rng.integers(0, 2, ix.size), days - 2)
    c.s_end[ix] = theft
    c.b.add(
        imei=c.imei_b[ix],
        svn=c.svn[ix],
        imsi=c.own_imsi[ix],
        msisdn=c.own_msisdn[ix],
        op=c.op[ix],
        region=c.region[ix],
        rats=c.base_b[ix],
        extra=c.extra_b[ix],
        start=report + 1,
        end=days,
    )
    reused = rng.random(ix.size) < world.rates.stolen_reuse
    again = np.minimum(report + 1 + rng.integers(0, 3, ix.size), days - 1)
    status = np.where(rng.random(ix.size) < 0.8, "stolen", "")
    thieves = ix[reused]
    thief_op = c.random_op[thieves]
    thief_imsi = numbering.imsis(world.op_mcc_mnc[thief_op], Role.THIEF, c.g[thieves])
    c.b.add(
        imei=c.imei_a[thieves],
        svn=c.svn[thieves],
        imsi=thief_imsi,
        msisdn=numbering.msisdns(world.country_code, Role.THIEF, c.g[thieves]),
        op=thief_op,
        region=rng.integers(0, 10, thieves.size),
        rats=c.base_a[thieves],
        extra=c.extra_a[thieves],
        start=again[reused],
        end=days,
    )
    for k, i in enumerate(ix.tolist()):
        c.stolen_rows.append((int(c.imei_a[i]), date[report[k]], str(status[k])))
    for k, i in enumerate(thieves.tolist()):
        j = int(np.flatnonzero(ix == i)[0])
        c.truth["stolen_reused"].append(
            (
                f"{c.imei_a[i]:015d}",
                str(c.own_imsi[i]),
                str(thief_imsi[k]),
                date[report[j]],
                date[again[j]],
            )
        )


def _odd_imeis(c: Cohort) -> None:
    """Null and test IMEIs, all-same serials, and malformed IMEI text."""
    rng, world = c.rng, c.world
    for i in c.of("null_test").tolist():
        which = int(rng.integers(3))
        if which == 0:
            text, label = "000000000000000", "null"
        elif which == 1:
            text = world.all_same_imeis[int(rng.integers(len(world.all_same_imeis)))]
            label = "all_same_serial"
        else:
            text, label = world.test_imeis[int(rng.integers(len(world.test_imeis)))], "test_tac"
        c.special[i] = text
        c.truth["null_test_imeis"].append((text, label, str(c.own_imsi[i])))
    for i in c.of("malformed").tolist():
        text = f"{c.imei_a[i]:015d}"
        which = int(rng.integers(3))
        if which == 0:
            at = int(rng.integers(8, 14))
            text, label = text[:at] + "ABCDEF"[int(rng.integers(6))] + text[at + 1 :], "hex"
        elif which == 1:
            text, label = text[:13], "13_digits"
        else:
            text, label = text + f"{int(rng.integers(100)):02d}", "17_digits"
        c.special[i] = text
        c.truth["malformed_imeis"].append((text, label, str(c.own_imsi[i])))


def _transients(c: Cohort) -> None:
    """One IMEI through many SIMs in sequence, numbers in an arithmetic series (SIM boxes)."""
    ix = c.of("transient")
    if not ix.size:
        return
    rng, world, days = c.rng, c.world, c.world.days
    count = rng.integers(10, numbering.TRANSIENT_SIMS + 1, ix.size)
    step = rng.integers(1, 21, ix.size)
    owner = np.repeat(ix, count)
    sim = np.arange(owner.size) - np.repeat(np.cumsum(count) - count, count)
    msisdn = numbering.transient_msisdns(
        world.country_code, c.g[owner], sim, np.repeat(step, count)
    )
    imsi = numbering.imsis(world.op_mcc_mnc[c.op[owner]], Role.TRANSIENT + sim, c.g[owner])
    on_day = sim * days // np.repeat(count, count)
    c.b.add(
        imei=c.imei_a[owner],
        svn=c.svn[owner],
        imsi=imsi,
        msisdn=msisdn,
        op=c.op[owner],
        region=c.region[owner],
        rats=c.base_a[owner],
        extra=c.extra_a[owner],
        start=on_day,
        end=on_day + 1,
    )
    firsts = np.cumsum(count) - count
    for k, i in enumerate(ix.tolist()):
        c.truth["transient_imeis"].append(
            (f"{c.imei_a[i]:015d}", str(msisdn[firsts[k]]), str(step[k]), str(count[k]))
        )


def _primary_streams(c: Cohort) -> None:
    """Every subscriber's primary stream (transients have none: their SIMs are the streams)."""
    world = c.world
    op_sv = np.array([profile.imeisv_as_imei for profile in world.operators], dtype=bool)
    primary = c.kind != K["transient"]
    ordinary_sv = (c.kind == ORDINARY) & c.sv_flag
    c.b.add(
        imei=c.imei_a[primary],
        svn=c.svn[primary],
        imsi=c.s_imsi[primary],
        msisdn=c.s_msisdn[primary],
        op=c.s_op[primary],
        region=c.s_region[primary],
        rats=c.s_base[primary],
        extra=c.s_extra[primary],
        start=c.s_start[primary],
        end=c.s_end[primary],
        p=c.s_p[primary],
        special=c.special[primary],
        sv_as_imei=(ordinary_sv & op_sv[c.s_op])[primary],
    )
    for i in np.flatnonzero(ordinary_sv & op_sv[c.s_op]).tolist():
        imei = f"{c.imei_a[i]:015d}"
        c.truth["imeisv_as_imei"].append(
            (imei, f"{imei[:14]}{c.svn[i]:02d}", world.operators[c.s_op[i]].id, str(c.own_imsi[i]))
        )


def _pairing(c: Cohort) -> pa.Table:
    """The pairing list: a few ordinary subscribers, and clone victims whose variant pairs."""
    n = c.g.size
    paired = ((c.kind == ORDINARY) & (c.rng.random(n) < c.world.rates.paired)) | (
        (c.kind == K["clone"]) & (c.rng.random(n) < 0.5) & c.clone_pairable
    )
    return pa.table(
        {
            "imei": _imei_text(c.imei_a[paired]),
            "imsi": pa.array(c.own_imsi[paired]).cast(pa.string()),
            "msisdn": pa.array(c.own_msisdn[paired]).cast(pa.string()),
        }
    )


def _stolen_list(c: Cohort) -> pa.Table:
    """The stolen list: this window's reports, plus phones reported in the year before."""
    world, rng = c.world, c.rng
    old_report = [
        (world.start - dt.timedelta(days=int(back))).strftime("%Y%m%d")
        for back in rng.integers(1, 366, c.n_old).tolist()
    ]
    old_status = np.where(rng.random(c.n_old) < 0.8, "stolen", "").tolist()
    rows = c.stolen_rows + list(zip(c.imei_old.tolist(), old_report, old_status, strict=True))
    return pa.table(
        {
            "imei": [f"{r[0]:015d}" for r in rows],
            "reporting_date": [r[1] for r in rows],
            "status": [r[2] for r in rows],
        }
    )


def build_chunk(world: World, chunk: int) -> Chunk:
    """Generate chunk `chunk` of the subscribers; deterministic in (world, chunk)."""
    c = draw(world, chunk)
    _inbound_roamers(c)
    _national_roamers(c)
    _dual_sims(c)
    _family_sharing(c)
    _sim_swaps(c)
    _phone_changes(c)
    add_clones(c)
    _unallocated(c)
    _rat_mismatches(c)
    _thefts(c)
    _odd_imeis(c)
    _transients(c)
    _primary_streams(c)
    streams = c.b.finish(len(world.operators))
    registration = registration_lines(
        world,
        c.rng,
        c.g,
        c.kind,
        c.tac_a,
        c.tac_b,
        c.imei_a,
        c.imei_a2,
        c.imei_b,
        c.registration_override,
    )
    pairing = _pairing(c)
    return Chunk(streams, registration, pairing, _stolen_list(c), c.truth)


__all__ = ["CLONE_VARIANTS", "OLD_THEFTS", "Chunk", "allocate_serials", "build_chunk"]
