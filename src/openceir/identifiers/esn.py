"""ESN: Electronic Serial Number (TIA/EIA-95, 3GPP2 C.S0072 for pESN).

Structure: 32 bits written as 8 hex digits: manufacturer code (8 bits) + serial (24 bits);
also 11 decimal digits (3 for the manufacturer, 8 for the serial). ESNs starting ``80`` are
pseudo-ESNs derived from an MEID (`meid.pseudo_esn`) and are not unique.

>>> validate("8016b128")
'8016B128'
>>> to_decimal("8016B128"), validate("12801487144")
('12801487144', '8016B128')
>>> is_pseudo("8016B128")
True
>>> validate("8016B12")
Traceback (most recent call last):
...
openceir.errors.InvalidIdentifier: ESN 8016B12: 7 characters, expected 8 hex or 11 decimal digits
"""

from __future__ import annotations

from openceir.errors import InvalidIdentifier
from openceir.identifiers import _text

__all__ = ["compact", "format", "is_pseudo", "is_valid", "to_decimal", "validate"]


def compact(number: str) -> str:
    """Normalise: drop separators and an ``ESN`` label, upper-case the hex digits."""
    value = _text.clean(_text.as_text(number, "ESN")).upper()
    return value[3:].lstrip(":=") if value.startswith("ESN") else value


def validate(number: str) -> str:
    """The 8-hex-digit ESN (decimal form converted), or raise InvalidIdentifier."""
    value = compact(number)
    if len(value) == 11 and value.isascii() and value.isdigit():
        maker, serial = int(value[:3]), int(value[3:])
        if maker > 0xFF or serial > 0xFFFFFF:
            raise InvalidIdentifier(f"ESN {value}: decimal parts out of range")
        return f"{maker:02X}{serial:06X}"
    if not all(ch in _text.HEX for ch in value):
        raise InvalidIdentifier(f"ESN {value!r}: {_text.describe_bad(value, _text.HEX)}")
    if len(value) != 8:
        raise InvalidIdentifier(
            f"ESN {value}: {len(value)} characters, expected 8 hex or 11 decimal digits"
        )
    return value


is_valid = _text.predicate(validate)


def is_pseudo(number: str) -> bool:
    """True for a pseudo-ESN (manufacturer code 0x80), derived from an MEID."""
    return validate(number).startswith("80")


def to_decimal(number: str) -> str:
    """The 11-digit decimal form: 3-digit manufacturer code + 8-digit serial."""
    value = validate(number)
    return f"{int(value[:2], 16):03d}{int(value[2:], 16):08d}"


def format(number: str) -> str:
    """The canonical 8-hex-digit ESN."""
    return validate(number)
