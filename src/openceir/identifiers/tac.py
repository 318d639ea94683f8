"""TAC (Type Allocation Code), 3GPP TS 23.003 §6.2.1: the first 8 digits of an IMEI.

A TAC names a device model; the GSMA allocates it through Reporting Bodies, whose
identifier (RBI) is the TAC's first two digits (GSMA TS.06 Appendix A). RBI 00 and
02-09 are test IMEIs.

>>> validate("35-686800")
'35686800'
>>> reporting_body("35686800")["body"]
'TÜV SÜD (BABT)'
>>> is_test("00101012")
True
>>> validate("3568680")
Traceback (most recent call last):
    ...
openceir.errors.InvalidIdentifier: a TAC is 8 digits, got 7
"""

from __future__ import annotations

from openceir.errors import InvalidIdentifier
from openceir.identifiers import _text, findings

__all__ = ["compact", "format", "is_test", "is_valid", "reporting_body", "validate"]


def compact(number: str) -> str:
    """Delete separators and map other scripts' digits to ASCII."""
    return _text.clean(_text.as_text(number, "TAC"))


def validate(number: str) -> str:
    """Return the 8-digit TAC, or raise InvalidIdentifier saying what is wrong."""
    value = compact(number)
    if not (value.isascii() and value.isdigit()):
        raise InvalidIdentifier(f"TAC: {_text.describe_bad(value, _text.DIGITS)}")
    if len(value) != 8:
        raise InvalidIdentifier(f"a TAC is 8 digits, got {len(value)}")
    return value


def is_valid(number: object) -> bool:
    """True when `validate` accepts the TAC; never raises."""
    try:
        return bool(validate(number))  # type: ignore[arg-type]
    except InvalidIdentifier:
        return False


def format(number: str) -> str:
    """Presentation form `AA-BBBBBB` (RBI, then the rest)."""
    value = validate(number)
    return f"{value[:2]}-{value[2:]}"


def reporting_body(number: str) -> dict[str, str] | None:
    """The Reporting Body that allocated this TAC (rbi, body, origin, status, source)."""
    return findings.reporting_body(validate(number))


def is_test(number: str) -> bool:
    """True for TACs in a test IMEI range (RBI 00 or 02-09)."""
    return findings.test_range(validate(number)) is not None
