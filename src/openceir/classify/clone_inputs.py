"""The evidence of duplicated IMEIs read from the classification sources: observations, the
registration and pairing lists, the TAC catalog, and manufacturer bindings from an injected
reader (the ledger lives above classification, so the caller composes it, tlog-style).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import ibis
import pyarrow as pa

from openceir.classify.clones import decide
from openceir.classify.evidence import Binding, Registered, imei15, interface_mask, uses_from_rows

BindingReader = Callable[[str], dict[str, Any] | None]
"""The manufacturer binding event of one 15-digit IMEI, or None (e.g. a ledger's
`ImeiLedger.manufacturer_binding`)."""


def read_bindings(binding_of: BindingReader | None, keys: list[int]) -> dict[int, dict[str, Any]]:
    """The binding of each IMEI key that has one (none without a reader)."""
    if binding_of is None:
        return {}
    out = {}
    for key in keys:
        event = binding_of(imei15(key))
        if event is not None:
            out[key] = event
    return out


def differentiate(
    backend: Any,
    sources: Any,
    imei_keys: list[int],
    *,
    period_days: int = 90,
    binding_of: BindingReader | None = None,
    genuine_before: dict[str, list[str]] | None = None,
    **options: Any,
) -> dict[str, dict[str, Any]]:
    """Decisions for the duplicated `imei_keys`, by IMEI id (14-digit text).

    Reads the observations, the registration and pairing lists, the TAC catalog and, with
    `binding_of`, the manufacturer bindings of these IMEIs. `genuine_before` holds, by IMEI
    id, the genuine SIMs an earlier run decided; `options` go to `clones.decide`.
    """
    keys = sorted({k for k in imei_keys if k is not None})
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
    rows = backend.to_pyarrow(obs.select(*cols, "imeisv")).to_pylist()
    paired: dict[int, set[str]] = defaultdict(set)
    pairing = sources.register("pairing")
    for p in backend.to_pyarrow(
        pairing.semi_join(wanted, pairing.imei_key == wanted.k).select("imei_key", "imsi")
    ).to_pylist():
        paired[p["imei_key"]].add(p["imsi"])
    reg = sources.register("registration")
    regs = {
        r["imei_key"]: r
        for r in backend.to_pyarrow(
            reg.semi_join(wanted, reg.imei_key == wanted.k).select(
                "imei_key", "make", "model", "radio_interface"
            )
        ).to_pylist()
    }
    bindings = read_bindings(binding_of, keys)
    names = {(r["model"] or "").strip().lower() for r in regs.values()}
    names |= {str(b["model"]).strip().lower() for b in bindings.values()}
    names.discard("")
    tac_rats, named_rats = _catalog_rats(backend, sources, keys, names)
    out: dict[str, dict[str, Any]] = {}
    for key, uses in uses_from_rows(rows).items():
        r = regs.get(key)
        registered = None
        if r is not None:
            rats = interface_mask(r["radio_interface"])
            if rats is None:
                rats = named_rats.get((r["model"] or "").strip().lower())
            registered = Registered(r["make"], r["model"], rats)
        b = bindings.get(key)
        binding = None
        if b is not None:
            binding = Binding(
                b["model"],
                named_rats.get(str(b["model"]).strip().lower()),
                b.get("software_version"),
                b.get("participant"),
            )
        out[f"{key:014d}"] = decide(
            uses,
            registered=registered,
            paired=paired.get(key),
            binding=binding,
            model_rats=tac_rats.get(key // 1_000_000),
            genuine_before=(genuine_before or {}).get(f"{key:014d}"),
            **options,
        )
    return out


def _catalog_rats(
    backend: Any, sources: Any, keys: list[int], names: set[str]
) -> tuple[dict[int, int], dict[str, int]]:
    """RATs of each TAC's model (every TAC of the model), and of models by lowercase name."""
    cat = sources.register("tac_catalog").filter(lambda t: t.rat_mask.notnull())
    tacs = ibis.memtable(pa.table({"t": pa.array(sorted({k // 1_000_000 for k in keys}))}))
    models = cat.group_by("manufacturer", "model").aggregate(model_rats=cat.rat_mask.bit_or())
    mine = cat.semi_join(tacs, cat.tac == tacs.t).select("tac", "manufacturer", "model")
    by_tac = {
        t["tac"]: t["model_rats"]
        for t in backend.to_pyarrow(
            mine.join(models, ["manufacturer", "model"]).select("tac", "model_rats")
        ).to_pylist()
    }
    by_name: dict[str, int] = {}
    if names:
        wanted = ibis.memtable(pa.table({"n": pa.array(sorted(names), pa.string())}))
        low = cat.mutate(n=cat.model.strip().lower())
        named = low.semi_join(wanted, low.n == wanted.n)
        for row in backend.to_pyarrow(
            named.group_by("n").aggregate(rats=named.rat_mask.bit_or())
        ).to_pylist():
            by_name[row["n"]] = row["rats"]
    return by_tac, by_name


__all__ = ["BindingReader", "differentiate", "read_bindings"]
