"""Luhn (ISO/IEC 7812-1 Annex B) check digits, as used by the IMEI (3GPP TS 23.003 §6.2.1).

Every second digit from the right of the body is doubled (digits of the product summed);
the check digit makes the total a multiple of ten. Scalar forms wrap python-stdnum's
`stdnum.luhn`; `openceir.identifiers.bulk` has the vectorised form.

>>> calc_check_digit("49015420323751")
'8'
>>> is_valid("490154203237518")
True
>>> is_valid("490154203237519")
False
>>> is_valid("49O154203237518")
False
"""

from __future__ import annotations

from stdnum import luhn as _luhn
from stdnum.exceptions import ValidationError

__all__ = ["calc_check_digit", "is_valid"]


def calc_check_digit(body: str) -> str:
    """The Luhn check digit (one ASCII digit) for an all-digit `body`."""
    return str(_luhn.calc_check_digit(body))


def is_valid(number: object) -> bool:
    """True when `number` is ASCII digits ending in their Luhn check digit (never raises)."""
    if not isinstance(number, str) or not number or not number.isascii() or not number.isdigit():
        return False
    try:
        _luhn.validate(number)
    except ValidationError:
        return False
    return True
