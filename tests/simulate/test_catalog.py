"""The synthetic TAC catalog: restricted models exist, counterfeit TACs are never allocated."""

from __future__ import annotations

import datetime as dt

import numpy as np

from openceir.simulate import radio
from openceir.simulate.catalog import MAX_TAC_SHARE, build_catalog
from openceir.simulate.world import PHONE_CLASSES

START = dt.date(2026, 11, 1)


def test_counterfeit_and_test_tacs_are_not_in_the_catalog() -> None:
    catalog = build_catalog(np.random.default_rng(1), START)
    allocated = set(catalog.tac[: catalog.n_allocated].tolist())
    fake = set(catalog.tac[catalog.counterfeit].tolist())
    new = set(catalog.tac[catalog.brand_new].tolist())
    assert len(fake) == 12 and len(new) == 4 and not (fake | new) & allocated
    assert not fake & new
    assert not set(catalog.test_tacs.tolist()) & allocated
    assert set(catalog.tac[catalog.legacy].tolist()) <= allocated


def test_models_include_2g_only_4g_only_iot_and_no_5g_phones() -> None:
    catalog = build_catalog(np.random.default_rng(2), START)
    masks = {m.kind.rats for m in catalog.models}
    assert radio.GERAN in masks
    assert radio.EUTRAN | radio.LTEM in masks and radio.NBIOT in masks
    assert radio.GERAN | radio.UTRAN | radio.EUTRAN in masks


def test_no_tac_carries_more_than_its_share_of_phones() -> None:
    catalog = build_catalog(np.random.default_rng(3), START)
    _numbers, cumulative = catalog.pool(PHONE_CLASSES)
    shares = np.diff(np.r_[0.0, cumulative])
    assert abs(shares.sum() - 1.0) < 1e-9
    assert shares.max() <= MAX_TAC_SHARE * 1.01


def test_same_seed_same_catalog_other_seed_other_tacs() -> None:
    a = build_catalog(np.random.default_rng(9), START)
    b = build_catalog(np.random.default_rng(9), START)
    c = build_catalog(np.random.default_rng(10), START)
    assert a.rows() == b.rows()
    assert a.rows() != c.rows()
