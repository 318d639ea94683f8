"""Register rows a regulator receives: the DIRBS registration list of legitimate devices.

Registered devices are those imported or produced legally (DIRBS registration list columns,
architecture §5); counterfeit, tampered, null and malformed IMEIs and visitors' phones never are.
Device ids group the IMEIs of one device (both IMEIs of a dual-SIM phone share one).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from openceir.simulate import radio
from openceir.simulate.rates import KIND_CODE as K
from openceir.simulate.world import World

REGISTRATION_COLUMNS = (
    "approved_imei",
    "make",
    "model",
    "status",
    "model_number",
    "brand_name",
    "device_type",
    "radio_interface",
    "device_id",
)


def registration_lines(
    world: World,
    rng: np.random.Generator,
    g: np.ndarray,
    kind: np.ndarray,
    tac_a: np.ndarray,
    tac_b: np.ndarray,
    imei_a: np.ndarray,
    imei_a2: np.ndarray,
    imei_b: np.ndarray,
    radio_override: np.ndarray | None = None,
) -> pa.Array:
    """Registration-list CSV lines, newline-terminated: clone victims and stolen always.

    `radio_override` (per subscriber, None or text) replaces the radio interface of the
    subscriber's first device: a registration that contradicts the TAC catalog.
    """
    n = kind.size
    legit = ~np.isin(
        kind,
        [
            K[k]
            for k in (
                "inbound_roamer",
                "counterfeit",
                "rat_mismatch",
                "null_test",
                "malformed",
                "brand_new_tac",  # the catalog has no model for it yet
            )
        ],
    )
    must = (kind == K["clone"]) | (kind == K["stolen"])
    reg_a = legit & ((rng.random(n) < world.rates.registered) | must)
    reg_b = np.isin(kind, [K["phone_change"], K["stolen"]]) & (
        rng.random(n) < world.rates.registered
    )
    dual = reg_a & (kind == K["dual_sim"])
    imeis = np.r_[imei_a[reg_a], imei_a2[dual], imei_b[reg_b]]
    tacs = np.r_[tac_a[reg_a], tac_a[dual], tac_b[reg_b]]
    device_id = np.r_[g[reg_a] * 2, g[dual] * 2, g[reg_b] * 2 + 1]
    order = np.lexsort((imeis, device_id))
    imeis, tacs, device_id = imeis[order], tacs[order], device_id[order]
    middle = [
        ",".join(
            _csv_field(v)
            for v in (
                m.manufacturer,
                m.name,
                "whitelist",
                m.model_number,
                m.brand,
                m.kind.device_type,
                radio.radio_interface(m.kind.rats),
            )
        )
        for m in world.catalog.models
    ]
    model = world.catalog.tac_model[tacs]
    if radio_override is not None:
        owners = np.r_[np.flatnonzero(reg_a), np.full(int(dual.sum()) + int(reg_b.sum()), -1)]
        owners = owners[order]
        for row in np.flatnonzero(owners >= 0).tolist():
            text = radio_override[owners[row]]
            if text is not None:
                m = world.catalog.models[model[row]]
                fields = (m.manufacturer, m.name, "whitelist", m.model_number, m.brand)
                middle.append(",".join(_csv_field(v) for v in (*fields, m.kind.device_type, text)))
                model[row] = len(middle) - 1
    imei_text = pc.utf8_lpad(pc.cast(pa.array(imeis), pa.string()), 15, "0")
    ids = pc.binary_join_element_wise(pc.cast(pa.array(device_id), pa.string()), "\n", "")
    return pc.binary_join_element_wise(imei_text, pa.array(middle).take(pa.array(model)), ids, ",")


def _csv_field(value: str) -> str:
    """A CSV field, quoted when it holds a comma or a quote (RFC 4180)."""
    if "," in value or '"' in value:
        return '"' + value.replace('"', '""') + '"'
    return value
