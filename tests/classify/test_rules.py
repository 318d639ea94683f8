"""Rule files: the default set loads; every mistake is one ConfigError naming where."""

from __future__ import annotations

from datetime import date

import pytest

from openceir.classify import rules
from openceir.classify.rules import Leaf, Node
from openceir.errors import ConfigError


def test_default_rules_load_and_cover_the_issue_conditions() -> None:
    r = rules.load()
    labels = {c.label for c in r.conditions}
    assert {"malformed_imei", "stolen", "duplicate", "not_registered"} <= labels
    assert r.condition("duplicate").clone_differentiation is True
    assert r.condition("not_registered").blocking is False


def test_nested_all_any_not_parse_into_a_tree() -> None:
    r = rules.parse(
        """
conditions:
  - label: dup
    reason: cloned
    grace_period_days: 7
    dimensions:
      all:
        - any:
            - duplicate_threshold: {threshold: 3}
            - imeisv_conflict
        - not: {roamer: {scope: international_roamer}}
"""
    )
    tree = r.conditions[0].dimensions
    assert tree.op == "all"
    assert tree.children[0] == Node(
        "any",
        (
            Leaf("duplicate_threshold", {"threshold": 3, "period_days": 30, "by": "imsi"}),
            Leaf("imeisv_conflict", {"period_days": 30}),
        ),
    )
    assert tree.children[1].op == "not"
    assert r.conditions[0].grace_period_days == 7


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("conditions: []", "no conditions"),
        ("- a", "expected a mapping with a 'conditions' list"),
        ("conditions:\n  - {label: a, reason: r, dimensions: [nope]}", "unknown dimension 'nope'"),
        (
            "conditions:\n  - {label: a, reason: r, dimensions: [{duplicate_threshold: "
            "{threshold: many}}]}",
            "duplicate_threshold.threshold",
        ),
        (
            "conditions:\n  - {label: a, reason: r, dimensions: [{duplicate_threshold: "
            "{treshold: 3}}]}",
            "treshold",
        ),
        ("conditions:\n  - {label: a, dimensions: [stolen]}", "missing 'reason'"),
        ("conditions:\n  - {label: a, reason: r, dimensions: [stolen], blok: true}", "'blok'"),
        (
            "conditions:\n  - {label: a, reason: r, dimensions: [stolen], "
            "max_allowed_matching_ratio: 2}",
            "max_allowed_matching_ratio",
        ),
        (
            "conditions:\n  - {label: a, reason: r, dimensions: [stolen]}\n"
            "  - {label: a, reason: r, dimensions: [stolen]}",
            "defined twice",
        ),
        ("conditions:\n  - {label: a, reason: r, dimensions: {any: []}}", "non-empty list"),
        (
            "conditions:\n  - {label: a, reason: r, dimensions: [stolen]}\n"
            "amnesty: {enabled: true}",
            "must be dates",
        ),
        ("conditions: [", "not valid YAML"),
    ],
)
def test_bad_rule_files_fail_with_the_place_named(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        rules.parse(text, "my.yaml")
    assert message in str(err.value)
    assert str(err.value).startswith("my.yaml")


def test_fingerprint_changes_with_a_parameter() -> None:
    base = (
        "conditions:\n  - {label: a, reason: r, "
        "dimensions: [{duplicate_threshold: {threshold: %d}}]}"
    )
    assert rules.parse(base % 3).fingerprint() == rules.parse(base % 3).fingerprint()
    assert rules.parse(base % 3).fingerprint() != rules.parse(base % 4).fingerprint()


def test_amnesty_parses_dates() -> None:
    r = rules.parse(
        "conditions:\n  - {label: a, reason: r, dimensions: [stolen]}\n"
        "amnesty: {enabled: true, evaluation_period_end_date: 2026-12-31, "
        "amnesty_end_date: 2027-03-31}"
    )
    assert r.amnesty.amnesty_end_date == date(2027, 3, 31)


def test_missing_rules_file_is_a_config_error(tmp_path) -> None:
    with pytest.raises(ConfigError, match="cannot read the rules"):
        rules.load(tmp_path / "absent.yaml")
    (tmp_path / "openceir.yaml").write_text(
        "conditions:\n  - {label: only, reason: r, dimensions: [stolen]}\n"
    )
    assert [c.label for c in rules.load(search=[tmp_path]).conditions] == ["only"]
