"""MEID: Mobile Equipment Identifier (3GPP2 S.R0048-A §2, TIA/EIA-95 successors).

Structure: 14 hex digits = manufacturer code (8 hex, first two the regional code RR) + serial
(6 hex), optionally a check digit (Luhn over hex digits). Also written in decimal as 18 digits
(10 from the manufacturer code, 8 from the serial). `pseudo_esn` derives the pESN (80 + the
low 24 bits of SHA-1 of the MEID, 3GPP2 X.S0008). Scalar logic from python-stdnum's `meid`.

>>> validate("af 01 23 45 0a bc de")
'AF0123450ABCDE'
>>> validate("293608736500703710")
'AF0123450ABCDE'
>>> to_decimal("AF0123450ABCDE"), pseudo_esn("AF0123450ABCDE")
('293608736500703710', '8016B128')
>>> check_digit("AF0123450ABCDE")
'C'
>>> validate("AF0123450ABCDE1")
Traceback (most recent call last):
...
openceir.errors.InvalidIdentifier: MEID AF0123450ABCDE1: bad check digit
"""

from __future__ import annotations

from stdnum import meid as _meid
from stdnum.exceptions import InvalidChecksum, ValidationError

from openceir.errors import InvalidIdentifier
from openceir.identifiers import _text

__all__ = ["check_digit", "compact", "format", "is_valid", "pseudo_esn", "to_decimal", "validate"]


def compact(number: str) -> str:
    """Normalise: drop separators and a ``MEID`` label, upper-case the hex digits."""
    value = _text.clean(_text.as_text(number, "MEID")).upper()
    return value[4:].lstrip(":=") if value.startswith("MEID") else value


def validate(number: str) -> str:
    """The 14-hex-digit MEID (check digit stripped), or raise InvalidIdentifier."""
    value = compact(number)
    if not value.isascii() or not value.isalnum():
        raise InvalidIdentifier(f"MEID {value!r}: {_text.describe_bad(value, _text.HEX)}")
    try:
        return _meid.validate(value, strip_check_digit=True)
    except InvalidChecksum:
        raise InvalidIdentifier(f"MEID {value}: bad check digit") from None
    except ValidationError as exc:
        raise InvalidIdentifier(f"MEID {value}: {exc.message}") from None


is_valid = _text.predicate(validate)


def check_digit(number: str) -> str:
    """The MEID check digit (hex Luhn)."""
    return _meid.calc_check_digit(validate(number))


def to_decimal(number: str) -> str:
    """The 18-digit decimal form of an MEID."""
    return _meid.format(validate(number), separator="", format="dec")


def pseudo_esn(number: str) -> str:
    """The pseudo-ESN (8 hex digits starting 80) derived from an MEID."""
    return _meid.to_pseudo_esn(validate(number))


def format(number: str, separator: str = " ") -> str:
    """The MEID in hex, grouped as RR MMMMMM SSSSSS with its check digit."""
    return _meid.format(validate(number), separator=separator, add_check_digit=True)
