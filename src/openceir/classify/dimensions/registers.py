"""Dimensions about the identity itself and the registers: malformed, test TAC, TAC not
allocated, stolen, not registered, barred IMEI and barred TAC (DIRBS's classic conditions;
ITU-T Q.5050 counterfeit indicators; TAC per 3GPP TS 23.003 §6.2).
"""

from __future__ import annotations

from typing import Any, Literal

import ibis

from openceir.classify.dimensions._base import (
    body_text,
    dimension,
    distinct_ids,
    seen,
    tac_of,
)
from openceir.classify.sources import Sources

GSMA_TEST_RBIS = ("00", "02", "03", "04", "05", "06", "07", "08", "09")
"""Reporting Body Identifiers reserved for test IMEIs (GSMA TS.06 Appendix A)."""


def _test_prefixes() -> list[str]:
    """TAC prefixes that are test ranges: the Reporting Bodies whose status is `test`.

    The named test ranges of `identifiers/data/test_tacs.csv` all lie inside RBI 00.
    """
    from openceir.identifiers.findings import reporting_body

    try:
        return [
            r
            for r in (f"{i:02d}" for i in range(100))
            if (body := reporting_body(r)) and body["status"] == "test"
        ]
    except (TypeError, OSError):  # the identifiers data not installed as a package
        return list(GSMA_TEST_RBIS)


@dimension("malformed_imei")
def malformed_imei(src: Sources) -> Any:
    """IMEI whose first 14 characters are not digits (kept raw by the lake, never dropped)."""
    obs = seen(src)
    bad = obs.filter(obs.imei_key.isnull() & obs.imei_raw.notnull())
    return bad.group_by("imei_key", "imei_raw").aggregate(
        imsis=bad.imsi.nunique(), first_seen=bad.first_seen.min()
    )


@dimension("test_tac")
def test_tac(src: Sources) -> Any:
    """IMEI in a GSMA test range (RBI 00 or 02-09, named test TACs): not a production device."""
    obs = seen(src).filter(lambda t: t.imei_key.notnull())
    ids = distinct_ids(obs)
    body = body_text(ids)
    hit = ibis.or_(*(body.startswith(p) for p in _test_prefixes()))
    return ids.filter(hit).mutate(tac=body.substr(0, 8))


DIRBS_PREFIX_DELAYS: dict[str, int] = {"00": 32, "01": 40, "35": 20, "86": 19, "91": 20, "99": 69}
"""DIRBS-Core's default reporting delays (days) per reporting body (the TAC's first two digits),
from its GSMA allocation-to-appearance lag analysis: `prefix_delays: dirbs` in a rule file."""


@dimension("tac_not_allocated")
def tac_not_allocated(
    src: Sources,
    *,
    reporting_delay_days: int = 30,
    prefix_delays: dict[str, int] | Literal["dirbs"] | None = None,
    count_from: Literal["tac", "imei"] = "tac",
) -> Any:
    """IMEI whose TAC is not in the GSMA catalog, once the TAC's reporting delay has passed.

    New TACs reach the catalog late, so the delay (of the longest matching TAC prefix in
    `prefix_delays`, `dirbs` for DIRBS's preset, else `reporting_delay_days`) counts from the
    TAC's first sighting on any network (`count_from: tac`): a counterfeit first seen
    yesterday on a never-allocated TAC seen for months does not wait. `count_from: imei`
    counts from each IMEI's own first sighting, as DIRBS does.
    """
    obs = seen(src).filter(lambda t: t.imei_key.notnull())
    per = obs.group_by("imei_key", "imei_raw").aggregate(first_seen=obs.first_seen.min())
    per = per.mutate(tac=tac_of(per), body=body_text(per))
    catalog = src.register("tac_catalog").select("tac")
    missing = per.anti_join(catalog, per.tac == catalog.tac)
    if count_from == "tac":
        tac_first = missing.group_by(t=missing.tac).aggregate(
            tac_first_seen=missing.first_seen.min()
        )
        missing = missing.join(tac_first, missing.tac == tac_first.t).drop("t")
    else:
        missing = missing.mutate(tac_first_seen=missing.first_seen)
    table = DIRBS_PREFIX_DELAYS if prefix_delays == "dirbs" else (prefix_delays or {})
    delays = sorted(table.items(), key=lambda kv: -len(kv[0]))
    delay = ibis.literal(reporting_delay_days)
    if delays:
        case = ibis.cases(
            *((missing.body.startswith(p), ibis.literal(d)) for p, d in delays),
            else_=delay,
        )
    else:
        case = delay
    due = missing.mutate(delay_days=case)
    as_of = ibis.literal(src.as_of)
    due = due.filter(due.tac_first_seen <= as_of - due.delay_days.as_interval("D"))
    return due.select(
        "imei_key", "imei_raw", "first_seen", "tac_first_seen", "delay_days", tac=due.body[:8]
    )


@dimension("stolen", needs_lake=False)
def stolen(src: Sources) -> Any:
    """IMEI on the stolen list on the run date (seen on the network or not)."""
    reg = src.register("stolen")
    return reg.group_by("imei_key", "imei_raw").aggregate(reporting_date=reg.reporting_date.min())


@dimension("not_registered")
def not_registered(src: Sources, *, exempt_device_types: list[str] | None = None) -> Any:
    """Seen IMEI not on the registration list (devices of the exempt device types excepted)."""
    obs = seen(src).filter(lambda t: t.imei_key.notnull())
    ids = obs.select("imei_key").distinct()
    reg = src.register("registration").filter(lambda t: t.imei_key.notnull())
    out = ids.anti_join(reg, ids.imei_key == reg.imei_key)
    if exempt_device_types:
        catalog = src.register("tac_catalog")
        wanted = [t.lower() for t in exempt_device_types]
        exempt = catalog.filter(catalog.device_type.lower().isin(wanted)).select("tac")
        out = out.mutate(tac=tac_of(out))
        out = out.anti_join(exempt, out.tac == exempt.tac).drop("tac")
    return out.mutate(imei_raw=ibis.null("string"))


@dimension("barred_imei", needs_lake=False)
def barred_imei(src: Sources) -> Any:
    """IMEI on the barred list on the run date."""
    return distinct_ids(src.register("barred_imei"))


@dimension("barred_tac")
def barred_tac(src: Sources) -> Any:
    """Seen IMEI whose TAC is on the barred TAC list."""
    obs = seen(src).filter(lambda t: t.imei_key.notnull())
    ids = distinct_ids(obs)
    ids = ids.mutate(tac=tac_of(ids))
    barred = src.register("barred_tac")
    return ids.semi_join(barred, ids.tac == barred.tac)
