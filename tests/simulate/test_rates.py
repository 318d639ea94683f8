"""Rates are shares between 0 and 1, and the subscriber kinds fit in one population."""

from __future__ import annotations

import pytest

from openceir.errors import InputError
from openceir.simulate.rates import KINDS, Rates


def test_defaults_are_small_and_every_kind_has_a_rate() -> None:
    rates = Rates().kind_rates()
    assert set(rates) == set(KINDS)
    assert rates["clone"] == 0.002 and sum(rates.values()) < 0.2


def test_a_rate_outside_zero_to_one_is_refused() -> None:
    assert Rates(clone=0.5).clone == 0.5
    with pytest.raises(InputError, match=r"clone is 1\.5"):
        Rates(clone=1.5)


def test_kind_rates_adding_up_past_one_are_refused() -> None:
    with pytest.raises(InputError, match=r"add up to 1\.306"):
        Rates(clone=0.6, counterfeit=0.6)
