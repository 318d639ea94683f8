"""The vectorised Luhn agrees with python-stdnum's scalar one."""

from __future__ import annotations

import numpy as np
from stdnum import luhn

from openceir.simulate.luhn import check_digits, with_check_digits


def test_check_digits_agree_with_stdnum_on_random_bodies() -> None:
    bodies = np.random.default_rng(3).integers(0, 10**14, 2000)
    ours = check_digits(bodies).tolist()
    theirs = [int(luhn.calc_check_digit(f"{b:014d}")) for b in bodies.tolist()]
    assert ours == theirs


def test_with_check_digits_makes_valid_imeis_and_a_changed_digit_fails() -> None:
    imeis = with_check_digits(np.array([35209900176148, 1234567890123, 0]))
    texts = [f"{v:015d}" for v in imeis.tolist()]
    assert texts[0] == "352099001761481"
    assert all(luhn.is_valid(t) for t in texts)
    broken = texts[0][:-1] + str((int(texts[0][-1]) + 1) % 10)
    assert not luhn.is_valid(broken)
