"""Impossible travel (ITU-T Q.5052 time/distance conflict): one IMEI in two places too far
apart for the time between them, from dump rows that carried coordinates.
"""

from __future__ import annotations

from typing import Any

import ibis

from openceir.classify.dimensions._base import dimension, rounded, window


def _seconds(t: Any) -> Any:
    """Seconds since the epoch from the sighting's date and `HH:MM[:SS]`/`HHMMSS` time."""
    digits = t.time.re_replace(r"[^0-9]", "")
    hh = digits.substr(0, 2).try_cast("int64")
    mm = digits.substr(2, 2).try_cast("int64")
    ss = digits.substr(4, 2).try_cast("int64")
    clock = hh.fill_null(0) * 3600 + mm.fill_null(0) * 60 + ss.fill_null(0)
    return t.date.cast("timestamp").epoch_seconds() + clock


@dimension("impossible_travel")
def impossible_travel(
    src: Any,
    *,
    max_speed_kmh: float = 900.0,
    min_distance_km: float = 100.0,
    period_days: int = 30,
    multi_sim_only: bool = True,
) -> Any:
    """IMEI seen at two places whose distance needs more than `max_speed_kmh` to cover.

    Consecutive sightings with coordinates are compared (great-circle distance); a sighting
    without a time is taken to be anywhere in its day, so only days apart can conflict then.
    Places closer than `min_distance_km` never conflict (cell-edge noise). With
    `multi_sim_only` (the default) only IMEIs used by two or more SIMs in the window are
    compared: a clone brings its own SIM (the observations say which IMEIs had several), and
    this spares sorting every sighting.
    """
    sig = src.sightings
    sig = sig.filter(
        sig.imei_key.notnull()
        & sig.lat.notnull()
        & sig.lon.notnull()
        & (sig.date <= ibis.literal(src.as_of))
    )
    sig = sig.filter(sig.date >= ibis.literal(window_start(src.as_of, period_days)))
    if multi_sim_only:
        obs = window(src.observations, src.as_of, period_days)
        multi = obs.group_by("imei_key").aggregate(sims=obs.imsi.nunique())
        multi = multi.filter(multi.sims >= 2).select("imei_key")
        sig = sig.semi_join(multi, "imei_key")
    sig = sig.mutate(at=_seconds(sig), exact=sig.time.notnull())
    # every column the legs show, so ties (same time, same SIM) order alike on every engine
    order = ["at", "imsi", "date", "time", "lat", "lon"]
    w = ibis.window(group_by=sig.imei_key, order_by=[sig[c] for c in order])
    prev = sig.mutate(
        p_lat=sig.lat.lag().over(w),
        p_lon=sig.lon.lag().over(w),
        p_at=sig.at.lag().over(w),
        p_exact=sig.exact.lag().over(w),
        p_imsi=sig.imsi.lag().over(w),
        p_date=sig.date.lag().over(w),
        p_time=sig.time.lag().over(w),
    )
    prev = prev.filter(prev.p_lat.notnull())
    rad = 3.141592653589793 / 180.0
    dlat = (prev.lat - prev.p_lat) * rad
    dlon = (prev.lon - prev.p_lon) * rad
    sin_lat, sin_lon = (dlat / 2).sin(), (dlon / 2).sin()
    cosines = (prev.lat * rad).cos() * (prev.p_lat * rad).cos()
    a = sin_lat * sin_lat + cosines * sin_lon * sin_lon
    km = 2 * 6371.0 * a.sqrt().asin()
    slack = ibis.ifelse(prev.exact & prev.p_exact, 0, 86400)
    hours = ibis.greatest((prev.at - prev.p_at).abs() + slack, 60).cast("float64") / 3600.0
    legs = prev.mutate(km=rounded(km, 1), hours=rounded(hours, 2))
    legs = legs.filter((legs.km >= min_distance_km) & (legs.km / legs.hours > max_speed_kmh))
    worst_first = [legs.km.desc(), *(legs[c] for c in ["hours", *order, "p_at", "p_imsi"])]
    w2 = ibis.window(group_by=legs.imei_key, order_by=worst_first)
    legs = legs.mutate(rank=ibis.row_number().over(w2))
    worst = legs.filter(legs.rank == 0).drop("rank")
    counts = legs.group_by("imei_key").aggregate(conflicts=legs.count())
    worst = worst.join(counts, "imei_key")
    return worst.select(
        "imei_key",
        "imei_raw",
        "conflicts",
        km="km",
        hours="hours",
        place_a=ibis.struct(
            {
                "imsi": worst.p_imsi,
                "date": worst.p_date.cast("string"),
                "time": worst.p_time,
                "lat": worst.p_lat,
                "lon": worst.p_lon,
            }
        ),
        place_b=ibis.struct(
            {
                "imsi": worst.imsi,
                "date": worst.date.cast("string"),
                "time": worst.time,
                "lat": worst.lat,
                "lon": worst.lon,
            }
        ),
    )


def window_start(as_of: Any, period_days: int) -> Any:
    """The first day of the `period_days` window ending on `as_of`."""
    from datetime import timedelta

    return as_of - timedelta(days=period_days - 1)
