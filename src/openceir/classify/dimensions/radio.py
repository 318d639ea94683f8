"""Inconsistent RAT (ITU-T Q.5052 §8 unexpected radio access technology): an IMEI seen on a
RAT that no TAC of its model supports, a sign of a counterfeit or a cloned identity.
"""

from __future__ import annotations

from typing import Any

import ibis

from openceir.classify.dimensions._base import dimension, seen, tac_of
from openceir.lake.rat import RAT_BITS


@dimension("inconsistent_rat")
def inconsistent_rat(src: Any, *, period_days: int = 30, ignore: list[str] | None = None) -> Any:
    """IMEI seen on a RAT that no TAC of its model (manufacturer + model) supports.

    TACs with no known RATs in the catalog are skipped (no evidence either way); RAT names in
    `ignore` (e.g. `GAN`) never count.
    """
    ignored = 0
    for name in ignore or []:
        ignored |= RAT_BITS.get(name.upper(), 0)
    obs = seen(src, period_days).filter(lambda t: t.imei_key.notnull() & t.rat_mask.notnull())
    per = obs.group_by("imei_key", "imei_raw").aggregate(
        seen_rats=obs.rat_mask.cast("int64").bit_or()
    )
    per = per.mutate(tac=tac_of(per))
    cat = src.register("tac_catalog").filter(lambda t: t.rat_mask.notnull())
    models = cat.group_by("manufacturer", "model").aggregate(model_rats=cat.rat_mask.bit_or())
    tacs = cat.join(models, ["manufacturer", "model"]).select("tac", "model", "model_rats")
    joined = per.join(tacs, per.tac == tacs.tac).select(
        per.imei_key, per.imei_raw, per.seen_rats, tacs.model, tacs.model_rats, tac=per.tac
    )
    unexpected = joined.seen_rats & ~joined.model_rats & ~ignored
    joined = joined.mutate(unexpected_rats=unexpected)
    hit = joined.filter(joined.unexpected_rats != 0)
    # one row per IMEI, the same on every engine when a TAC is in the catalog twice
    first = ibis.window(group_by=hit.imei_key, order_by=[hit.model, hit.model_rats])
    hit = hit.mutate(rank=ibis.row_number().over(first))
    return hit.filter(hit.rank == 0).drop("rank")
