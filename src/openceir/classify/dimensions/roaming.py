"""Roamer scopes (building blocks, DIRBS's home/roamer split): whether an IMEI was used by a
home subscriber of the operator, a national roamer (a SIM of another operator of the
country) or an international roamer (a foreign MCC, 3GPP TS 23.003 §2.2).
"""

from __future__ import annotations

from typing import Any, Literal

import ibis

from openceir.classify.dimensions._base import dimension, seen, sorted_set


@dimension("roamer")
def roamer(
    src: Any,
    *,
    scope: Literal["home", "national_roamer", "international_roamer"] = "international_roamer",
    only: bool = False,
    period_days: int = 30,
) -> Any:
    """IMEI used with an IMSI of `scope`; with `only`, every IMSI it used is of that scope."""
    obs = seen(src, period_days).filter(lambda t: t.imsi.notnull())
    mcc = obs.imsi.substr(0, 3)
    domestic = mcc.isin(src.country_mcc or ["___"])
    home_terms = []
    for operator, networks in src.operator_networks.items():
        for net in networks:
            home_terms.append((obs.operator == operator) & obs.imsi.startswith(net))
    home = ibis.or_(*home_terms) if home_terms else ibis.literal(False)
    kind = ibis.cases((~domestic, "international_roamer"), (home, "home"), else_="national_roamer")
    obs = obs.mutate(scope=kind)
    per = obs.group_by("imei_key", "imei_raw").aggregate(
        matching=(obs.scope == scope).sum(),
        total=obs.count(),
        imsis=sorted_set(obs.imsi, where=obs.scope == scope),
    )
    cond = per.matching == per.total if only else per.matching > 0
    return per.filter(cond).select("imei_key", "imei_raw", "imsis")
