"""Rule configuration: conditions in YAML (DIRBS-style), validated into plain data.

A rule file has `conditions:` (a list) and optionally `amnesty:`. Each condition has a
`label`, a `reason` shown to users, `blocking`, `grace_period_days`, `sticky`,
`amnesty_eligible`, `max_allowed_matching_ratio`, optional `clone_differentiation` (with
`undecided_policy`: `invite_claims`, `block_all` or `wait`), and
`dimensions`: a tree of `{all: [...]}`, `{any: [...]}`, `{not: node}` and leaves
`{<dimension name>: {param: value}}` (a bare list means `all`). See docs/classification.md.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from openceir.classify.clones import POLICIES as UNDECIDED_POLICIES
from openceir.classify.dimensions import DIMENSIONS
from openceir.errors import ConfigError

DEFAULT_RULES = "default_rules.yaml"
RULES_FILE_NAME = "openceir.yaml"


@dataclass(frozen=True)
class Leaf:
    """One dimension with validated parameters."""

    name: str
    params: dict[str, Any]

    def key(self) -> str:
        """A stable identity for caching one evaluation across conditions."""
        return f"{self.name}:{json.dumps(self.params, sort_keys=True, default=str)}"


@dataclass(frozen=True)
class Node:
    """An `all` / `any` / `not` combination of nodes or leaves."""

    op: str
    children: tuple[Any, ...]


@dataclass(frozen=True)
class Condition:
    """A classification condition (architecture §6)."""

    label: str
    reason: str
    dimensions: Any
    blocking: bool = True
    grace_period_days: int = 0
    sticky: bool = False
    amnesty_eligible: bool = False
    max_allowed_matching_ratio: float = 0.1
    clone_differentiation: bool = False
    undecided_policy: str = "invite_claims"
    """What an undecided clone group's SIMs get (`classify.clones.POLICIES`)."""

    def leaves(self) -> list[Leaf]:
        """Every leaf of the dimension tree, in order."""
        return list(_leaves(self.dimensions))


@dataclass(frozen=True)
class Amnesty:
    """DIRBS amnesty: during the evaluation period, eligible conditions block on one fixed day."""

    enabled: bool = False
    evaluation_period_end_date: date | None = None
    amnesty_end_date: date | None = None


@dataclass(frozen=True)
class Rules:
    """A validated rule set and the text it came from."""

    conditions: tuple[Condition, ...]
    amnesty: Amnesty = field(default_factory=Amnesty)
    source: str = DEFAULT_RULES

    def fingerprint(self) -> str:
        """SHA-256 of the canonical rule set: the sanity check compares it between runs."""
        data = {
            "conditions": [condition_dict(c) for c in self.conditions],
            "amnesty": [
                str(self.amnesty.enabled),
                str(self.amnesty.evaluation_period_end_date),
                str(self.amnesty.amnesty_end_date),
            ],
        }
        text = json.dumps(data, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def condition(self, label: str) -> Condition:
        """The condition named `label`, or a ConfigError naming the known ones."""
        for c in self.conditions:
            if c.label == label:
                return c
        known = ", ".join(c.label for c in self.conditions)
        raise ConfigError(f"no condition {label!r} in {self.source} (known: {known})")


def _leaves(node: Any) -> Any:
    if isinstance(node, Leaf):
        yield node
    else:
        for child in node.children:
            yield from _leaves(child)


def _tree_dict(node: Any) -> Any:
    if isinstance(node, Leaf):
        return {node.name: node.params}
    return {node.op: [_tree_dict(c) for c in node.children]}


def condition_dict(c: Condition) -> dict[str, Any]:
    """A condition as plain data (the run record keeps the rules this way)."""
    out = {k: getattr(c, k) for k in Condition.__dataclass_fields__ if k != "dimensions"}
    out["dimensions"] = _tree_dict(c.dimensions)
    return out


_CONDITION_KEYS = {
    "label": str,
    "reason": str,
    "dimensions": object,
    "blocking": bool,
    "grace_period_days": int,
    "sticky": bool,
    "amnesty_eligible": bool,
    "max_allowed_matching_ratio": (int, float),
    "clone_differentiation": bool,
    "undecided_policy": str,
}


def _node(value: Any, where: str) -> Any:
    """Parse one node of a dimension tree; `where` names it in error messages."""
    if isinstance(value, list):
        return Node("all", tuple(_node(v, f"{where}[{i}]") for i, v in enumerate(value)))
    if isinstance(value, str):
        value = {value: {}}
    if not isinstance(value, dict) or len(value) != 1:
        raise ConfigError(
            f"{where}: expected one of all / any / not or a dimension name, got {value!r}"
        )
    ((name, body),) = value.items()
    if name in ("all", "any"):
        if not isinstance(body, list) or not body:
            raise ConfigError(f"{where}.{name}: expected a non-empty list")
        return Node(name, tuple(_node(v, f"{where}.{name}[{i}]") for i, v in enumerate(body)))
    if name == "not":
        return Node("not", (_node(body, f"{where}.not"),))
    spec = DIMENSIONS.get(name)
    if spec is None:
        known = ", ".join(sorted(DIMENSIONS))
        raise ConfigError(f"{where}: unknown dimension {name!r} (known: {known})")
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise ConfigError(f"{where}.{name}: parameters must be a mapping, got {body!r}")
    try:
        params = spec.params(**body).model_dump()
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{where}.{name}.{loc}: {first['msg']}") from None
    return Leaf(name, params)


def _condition(raw: Any, index: int, source: str) -> Condition:
    where = f"{source}: conditions[{index}]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping")
    unknown = set(raw) - set(_CONDITION_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    for key in ("label", "reason", "dimensions"):
        if key not in raw:
            raise ConfigError(f"{where}: missing {key!r}")
    for key, kind in _CONDITION_KEYS.items():
        if key in raw and kind is not object and not isinstance(raw[key], kind):
            raise ConfigError(
                f"{where}.{key}: {raw[key]!r} is not a {getattr(kind, '__name__', 'number')}"
            )
    label = raw["label"]
    if not label.replace("_", "").replace("-", "").isalnum():
        raise ConfigError(f"{where}.label: {label!r} may use letters, digits, _ and - only")
    grace = raw.get("grace_period_days", 0)
    if grace < 0:
        raise ConfigError(f"{where}.grace_period_days: must be 0 or more, got {grace}")
    ratio = float(raw.get("max_allowed_matching_ratio", 0.1))
    if not 0 < ratio <= 1:
        raise ConfigError(f"{where}.max_allowed_matching_ratio: must be in (0, 1], got {ratio}")
    policy = raw.get("undecided_policy", "invite_claims")
    if policy not in UNDECIDED_POLICIES:
        raise ConfigError(
            f"{where}.undecided_policy: {policy!r}, expected one of {', '.join(UNDECIDED_POLICIES)}"
        )
    return Condition(
        label=label,
        reason=raw["reason"],
        dimensions=_node(raw["dimensions"], f"{where}.dimensions"),
        blocking=raw.get("blocking", True),
        grace_period_days=grace,
        sticky=raw.get("sticky", False),
        amnesty_eligible=raw.get("amnesty_eligible", False),
        max_allowed_matching_ratio=ratio,
        clone_differentiation=raw.get("clone_differentiation", False),
        undecided_policy=policy,
    )


def _amnesty(raw: Any, source: str) -> Amnesty:
    if raw is None:
        return Amnesty()
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: amnesty: expected a mapping")
    unknown = set(raw) - {"enabled", "evaluation_period_end_date", "amnesty_end_date"}
    if unknown:
        raise ConfigError(f"{source}: amnesty: unknown key {sorted(unknown)[0]!r}")
    out = Amnesty(
        enabled=bool(raw.get("enabled", False)),
        evaluation_period_end_date=raw.get("evaluation_period_end_date"),
        amnesty_end_date=raw.get("amnesty_end_date"),
    )
    if out.enabled:
        ev, end = out.evaluation_period_end_date, out.amnesty_end_date
        if not isinstance(ev, date) or not isinstance(end, date):
            raise ConfigError(
                f"{source}: amnesty: evaluation_period_end_date and amnesty_end_date must be "
                "dates (YYYY-MM-DD) when amnesty is enabled"
            )
        if end < ev:
            raise ConfigError(
                f"{source}: amnesty: amnesty_end_date {end} is before the "
                f"evaluation period ends ({ev})"
            )
    return out


def parse(text: str, source: str = "rules") -> Rules:
    """Validate rule YAML into `Rules`; every problem is a ConfigError naming where it is."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}".splitlines()[0]) from None
    if not isinstance(data, dict) or not isinstance(data.get("conditions"), list):
        raise ConfigError(f"{source}: expected a mapping with a 'conditions' list")
    unknown = set(data) - {"conditions", "amnesty"}
    if unknown:
        raise ConfigError(f"{source}: unknown top-level key {sorted(unknown)[0]!r}")
    conditions = tuple(_condition(c, i, source) for i, c in enumerate(data["conditions"]))
    labels = [c.label for c in conditions]
    dupes = sorted({x for x in labels if labels.count(x) > 1})
    if dupes:
        raise ConfigError(f"{source}: condition {dupes[0]!r} is defined twice")
    if not conditions:
        raise ConfigError(f"{source}: no conditions")
    return Rules(conditions, _amnesty(data.get("amnesty"), source), source)


def default_text() -> str:
    """The shipped default rule set (a starting point for a regulator)."""
    return resources.files("openceir.classify").joinpath(DEFAULT_RULES).read_text("utf-8")


def load(path: Path | None = None, *, search: list[Path] | None = None) -> Rules:
    """Rules from `path`, else the first `openceir.yaml` in `search`, else the default set."""
    if path is None:
        for folder in search or []:
            if (folder / RULES_FILE_NAME).is_file():
                path = folder / RULES_FILE_NAME
                break
    if path is None:
        return parse(default_text(), DEFAULT_RULES)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the rules: {exc.strerror}") from None
    return parse(text, str(path))


__all__ = [
    "Amnesty",
    "Condition",
    "Leaf",
    "Node",
    "Rules",
    "condition_dict",
    "default_text",
    "load",
    "parse",
]
