"""Travellers: keyed passport hashes, the per-passport limit, expiry by date."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from openceir.errors import ConfigError, InputError
from openceir.registry import kym, travellers
from openceir.settings import RegistrySettings
from openceir.store.registry import TravellerRegistration
from openceir.store.session import session_scope
from tests.registry.conftest import DAY, imei

CFG = RegistrySettings(passport_key="k" * 32, traveller_days=30, traveller_devices_per_passport=2)


def test_passport_hash_is_keyed_and_normalised() -> None:
    a = travellers.passport_hmac("key-1", "gb", "ab 123456")
    assert a == travellers.passport_hmac("key-1", "GB", "AB123456")
    assert a != travellers.passport_hmac("key-2", "GB", "AB123456")
    assert len(a) == 64 and "AB123456" not in a
    import hashlib

    assert a != hashlib.sha256(b"GB:AB123456").hexdigest()
    with pytest.raises(InputError, match="passport number"):
        travellers.passport_hmac("k", "GB", "1")


def test_traveller_limit_and_expiry(engine) -> None:
    def add(n: int, passport: str = "AB123456", day=DAY):
        with session_scope(engine) as session:
            travellers.register_traveller(session, CFG, country="GB", passport=passport,
                                          imei=imei(n), actor="desk", today=day)  # fmt: skip

    add(1)
    add(2)
    with pytest.raises(InputError, match=r"already registered 2 devices .* \(limit 2\)"):
        add(3)
    add(3, passport="CD654321")
    add(4, day=DAY + timedelta(days=366))  # a year later the limit has room again
    with session_scope(engine) as session:
        rows = session.scalars(select(TravellerRegistration)).all()
        assert all("AB123456" not in r.passport_hmac for r in rows) and len(rows) == 4
        assert kym.lookup(session, imei(1), DAY + timedelta(days=29)).registered
        assert not kym.lookup(session, imei(1), DAY + timedelta(days=30)).registered


def test_traveller_needs_the_secret_key(engine) -> None:
    with session_scope(engine) as session, pytest.raises(ConfigError, match="passport_key"):
        travellers.register_traveller(
            session, RegistrySettings(), country="GB", passport="AB123456", imei=imei(1),
            actor="d", today=DAY,
        )  # fmt: skip
