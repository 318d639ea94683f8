"""IMSIs and MSISDNs never collide across roles and subscribers, and keep their formats."""

from __future__ import annotations

import numpy as np

from openceir.simulate import numbering
from openceir.simulate.numbering import Role


def test_scramble_is_a_bijection_on_its_space() -> None:
    values = numbering.scramble(np.arange(10**5), 10**5)
    assert np.unique(values).size == 10**5
    assert values.min() >= 0 and values.max() < 10**5


def test_imsis_are_15_digits_unique_across_roles_and_keep_the_mcc_mnc() -> None:
    index = np.arange(0, numbering.MAX_SUBSCRIBERS, 9973)
    five = numbering.imsis(np.full(index.size, 63901), Role.OWN, index)
    roles = [numbering.imsis(np.full(index.size, 63901), r, index) for r in Role]
    six = numbering.imsis(np.full(index.size, 310260), Role.CLONE, index)
    every = np.concatenate(roles)
    assert np.unique(every).size == every.size
    assert all(len(str(v)) == 15 and str(v).startswith("63901") for v in five.tolist())
    assert all(len(str(v)) == 15 and str(v).startswith("310260") for v in six.tolist())


def test_msisdns_carry_the_country_code_and_differ_by_role() -> None:
    index = np.arange(1000)
    own = numbering.msisdns(254, Role.OWN, index)
    second = numbering.msisdns(254, Role.SECOND, index)
    assert all(str(v).startswith("2547") and len(str(v)) == 12 for v in own.tolist())
    assert not set(own.tolist()) & set(second.tolist())


def test_transient_msisdns_form_an_arithmetic_sequence() -> None:
    sims = np.arange(12)
    values = numbering.transient_msisdns(254, np.full(12, 77), sims, 7)
    assert np.all(np.diff(values) == 7)
    assert not np.all(np.diff(values) == 6)
