"""IMSI: International Mobile Subscription Identity (3GPP TS 23.003 §2.2, ITU-T E.212).

Structure: at most 15 digits = MCC (3) + MNC (2 or 3, depending on the MCC and operator) +
MSIN. The MNC length comes from python-stdnum's MCC-MNC table (`stdnum.imsi`, imsi.dat).

The one form rule of the project (`is_well_formed`, `well_formed_sql`): 6 to 15 ASCII digits.
TS 23.003 §2.2 caps an IMSI at 15 digits; the shortest one that names a subscriber is MCC (3)
+ a 2-digit MNC + a 1-digit MSIN. TS 29.571's Supi pattern (`imsi-[0-9]{5,15}`) admits 5,
an IMSI with no MSIN at all, which identifies nobody. The EIR (N5g-eir SUPI, S13 User-Name,
snapshot exception pairs) and the importers (operator dumps, register fields) all call it;
`validate` adds the known-MCC check for people typing one IMSI.

>>> split("310-260-123456789")
('310', '260', '123456789')
>>> split("234150123456789")
('234', '15', '0123456789')
>>> info("234150123456789")["country"]
'United Kingdom'
>>> is_well_formed("639011234567890"), is_well_formed("12345"), is_well_formed("63901x")
(True, False, False)
>>> validate("12345")
Traceback (most recent call last):
...
openceir.errors.InvalidIdentifier: IMSI 12345: 5 digits, expected 6 to 15
"""

from __future__ import annotations

import re

from stdnum import imsi as _imsi
from stdnum.exceptions import ValidationError

from openceir.errors import InvalidIdentifier
from openceir.identifiers import _text

__all__ = [
    "MAX_DIGITS",
    "MIN_DIGITS",
    "compact",
    "format",
    "info",
    "is_valid",
    "is_well_formed",
    "split",
    "validate",
    "well_formed_sql",
]

#: The bounds of the one IMSI form rule (see the module docstring).
MIN_DIGITS, MAX_DIGITS = 6, 15

_PREFIX = re.compile(r"^IMSI[:=#]?", re.IGNORECASE)


def compact(number: str) -> str:
    """Normalise: drop separators and an ``IMSI:`` label, map Unicode digits to ASCII."""
    return _text.strip_prefix(_text.clean(_text.as_text(number, "IMSI")), _PREFIX)


def is_well_formed(value: str) -> bool:
    """True for 6 to 15 ASCII digits exactly as given (no normalising): the IMSI form rule."""
    return MIN_DIGITS <= len(value) <= MAX_DIGITS and value.isascii() and value.isdigit()


def well_formed_sql(column: str) -> str:
    """A DuckDB predicate over `column` agreeing with `is_well_formed` (NULL for NULL)."""
    return f"regexp_full_match({column}, '[0-9]{{{MIN_DIGITS},{MAX_DIGITS}}}')"


def validate(number: str) -> str:
    """The IMSI digits with a known MCC, or raise InvalidIdentifier."""
    value = compact(number)
    if not value.isascii() or not value.isdigit():
        raise InvalidIdentifier(f"IMSI {value!r}: {_text.describe_bad(value, _text.DIGITS)}")
    if not is_well_formed(value):
        raise InvalidIdentifier(
            f"IMSI {value}: {len(value)} digits, expected {MIN_DIGITS} to {MAX_DIGITS}"
        )
    try:
        _imsi.validate(value)
    except ValidationError:
        raise InvalidIdentifier(f"IMSI {value}: unknown mobile country code {value[:3]}") from None
    return value


is_valid = _text.predicate(validate)


def split(number: str) -> tuple[str, str, str]:
    """(MCC, MNC, MSIN), the MNC 2 or 3 digits long as the MCC-MNC table says."""
    mcc, mnc, msin = _imsi.split(validate(number))
    return mcc, mnc, msin


def info(number: str) -> dict[str, str]:
    """MCC, MNC, MSIN, operator, brand, country and status from the MCC-MNC table."""
    return {k: v for k, v in _imsi.info(validate(number)).items() if isinstance(v, str)}


def format(number: str, separator: str = "-") -> str:
    """The IMSI as MCC-MNC-MSIN."""
    return separator.join(split(number))
