"""The engine: evaluate conditions (Ibis dimension trees) on a backend, with the safety check.

Each distinct leaf (dimension + parameters) runs once per run on the backend (DuckDB by
default) and comes back as Arrow; `all` / `any` / `not` combine the matched IMEIs as sets;
evidence is the matching leaves' columns, per IMEI. A condition matching more than its
`max_allowed_matching_ratio` of the IMEIs seen is refused (not published), with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from openceir.classify.dimensions import DIMENSIONS
from openceir.classify.rules import Condition, Leaf
from openceir.classify.sources import Sources


@dataclass
class Match:
    """One condition's result: the matched IMEIs with evidence, or why it was refused."""

    condition: Condition
    ids: pa.Array
    imei_key: pa.Array
    imei_raw: pa.Array
    evidence: list[dict[str, Any]]
    seen: int
    refused: str | None = None
    clones: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        """How many IMEIs matched."""
        return len(self.ids)

    @property
    def ratio(self) -> float:
        """The share of seen IMEIs matched (0 when nothing was seen)."""
        return self.count / self.seen if self.seen else 0.0


def imei_ids(keys: pa.Array, raws: pa.Array) -> pa.Array:
    """One text id per IMEI: the 14-digit key, or `raw:<text>` for a malformed IMEI."""
    key_text = pc.utf8_lpad(pc.cast(keys, pa.string()), 14, "0")
    raw_text = pc.binary_join_element_wise(pa.scalar("raw:"), raws, "")
    return pc.if_else(pc.is_null(keys), raw_text, key_text)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float):
        return round(value, 4)
    return value


class Evaluator:
    """Runs leaves on one backend, caching each (dimension, parameters) within the run."""

    def __init__(self, backend: Any, sources: Sources) -> None:
        self.backend = backend
        self.sources = sources
        self._leaves: dict[str, pa.Table] = {}
        self._universe: pa.Array | None = None

    def execute(self, expr: Any) -> pa.Table:
        """Run an Ibis expression on the backend and return Arrow."""
        return self.backend.to_pyarrow(expr)

    def leaf(self, leaf: Leaf) -> pa.Table:
        """The rows of one dimension (with an `imei_id` column), computed once per run."""
        key = leaf.key()
        if key not in self._leaves:
            spec = DIMENSIONS[leaf.name]
            table = self.execute(spec.fn(self.sources, **leaf.params))
            ids = imei_ids(table.column("imei_key"), table.column("imei_raw"))
            table = table.append_column("imei_id", ids)
            self._leaves[key] = table
        return self._leaves[key]

    def universe(self) -> pa.Array:
        """Every IMEI seen up to the run date (the base of `not` and of the safety ratio)."""
        if self._universe is None:
            import ibis

            obs = self.sources.observations
            expr = (
                obs.filter(obs.first_seen <= ibis.literal(self.sources.as_of))
                .select("imei_key", "imei_raw")
                .distinct()
            )
            t = self.execute(expr)
            self._universe = imei_ids(t.column("imei_key"), t.column("imei_raw"))
        return self._universe

    def ids(self, node: Any) -> pa.Array:
        """The set of IMEI ids a dimension tree matches."""
        if isinstance(node, Leaf):
            return pc.unique(self.leaf(node).column("imei_id").combine_chunks())
        parts = [self.ids(c) for c in node.children]
        if node.op == "not":
            universe = self.universe()
            return universe.filter(pc.invert(pc.is_in(universe, value_set=parts[0])))
        out = parts[0]
        for part in parts[1:]:
            if node.op == "all":
                out = out.filter(pc.is_in(out, value_set=part))
            else:
                out = pc.unique(pa.concat_arrays([out, part]))
        return out

    def positive_leaves(self, node: Any, negated: bool = False) -> list[Leaf]:
        """Leaves not under a `not`: their rows are the evidence for a match."""
        if isinstance(node, Leaf):
            return [] if negated else [node]
        out: list[Leaf] = []
        for child in node.children:
            out += self.positive_leaves(child, negated ^ (node.op == "not"))
        return out

    def evaluate(self, condition: Condition) -> Match:
        """Match one condition: ids, keys, evidence per IMEI, and the safety check."""
        ids = self.ids(condition.dimensions)
        if isinstance(ids, pa.ChunkedArray):
            ids = ids.combine_chunks()
        ids = ids.cast(pa.string())
        evidence: dict[str, dict[str, Any]] = {i: {} for i in ids.to_pylist()}
        keys: dict[str, tuple[Any, Any]] = {}
        for leaf in self.positive_leaves(condition.dimensions):
            table = self.leaf(leaf)
            rows = table.filter(pc.is_in(table.column("imei_id"), value_set=ids))
            extra = [c for c in rows.column_names if c not in ("imei_key", "imei_raw", "imei_id")]
            ids_col = rows.column("imei_id").to_pylist()
            key_col = rows.column("imei_key").to_pylist()
            raw_col = rows.column("imei_raw").to_pylist()
            extra_cols = {c: rows.column(c).to_pylist() for c in extra}
            for i, imei_id in enumerate(ids_col):
                keys.setdefault(imei_id, (key_col[i], raw_col[i]))
                evidence[imei_id][leaf.name] = _jsonable({c: v[i] for c, v in extra_cols.items()})
        order = ids.to_pylist()
        for imei_id in order:  # matched only through `not` (rare): derive the key from the id
            if imei_id not in keys:
                keys[imei_id] = (
                    (None, imei_id[4:]) if imei_id.startswith("raw:") else (int(imei_id), None)
                )
        match = Match(
            condition=condition,
            ids=ids,
            imei_key=pa.array([keys[i][0] for i in order], pa.int64()),
            imei_raw=pa.array([keys[i][1] for i in order], pa.string()),
            evidence=[evidence[i] for i in order],
            seen=len(self.universe()),
        )
        limit = condition.max_allowed_matching_ratio
        if match.seen and match.ratio > limit:
            match.refused = (
                f"matched {match.count} of {match.seen} IMEIs seen ({match.ratio:.1%}), more "
                f"than its max_allowed_matching_ratio of {limit:.1%}: not published"
            )
        return match


__all__ = ["Evaluator", "Match", "imei_ids"]
