"""Dimensions of shared identity (ITU-T Q.5052 duplicate IMEIs): too many SIMs over a window,
too many per day on average, transient IMEIs, several operators on one day, and IMEISV
software versions that cannot coexist.
"""

from __future__ import annotations

from typing import Any, Literal

import ibis

from openceir.classify.dimensions._base import (
    bit_count,
    dimension,
    rounded,
    seen,
    sorted_set,
    whole_number,
)


@dimension("duplicate_threshold")
def duplicate_threshold(
    src: Any, *, threshold: int = 10, period_days: int = 30, by: Literal["imsi", "msisdn"] = "imsi"
) -> Any:
    """IMEI seen with at least `threshold` distinct IMSIs (or MSISDNs) in the last `period_days`.

    Observations are monthly aggregates: a triplet counts when its first..last seen span
    overlaps the window.
    """
    obs = seen(src, period_days).filter(lambda t: t[by].notnull())
    per = obs.group_by("imei_key", "imei_raw").aggregate(
        n_distinct=obs[by].nunique(),
        imsis=sorted_set(obs.imsi),
        operators=sorted_set(obs.operator),
        first_seen=obs.first_seen.min(),
        last_seen=obs.last_seen.max(),
    )
    return per.filter(per.n_distinct >= threshold).rename({f"distinct_{by}s": "n_distinct"})


@dimension("duplicate_daily_avg")
def duplicate_daily_avg(
    src: Any, *, threshold: float = 2.0, min_seen_days: int = 5, period_days: int = 30
) -> Any:
    """IMEI whose average number of distinct IMSIs per day seen is at least `threshold`.

    Only IMEIs seen on at least `min_seen_days` days count, so one busy day is not enough.
    """
    obs = seen(src, period_days).filter(lambda t: t.imsi.notnull())
    per_imsi = obs.group_by("imei_key", "imei_raw", "month", "imsi").aggregate(
        days=obs.day_mask.cast("int64").bit_or()
    )
    per_month = per_imsi.group_by("imei_key", "imei_raw", "month").aggregate(
        imsi_days=bit_count(per_imsi.days).sum(), all_days=per_imsi.days.bit_or()
    )
    per = per_month.group_by("imei_key", "imei_raw").aggregate(
        imsi_days=per_month.imsi_days.sum(), days_seen=bit_count(per_month.all_days).sum()
    )
    per = per.filter(per.days_seen > 0)  # Spark (ANSI) fails on a division by zero
    per = per.mutate(daily_avg=rounded(per.imsi_days / per.days_seen, 2))
    return per.filter((per.days_seen >= min_seen_days) & (per.daily_avg >= threshold))


@dimension("transient_imei")
def transient_imei(src: Any, *, min_msisdns: int = 4, period_days: int = 30) -> Any:
    """IMEI used on one operator with `min_msisdns`+ MSISDNs in an arithmetic sequence.

    The pattern of SIM boxes and of fraud that walks through consecutive numbers: the sorted
    numbers differ by one constant step.
    """
    obs = seen(src, period_days)
    obs = obs.filter(obs.imei_key.notnull() & obs.msisdn.notnull())
    nums = obs.select("imei_key", "imei_raw", "operator", n=whole_number(obs.msisdn))
    nums = nums.filter(nums.n.notnull()).distinct()
    w = ibis.window(group_by=[nums.imei_key, nums.operator], order_by=nums.n)
    steps = nums.mutate(step=nums.n - nums.n.lag().over(w))
    per = steps.group_by("imei_key", "imei_raw", "operator").aggregate(
        msisdns=steps.n.count(),
        min_step=steps.step.min(),
        max_step=steps.step.max(),
        first_msisdn=steps.n.min(),
    )
    hit = per.filter(
        (per.msisdns >= min_msisdns) & (per.min_step == per.max_step) & (per.min_step > 0)
    )
    return hit.group_by("imei_key", "imei_raw").aggregate(
        operator=hit.operator.min(),
        msisdns=hit.msisdns.max(),
        msisdn_step=hit.min_step.min(),
        first_msisdn=hit.first_msisdn.min().cast("string"),
    )


@dimension("several_operators_same_day")
def several_operators_same_day(src: Any, *, min_days: int = 1, period_days: int = 30) -> Any:
    """IMEI seen on two or more operators on the same day, on at least `min_days` days."""
    obs = seen(src, period_days).filter(lambda t: t.imei_key.notnull())
    per_op = obs.group_by("imei_key", "imei_raw", "month", "operator").aggregate(
        days=obs.day_mask.cast("int64").bit_or()
    )
    a = per_op
    b = per_op.view()
    pairs = a.join(
        b,
        (a.imei_key == b.imei_key) & (a.month == b.month) & (a.operator < b.operator),
    ).select(
        imei_key=a.imei_key,
        imei_raw=a.imei_raw,
        month=a.month,
        op_a=a.operator,
        op_b=b.operator,
        both=a.days.cast("int64") & b.days.cast("int64"),
    )
    pairs = pairs.filter(pairs.both != 0)
    per_month = pairs.group_by("imei_key", "imei_raw", "month").aggregate(days=pairs.both.bit_or())
    per = per_month.group_by("imei_key", "imei_raw").aggregate(
        shared_days=bit_count(per_month.days).sum()
    )
    ops = pairs.select("imei_key", name=pairs.op_a).union(pairs.select("imei_key", name=pairs.op_b))
    ops = ops.group_by("imei_key").aggregate(operators=sorted_set(ops["name"]))
    per = per.join(ops, "imei_key")
    return per.filter(per.shared_days >= min_days)


@dimension("imeisv_conflict")
def imeisv_conflict(src: Any, *, period_days: int = 30) -> Any:
    """IMEI reporting different software versions (IMEISV) from different IMSIs on one day.

    A device updates its software one version at a time and keeps one version at a time:
    two versions on the same day from two SIMs mean two devices share the IMEI.
    """
    obs = seen(src, period_days)
    obs = obs.filter(obs.imei_key.notnull() & obs.imeisv.notnull() & obs.imsi.notnull())
    svn = obs.select("imei_key", "imei_raw", "month", "imsi", "day_mask", sv=obs.imeisv.unnest())
    svn = svn.mutate(svn=svn.sv.right(2))
    per = svn.group_by("imei_key", "imei_raw", "month", "imsi", "svn").aggregate(
        days=svn.day_mask.cast("int64").bit_or()
    )
    a = per
    b = per.view()
    pairs = a.join(
        b,
        (a.imei_key == b.imei_key)
        & (a.month == b.month)
        & (a.imsi < b.imsi)
        & (a.svn != b.svn)
        & ((a.days & b.days) != 0),
    ).select(imei_key=a.imei_key, imei_raw=a.imei_raw, svn_a=a.svn, svn_b=b.svn)
    return pairs.group_by("imei_key", "imei_raw").aggregate(
        versions=sorted_set(pairs.svn_a),
        other_versions=sorted_set(pairs.svn_b),
    )


@dimension("concurrent_sims")
def concurrent_sims(
    src: Any, *, min_days: int = 3, min_share: float = 0.9, period_days: int = 30
) -> Any:
    """IMEI used by two SIMs on the same days, day after day: two devices, not one shared.

    A single-SIM phone carries one SIM at a time; a family sharing it, a resale or a SIM swap
    puts the SIMs on different days, with the odd day in common. Two SIMs seen together on at
    least `min_days` days and on at least `min_share` of the days the less active of the two
    was seen are in two devices.
    """
    obs = seen(src, period_days).filter(lambda t: t.imei_key.notnull() & t.imsi.notnull())
    per = obs.group_by("imei_key", "imei_raw", "month", "imsi").aggregate(
        days=obs.day_mask.cast("int64").bit_or()
    )
    many = per.group_by("imei_key").aggregate(n=per.imsi.nunique())
    many = many.filter(many.n >= 2).select(k=many.imei_key)
    per = per.semi_join(many, per.imei_key == many.k)
    a = per
    b = per.view()
    pairs = a.join(b, (a.imei_key == b.imei_key) & (a.month == b.month) & (a.imsi < b.imsi)).select(
        imei_key=a.imei_key,
        imei_raw=a.imei_raw,
        imsi_a=a.imsi,
        imsi_b=b.imsi,
        both=bit_count(a.days.cast("int64") & b.days.cast("int64")),
        days_a=bit_count(a.days.cast("int64")),
        days_b=bit_count(b.days.cast("int64")),
    )
    # a SIM seen in a month the other was not still counts its days
    own = per.group_by("imei_key", "imsi").aggregate(own_days=bit_count(per.days).sum())
    pairs = pairs.group_by("imei_key", "imei_raw", "imsi_a", "imsi_b").aggregate(
        together=pairs.both.sum()
    )
    oa = own.view()
    ob = own.view()
    pairs = pairs.join(oa, (pairs.imei_key == oa.imei_key) & (pairs.imsi_a == oa.imsi)).select(
        pairs.imei_key,
        pairs.imei_raw,
        pairs.imsi_a,
        pairs.imsi_b,
        pairs.together,
        a_days=oa.own_days,
    )
    pairs = pairs.join(ob, (pairs.imei_key == ob.imei_key) & (pairs.imsi_b == ob.imsi)).select(
        pairs.imei_key,
        pairs.imei_raw,
        pairs.imsi_a,
        pairs.imsi_b,
        pairs.together,
        least=ibis.least(pairs.a_days, ob.own_days),
    )
    pairs = pairs.filter((pairs.together >= min_days) & (pairs.least > 0))
    pairs = pairs.mutate(share=rounded(pairs.together / pairs.least, 2))
    hit = pairs.filter(pairs.share >= min_share)
    sims = hit.select("imei_key", s=hit.imsi_a).union(hit.select("imei_key", s=hit.imsi_b))
    sims = sims.group_by("imei_key").aggregate(imsis=sorted_set(sims.s))
    per_imei = hit.group_by("imei_key", "imei_raw").aggregate(
        days_together=hit.together.max(), share_together=hit.share.max()
    )
    return per_imei.join(sims, "imei_key")
