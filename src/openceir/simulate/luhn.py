"""Luhn check digits for IMEIs (3GPP TS 23.003 §6.2.1, ISO/IEC 7812-1 Annex B), vectorised.

The simulator makes millions of IMEIs, so the check digit is computed on numpy arrays of
14-digit bodies (TAC + serial) instead of one string at a time. `stdnum.luhn` is the scalar
reference the tests compare against.
"""

from __future__ import annotations

import numpy as np

# Doubling a digit and summing the digits of the product, for digits 0..9.
_DOUBLED = np.array([0, 2, 4, 6, 8, 1, 3, 5, 7, 9], dtype=np.int64)


def check_digits(bodies: np.ndarray, width: int = 14) -> np.ndarray:
    """Luhn check digit of each non-negative integer body of `width` digits (leading zeros kept).

    >>> check_digits(np.array([35209900176148])).tolist()
    [1]
    """
    values = np.asarray(bodies, dtype=np.int64).copy()
    total = np.zeros(values.shape, dtype=np.int64)
    for position in range(width):
        digit = values % 10
        values //= 10
        # The rightmost body digit sits next to the check digit, so it is doubled.
        total += _DOUBLED[digit] if position % 2 == 0 else digit
    return (10 - total % 10) % 10


def with_check_digits(bodies: np.ndarray) -> np.ndarray:
    """Full 15-digit IMEIs (as integers) from 14-digit bodies: body * 10 + check digit."""
    bodies = np.asarray(bodies, dtype=np.int64)
    return bodies * 10 + check_digits(bodies)
