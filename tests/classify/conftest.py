"""Builders for hand-made lake rows whose correct classification is obvious."""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis
import pyarrow as pa
import pytest

from openceir.classify import sources
from openceir.classify.engine import Evaluator
from openceir.classify.rules import Leaf

AS_OF = date(2026, 11, 20)
IMEI = 35686800004141


def obs(
    key: int | None = IMEI,
    imsi: str = "639010000000001",
    *,
    msisdn: str | None = "254700000001",
    operator: str = "alpha",
    raw: str | None = None,
    rat: int = 4,
    days: tuple[int, ...] = (1, 2, 3),
    month: str = "2026-11",
    imeisv: list[str] | None = None,
) -> dict[str, Any]:
    """One observation row: a triplet seen on `days` of `month`."""
    year, mon = (int(x) for x in month.split("-"))
    mask = 0
    for d in days:
        mask |= 1 << (d - 1)
    return {
        "operator": operator,
        "month": month,
        "imei_key": key,
        "imei_raw": raw,
        "imsi": imsi,
        "msisdn": msisdn,
        "rat_mask": rat,
        "day_mask": mask,
        "first_seen": date(year, mon, min(days)),
        "last_seen": date(year, mon, max(days)),
        "imeisv": imeisv,
    }


def make_sources(rows: list[dict[str, Any]], as_of: date = AS_OF, **kw: Any) -> sources.Sources:
    """Sources over `rows` and the given register tables (Arrow or lists of dicts)."""
    regs = {}
    for name, value in list(kw.items()):
        if name in sources.REGISTERS:
            kw.pop(name)
            regs[name] = (
                value
                if isinstance(value, pa.Table)
                else pa.Table.from_pylist(value, schema=sources.REGISTERS[name])
            )
    sig = kw.pop("sightings", None)
    if sig is not None and not isinstance(sig, pa.Table):
        sig = pa.Table.from_pylist(sig, schema=sources.SIGHTINGS)
    table = pa.Table.from_pylist(rows, schema=sources.OBSERVATIONS)
    kw.setdefault("country_mcc", ["639"])
    kw.setdefault("operator_networks", {"alpha": ["63901"], "beta": ["63902"]})
    return sources.from_arrow(as_of, observations=table, sightings=sig, **regs, **kw)


@pytest.fixture
def run_dimension():
    """Call: run_dimension(name, rows, **params or registers) -> list of matched row dicts."""

    def call(name: str, rows: list[dict[str, Any]], params: dict | None = None, **kw: Any):
        from openceir.classify.dimensions import DIMENSIONS

        src = make_sources(rows, **kw)
        ev = Evaluator(ibis.duckdb.connect(), src)
        full = DIMENSIONS[name].params(**(params or {})).model_dump()
        table = ev.leaf(Leaf(name, full))
        return sorted(table.to_pylist(), key=lambda r: str(r["imei_id"]))

    return call


def import_simulated(
    settings: Any,
    summary: Any,
    engine: Any,
    today: Any,
    registers: tuple[str, ...] = ("tac_catalog", "stolen", "registration"),
) -> None:
    """Import what `openceir simulate` wrote: the given registers, then alpha's and beta's dumps.

    The dump with the injected leading-zero loss is refused by its check; it is imported
    anyway with that check disabled, so the classifier sees every phenomenon.
    """
    from openceir.errors import InputError
    from openceir.ingest import run_import

    kinds = {"tac_catalog": "tac"}
    names = {p.name: p for p in summary.files if p.parent.name != "truth"}
    for name in registers:
        run_import(
            settings, kinds.get(name, name), names[f"{name}.csv"], engine=engine, today=today
        )
    for name in sorted(n for n in names if n.startswith(("alpha_", "beta_"))):
        op = name.split("_")[0]
        try:
            run_import(
                settings, "operator", names[name], operator_id=op, engine=engine, today=today
            )
        except InputError:
            run_import(
                settings,
                "operator",
                names[name],
                operator_id=op,
                engine=engine,
                today=today,
                disable=["leading_zero_loss"],
            )
