"""Luhn check digits for IMEIs (3GPP TS 23.003 §6.2.1, ISO/IEC 7812-1 Annex B), vectorised.

The simulator makes millions of IMEIs, so the check digit is computed on numpy arrays of
14-digit bodies (TAC + serial); `check_digits` is `openceir.identifiers.luhn`'s.
"""

from __future__ import annotations

import numpy as np

from openceir.identifiers.luhn import check_digits

__all__ = ["check_digits", "with_check_digits"]


def with_check_digits(bodies: np.ndarray) -> np.ndarray:
    """Full 15-digit IMEIs (as integers) from 14-digit bodies: body * 10 + check digit."""
    bodies = np.asarray(bodies, dtype=np.int64)
    return bodies * 10 + check_digits(bodies)
