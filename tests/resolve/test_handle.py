"""The Handle REST API shape: suffix parsing, filters and bodies (pure functions)."""

from __future__ import annotations

import doctest
from datetime import UTC, datetime

import pytest

from openceir.errors import InputError
from openceir.resolve import handle
from openceir.resolve.handle import HandleValue

VALUES = [
    HandleValue(2, "IMEI", "352099001761481"),
    HandleValue(1, "URL", "http://x/y"),
    HandleValue(11, "MODEL", "Phone 1"),
]


def test_module_doctests_pass() -> None:
    assert doctest.testmod(handle).failed == 0


@pytest.mark.parametrize(
    ("suffix", "expected"),
    [
        ("IMEI.352099001761481", ("IMEI", "352099001761481")),
        ("tac.35209900", ("TAC", "35209900")),
        ("Imei.35.2099", ("IMEI", "35.2099")),
    ],
)
def test_parse_suffix_accepts_kinds_in_any_case(suffix: str, expected: tuple[str, str]) -> None:
    assert handle.parse_suffix(suffix) == expected


@pytest.mark.parametrize("suffix", ["352099001761481", "MEID.A0000000002329", "IMEI.", ".123"])
def test_parse_suffix_rejects_unknown_shapes(suffix: str) -> None:
    with pytest.raises(InputError, match="field suffix"):
        handle.parse_suffix(suffix)


def test_select_filters_by_index_or_type_case_insensitively() -> None:
    assert handle.select(VALUES) == VALUES
    assert [v.index for v in handle.select(VALUES, indexes=[1])] == [1]
    assert [v.index for v in handle.select(VALUES, types=["model"])] == [11]
    assert [v.index for v in handle.select(VALUES, indexes=[2], types=["MODEL"])] == [2, 11]
    assert handle.select(VALUES, indexes=[99]) == []


def test_record_body_sorts_values_and_stamps_time() -> None:
    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    body = handle.record_body("21.T1/IMEI.1", VALUES, now)
    assert body["responseCode"] == 1 and body["handle"] == "21.T1/IMEI.1"
    assert [v["index"] for v in body["values"]] == [1, 2, 11]
    assert body["values"][0] == {
        "index": 1,
        "type": "URL",
        "data": {"format": "string", "value": "http://x/y"},
        "ttl": 3600,
        "timestamp": "2026-11-28T12:00:00Z",
    }


def test_empty_selection_is_response_code_200() -> None:
    assert handle.record_body("p/s", [])["responseCode"] == 200
    assert handle.not_found_body("p/s") == {"responseCode": 100, "handle": "p/s"}
