"""Luhn (ISO/IEC 7812-1 Annex B) check digits, as used by the IMEI (3GPP TS 23.003 §6.2.1).

Every second digit from the right of the body is doubled (digits of the product summed);
the check digit makes the total a multiple of ten. Scalar forms wrap python-stdnum's
`stdnum.luhn`; `check_digits` is the vectorised form over numpy arrays of integer bodies
(list writers and the simulator compute millions at once).

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

import numpy as np
from stdnum import luhn as _luhn
from stdnum.exceptions import ValidationError

__all__ = ["calc_check_digit", "check_digits", "is_valid"]

# Doubling a digit and summing the digits of the product, for digits 0..9.
_DOUBLED = np.array([0, 2, 4, 6, 8, 1, 3, 5, 7, 9], dtype=np.int64)


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


def check_digits(bodies: np.ndarray, width: int = 14) -> np.ndarray:
    """Luhn check digit of each non-negative integer body of `width` digits (leading zeros kept).

    >>> check_digits(np.array([35209900176148, 49015420323751])).tolist()
    [1, 8]
    """
    values = np.asarray(bodies, dtype=np.int64).copy()
    total = np.zeros(values.shape, dtype=np.int64)
    for position in range(width):
        digit = values % 10
        values //= 10
        # The rightmost body digit sits next to the check digit, so it is doubled.
        total += _DOUBLED[digit] if position % 2 == 0 else digit
    return (10 - total % 10) % 10
