"""Operators: made-up sets, reporting profiles and the config snippet."""

from __future__ import annotations

import tomllib

import pytest

from openceir.errors import InputError
from openceir.settings import Region, Settings
from openceir.simulate.network import made_up_operators, profiles, region_config


def test_profiles_cycle_through_codes_with_cells_then_words_without() -> None:
    ops = profiles(made_up_operators(4))
    assert [p.rat_words for p in ops] == [False, False, True, False]
    assert [p.cells for p in ops] == [True, True, False, True]
    assert [p.imeisv_as_imei for p in ops] == [False, True, False, False]
    assert ops[2].columns == ("date", "imei", "imsi", "msisdn", "rat")
    shares = [p.share for p in ops]
    assert abs(sum(shares) - 1) < 1e-9 and shares == sorted(shares, reverse=True)


def test_made_up_operators_are_bounded() -> None:
    assert [op.mcc_mnc for op in made_up_operators(2)] == [["63901"], ["63902"]]
    with pytest.raises(InputError, match="expected 1 to 9"):
        made_up_operators(0)


def test_region_config_round_trips_through_settings() -> None:
    region = Region(name="Testland", country_mcc=["610"], country_code="44")
    data = tomllib.loads(region_config(region, made_up_operators(3)))
    settings = Settings(**data)
    assert settings.region == region
    assert [op.id for op in settings.operators] == ["alpha", "beta", "gamma"]
