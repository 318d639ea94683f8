"""Pure list diffs: collapse duplicates, full-file diff, delta application."""

from __future__ import annotations

from openceir.ingest.diff import CHANGE_TYPES, Row, collapse, delta, full


def test_collapse_drops_duplicates_and_reports_conflicts() -> None:
    rows = [Row(2, (1,), ("a",)), Row(3, (1,), ("a",)), Row(4, (2,), ("b",)), Row(5, (2,), ("c",))]
    kept, duplicates, conflicts = collapse(rows)
    assert duplicates == 1
    assert [(c.line, c.first_line, c.key) for c in conflicts] == [(5, 4, (2,))]
    assert [(r.key, r.values) for r in kept] == [((1,), ("a",)), ((2,), ("c",))]


def test_full_diff_adds_removes_and_updates() -> None:
    current = {(1,): ("a",), (2,): ("b",), (3,): ("c",)}
    change = full(current, [Row(2, (1,), ("a",)), Row(3, (2,), ("B",)), Row(4, (4,), ("d",))])
    assert change.adds == {(4,): ("d",)}
    assert change.updates == {(2,): ("B",)}
    assert change.removes == {(3,)}


def test_full_diff_of_identical_list_is_empty() -> None:
    current = {(1,): ("a",)}
    assert full(current, [Row(2, (1,), ("a",))]).counts() == {
        "added": 0,
        "removed": 0,
        "updated": 0,
    }


def test_delta_applies_and_rejects_contradictions() -> None:
    current = {(1,): ("a",), (2,): ("b",)}
    rows = [
        Row(2, (1,), ("A",), "update"),
        Row(3, (2,), (), "remove"),
        Row(4, (3,), ("c",), "add"),
        Row(5, (9,), (), "remove"),
        Row(6, (1,), ("z",), "add"),
    ]
    change, errors = delta(current, rows)
    assert change.counts() == {"added": 1, "removed": 1, "updated": 1}
    assert [(e.line, e.message) for e in errors] == [
        (5, "remove of a key not in the list"),
        (6, "the same key is also changed on line 2"),
    ]


def test_delta_add_of_identical_row_is_idempotent() -> None:
    change, errors = delta({(1,): ("a",)}, [Row(2, (1,), ("a",), "add")])
    assert errors == [] and change.counts()["added"] == 0
    _, errors = delta({(1,): ("a",)}, [Row(2, (1,), ("b",), "add")])
    assert "use change_type update" in errors[0].message


def test_change_type_words() -> None:
    assert CHANGE_TYPES["added"] == "add" and CHANGE_TYPES["deleted"] == "remove"
    assert CHANGE_TYPES["changed"] == "update" and "blocked" not in CHANGE_TYPES
