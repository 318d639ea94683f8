"""IMEI scalar form: normalisation, canonical form, key, parts and findings."""

from __future__ import annotations

import pytest
from stdnum import imei as stdnum_imei

from openceir.errors import InvalidIdentifier
from openceir.identifiers import imei


@pytest.mark.parametrize(
    "typed",
    [
        "490154203237518",
        "49 015420 323751 8",
        "49-015420-323751-8",
        "49.015420.323751.8",
        "49/015420/323751/8",
        "IMEI:490154203237518",
        "imei-490154203237518",
        "IMEI 490154203237518",
        "４９０１５４２０３２３７５１８",
        "٤٩٠١٥٤٢٠٣٢٣٧٥١٨",
        "۴۹۰۱۵۴۲۰۳۲۳۷۵۱۸",
        "49015420323751",
        "4901542032375199",
    ],
)
def test_validate_accepts_typed_forms_and_returns_15_digits(typed: str) -> None:
    assert imei.validate(typed) == "490154203237518"


def test_validate_rejects_bad_check_digit_naming_it() -> None:
    with pytest.raises(InvalidIdentifier, match="check digit"):
        imei.validate("490154203237519")


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("4901542032375", "13 digits"),
        ("49015420323751234", "17 digits"),
        ("49015420323751²", "SUPERSCRIPT TWO"),
        ("49O154203237518", "LATIN CAPITAL LETTER O"),
        ("", "0 digits"),
    ],
)
def test_validate_rejects_malformed_with_reason(value: str, why: str) -> None:
    with pytest.raises(InvalidIdentifier, match=why):
        imei.validate(value)


def test_validate_rejects_non_text() -> None:
    with pytest.raises(InvalidIdentifier, match="must be text"):
        imei.validate(490154203237518)  # type: ignore[arg-type]


def test_key_is_the_14_digit_body_ignoring_check_digit_and_svn() -> None:
    assert imei.key("490154203237518") == 49015420323751
    assert imei.key("490154203237519") == 49015420323751
    assert imei.key("4901542032375100") == 49015420323751
    assert imei.key("00000000000001") == 1


@pytest.mark.parametrize("value", ["4901542032375", "49015420323751X", "A9015420323751", None, ""])
def test_key_is_none_for_malformed(value: object) -> None:
    assert imei.key(value) is None


def test_parts_of_a_valid_imei() -> None:
    assert imei.tac("49-015420-323751-8") == "49015420"
    assert imei.serial("49-015420-323751-8") == "323751"
    assert imei.check_digit("49015420323751") == "8"
    assert imei.format("490154203237518") == "49-015420-323751-8"
    assert imei.format("490154203237518", " ") == "49 015420 323751 8"


def test_is_valid_never_raises() -> None:
    assert imei.is_valid("490154203237518") is True
    assert imei.is_valid("490154203237519") is False
    assert imei.is_valid(None) is False
    assert imei.is_valid(b"490154203237518") is False


@pytest.mark.parametrize(
    ("value", "codes"),
    [
        ("356868000041418", []),
        ("35686800004141", ["no_check_digit"]),
        ("3568680000414100", ["imeisv_given"]),
        ("356868000041419", ["bad_check_digit"]),
        ("00101000000001", ["no_check_digit", "test_tac"]),
        ("00000000000000", ["no_check_digit", "test_tac", "all_zero", "known_null"]),
        ("77777777777777", ["no_check_digit", "repeated_digit", "reserved_prefix"]),
        ("12345678901234", ["no_check_digit", "sequential", "reserved_prefix"]),
        ("4901542032", ["bad_length"]),
        ("49O15420323751", ["non_digit"]),
    ],
)
def test_findings_give_reasons(value: str, codes: list[str]) -> None:
    assert [f.code for f in imei.findings(value)] == codes


def test_findings_name_severity_and_message() -> None:
    (found,) = imei.findings("356868000041419")
    assert found.severity == "error"
    assert "expected 8" in found.message


@pytest.mark.parametrize("value", ["490154203237518", "356868000041418", "012345678901237"])
def test_agrees_with_python_stdnum_on_15_digits(value: str) -> None:
    assert imei.is_valid(value) == stdnum_imei.is_valid(value)
