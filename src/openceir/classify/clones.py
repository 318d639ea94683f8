"""Clone differentiation (ITU-T Q.5052 §9, deciding the genuine device): for a duplicated
IMEI, which (IMEI, IMSI) pairs are the genuine device and which are clones.

Evidence, strongest first: pairing (the IMSI is paired with the IMEI on the pairing list);
continuity of use (one IMSI used steadily, on `min_steady_days` days or more, for at least
`min_lead_days` before any other IMSI appeared); RAT consistency with the model (an IMSI
seen on a RAT no TAC of the model supports is a clone). The registration list carries no
IMSI and the ledger has no manufacturer binding yet, so neither can decide here. When
nothing decides, every pair is treated as duplicated and the evidence says so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import ibis
import pyarrow as pa


@dataclass(frozen=True)
class ImsiUse:
    """How one IMSI used one IMEI: first and last day, the days seen, the RATs."""

    imsi: str
    first_seen: date
    last_seen: date
    days: frozenset[date]
    rats: int


def uses_from_rows(rows: list[dict[str, Any]]) -> dict[int, list[ImsiUse]]:
    """Per IMEI key, its IMSIs' use, from observation rows (day_mask expanded to dates)."""
    acc: dict[tuple[int, str], dict[str, Any]] = {}
    for r in rows:
        k = (r["imei_key"], r["imsi"])
        a = acc.setdefault(
            k, {"first": r["first_seen"], "last": r["last_seen"], "days": set(), "rats": 0}
        )
        a["first"] = min(a["first"], r["first_seen"])
        a["last"] = max(a["last"], r["last_seen"])
        a["rats"] |= r["rat_mask"] or 0
        year, month = (int(x) for x in r["month"].split("-"))
        mask = r["day_mask"] or 0
        for d in range(31):
            if mask >> d & 1:
                a["days"].add(date(year, month, d + 1))
    out: dict[int, list[ImsiUse]] = defaultdict(list)
    for (key, imsi), a in acc.items():
        out[key].append(ImsiUse(imsi, a["first"], a["last"], frozenset(a["days"]), a["rats"]))
    return out


def decide(
    uses: list[ImsiUse],
    *,
    paired: set[str] | None = None,
    model_rats: int | None = None,
    min_lead_days: int = 7,
    min_steady_days: int = 5,
) -> dict[str, Any]:
    """Tell the genuine pairs from the clones of one duplicated IMEI; pure.

    Returns `decided`, `basis`, `genuine_imsis`, `clone_imsis` and `explanation` (words).
    """
    imsis = sorted(u.imsi for u in uses)
    paired = (paired or set()) & set(imsis)
    if paired and len(paired) < len(imsis):
        return _result(
            "pairing",
            sorted(paired),
            imsis,
            f"IMSI {', '.join(sorted(paired))} is paired with this IMEI on the pairing list",
        )
    ordered = sorted(uses, key=lambda u: (u.first_seen, u.imsi))
    if len(ordered) >= 2:
        first, others = ordered[0], ordered[1:]
        dup_start = min(u.first_seen for u in others)
        before = [d for d in first.days if d < dup_start]
        lead = (dup_start - first.first_seen).days
        if lead >= min_lead_days and len(before) >= min_steady_days:
            return _result(
                "continuity",
                [first.imsi],
                imsis,
                f"IMSI {first.imsi} used the IMEI on {len(before)} days from "
                f"{first.first_seen} before another SIM appeared on {dup_start}",
            )
    if model_rats:
        odd = sorted(u.imsi for u in uses if u.rats & ~model_rats)
        fine = sorted(set(imsis) - set(odd))
        if odd and len(fine) == 1:
            return _result(
                "rat_consistency",
                fine,
                imsis,
                f"IMSI {', '.join(odd)} used radio technologies the model does not support",
            )
    return {
        "decided": False,
        "basis": None,
        "genuine_imsis": [],
        "clone_imsis": imsis,
        "explanation": "no registration, pairing, steady earlier use or model mismatch tells "
        "the genuine device apart: every SIM using this IMEI is treated as duplicated",
    }


def _result(basis: str, genuine: list[str], imsis: list[str], why: str) -> dict[str, Any]:
    clones = [i for i in imsis if i not in genuine]
    return {
        "decided": True,
        "basis": basis,
        "genuine_imsis": genuine,
        "clone_imsis": clones,
        "explanation": f"{why}: kept in service; the other SIMs' pairs are clones",
    }


def differentiate(
    backend: Any, sources: Any, imei_keys: list[int], *, period_days: int = 90, **options: Any
) -> dict[str, dict[str, Any]]:
    """Decisions for the duplicated `imei_keys`, by IMEI id (14-digit text)."""
    keys = [k for k in imei_keys if k is not None]
    if not keys:
        return {}
    wanted = ibis.memtable(pa.table({"k": pa.array(keys, pa.int64())}))
    obs = sources.observations
    start = sources.as_of - timedelta(days=period_days - 1)
    obs = obs.filter(
        obs.imsi.notnull()
        & (obs.last_seen >= ibis.literal(start))
        & (obs.first_seen <= ibis.literal(sources.as_of))
    )
    obs = obs.semi_join(wanted, obs.imei_key == wanted.k)
    cols = ["imei_key", "imsi", "month", "day_mask", "first_seen", "last_seen", "rat_mask"]
    rows = backend.to_pyarrow(obs.select(*cols)).to_pylist()
    pairing = sources.register("pairing")
    pairs = backend.to_pyarrow(
        pairing.semi_join(wanted, pairing.imei_key == wanted.k).select("imei_key", "imsi")
    ).to_pylist()
    paired: dict[int, set[str]] = defaultdict(set)
    for p in pairs:
        paired[p["imei_key"]].add(p["imsi"])
    cat = sources.register("tac_catalog").filter(lambda t: t.rat_mask.notnull())
    models = cat.group_by("manufacturer", "model").aggregate(model_rats=cat.rat_mask.bit_or())
    tacs = backend.to_pyarrow(
        cat.join(models, ["manufacturer", "model"]).select("tac", "model_rats")
    ).to_pylist()
    rats = {t["tac"]: t["model_rats"] for t in tacs}
    out: dict[str, dict[str, Any]] = {}
    for key, uses in uses_from_rows(rows).items():
        out[f"{key:014d}"] = decide(
            uses, paired=paired.get(key), model_rats=rats.get(key // 1_000_000), **options
        )
    return out


__all__ = ["ImsiUse", "decide", "differentiate", "uses_from_rows"]
