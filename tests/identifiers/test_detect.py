"""Type detection: a value written as an IMEI is judged as an IMEI before any other reading."""

from __future__ import annotations

import pytest

from openceir.identifiers import detect


@pytest.mark.parametrize(
    "value",
    [
        "35-209900-176148-2",
        "35 209900 176148 2",
        "35209900-176148-2",
        "IMEI 352099001761482",
        "imei-352099001761482",
    ],
)
def test_imei_form_with_bad_check_digit_is_invalid_and_names_the_right_digit(value: str) -> None:
    result = detect.describe(value)
    assert result["form"] == "IMEI"
    assert result["valid"] is False
    assert result["candidates"] == []
    [found] = result["findings"]
    assert found.code == "bad_check_digit"
    assert found.message == "IMEI 352099001761482: bad check digit 2, expected 1"


def test_imei_form_with_good_check_digit_is_only_an_imei() -> None:
    result = detect.describe("35-209900-176148-1")
    assert result["form"] == "IMEI"
    assert result["valid"] is True
    assert [c["kind"] for c in result["candidates"]] == ["IMEI"]


def test_bare_digits_that_fail_as_imei_say_so_before_the_imsi_reading() -> None:
    result = detect.describe("352099001761482")
    assert result["form"] is None
    assert result["valid"] is True
    assert [f.code for f in result["findings"]] == ["bad_check_digit"]
    assert [c["kind"] for c in result["candidates"]] == ["IMSI"]


def test_bare_digits_of_another_length_carry_no_imei_finding() -> None:
    result = detect.describe("+44 7400 123456")
    assert result["form"] is None
    assert result["findings"] == []


def test_a_grouping_that_is_not_an_imei_grouping_is_not_an_imei_form() -> None:
    assert detect.describe("3520-9900-1761-482")["form"] is None
