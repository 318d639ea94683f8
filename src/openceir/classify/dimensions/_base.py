"""What every dimension shares: the registry, the window filter and the IMEI identity columns.

A dimension is a pure function `fn(src: Sources, *, params...) -> ibis.Table` returning one
row per matching IMEI with columns `imei_key` (BIGINT, NULL when malformed), `imei_raw` (the
raw text when malformed, else NULL) and any evidence columns (numbers, lists, dates) that
explain the match. Parameters are keyword-only and typed; the rule file is validated against
them (`params_model`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import ibis
import ibis.expr.datatypes as dt
from pydantic import BaseModel, ConfigDict, create_model

from openceir.classify.sources import Sources

Dimension = Callable[..., Any]


@dataclass(frozen=True)
class Spec:
    """A registered dimension: its name, function, parameter model and one-line meaning."""

    name: str
    fn: Dimension
    params: type[BaseModel]
    doc: str
    needs_lake: bool = True


DIMENSIONS: dict[str, Spec] = {}
"""Every built-in dimension by the name used in rule files."""


def params_model(fn: Dimension) -> type[BaseModel]:
    """A pydantic model of `fn`'s keyword-only parameters (types and defaults from the code)."""
    fields: dict[str, Any] = {}
    for name, p in inspect.signature(fn, eval_str=True).parameters.items():
        if p.kind is not inspect.Parameter.KEYWORD_ONLY:
            continue
        default = ... if p.default is inspect.Parameter.empty else p.default
        fields[name] = (p.annotation, default)
    return create_model(
        f"{fn.__name__}_params",
        __config__=ConfigDict(extra="forbid", strict=False),
        **fields,
    )


def dimension(name: str, *, needs_lake: bool = True) -> Callable[[Dimension], Dimension]:
    """Register `fn` as the dimension `name` (decorator)."""

    def wrap(fn: Dimension) -> Dimension:
        doc = (fn.__doc__ or "").strip().splitlines()[0]
        DIMENSIONS[name] = Spec(name, fn, params_model(fn), doc, needs_lake)
        return fn

    return wrap


@ibis.udf.scalar.builtin(signature=((dt.int64,), dt.int64))
def bit_count(x: Any) -> Any:
    """Number of set bits (DuckDB and Spark both have `bit_count`)."""


def sorted_set(column: Any, where: Any = None) -> Any:
    """The distinct non-NULL values of `column` as a sorted list (an aggregate).

    Why sorted: `collect(distinct=True)` returns values in whatever order the engine met
    them, which differs between DuckDB and Spark (and between runs): evidence must not.
    Why NULL when nothing is collected: DuckDB returns NULL for an empty `array_agg`, Spark
    an empty list; both give NULL here.
    """
    values = column.collect(distinct=True, where=where).sort()
    return ibis.ifelse(values.length() > 0, values, ibis.null(values.type()))


def whole_number(text: Any) -> Any:
    """The integer written in `text` when it is digits only (an optional leading `+`, at most
    18 digits), else NULL.

    Why not `try_cast`: DuckDB's TRY_CAST reads '1.5' as 2 and '1e3' as 1000, Spark's as NULL.
    """
    digits = text.re_search(r"^\+?[0-9]{1,18}$")
    return ibis.ifelse(digits, text.try_cast("int64"), ibis.null("int64"))


def rounded(value: Any, digits: int) -> Any:
    """A non-negative number rounded half up to `digits` decimals, the same on every engine.

    Why not `round`: DuckDB's and Spark's disagree on halves (2.675 is 2.67 to DuckDB, 2.68
    to Spark, which rounds the decimal text). Here both compute floor(x*10^d + 0.5)/10^d in
    IEEE doubles, which every engine does alike (2.675 -> 2.68).
    """
    scale = 10**digits
    return (value * scale + 0.5).floor().cast("float64") / scale


def window(obs: Any, as_of: date, period_days: int) -> Any:
    """Observations overlapping the `period_days` days ending on `as_of` (inclusive)."""
    start = as_of - timedelta(days=period_days - 1)
    return obs.filter(
        (obs.last_seen >= ibis.literal(start)) & (obs.first_seen <= ibis.literal(as_of))
    )


def seen(src: Sources, period_days: int | None = None) -> Any:
    """Observations up to the run date, optionally only the last `period_days` days."""
    obs = src.observations
    if period_days is None:
        return obs.filter(obs.first_seen <= ibis.literal(src.as_of))
    return window(obs, src.as_of, period_days)


def tac_of(table: Any) -> Any:
    """The TAC (first 8 digits) of `imei_key` as an integer."""
    return (table.imei_key // 1_000_000).cast("int64")


def body_text(table: Any) -> Any:
    """The 14-digit IMEI body as text (leading zeros restored)."""
    return table.imei_key.cast("string").lpad(14, "0")


def distinct_ids(table: Any) -> Any:
    """The distinct (imei_key, imei_raw) pairs of `table`."""
    return table.select("imei_key", "imei_raw").distinct()


__all__ = [
    "DIMENSIONS",
    "Spec",
    "bit_count",
    "body_text",
    "dimension",
    "distinct_ids",
    "params_model",
    "rounded",
    "seen",
    "sorted_set",
    "tac_of",
    "whole_number",
    "window",
]
