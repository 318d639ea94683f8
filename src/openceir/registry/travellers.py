"""Travellers: a visitor's phone allowed for a set number of days, per passport and limited.

The passport number is kept only as HMAC-SHA256 under a secret key from the configuration
(`[registry] passport_key`), never as a plain hash, which anyone could reverse by hashing
every possible number. A passport may register at most `traveller_devices_per_passport`
devices in any 365 days (against the misuse Pakistan found: tens of thousands of traveller
identities used to register phones). The registration ends by itself: Know Your Mobile
and the registration check read only registrations valid on the day asked.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openceir.errors import ConfigError, InputError
from openceir.identifiers import imei as imei_id
from openceir.settings import RegistrySettings
from openceir.store import audit
from openceir.store.registry import TravellerRegistration


def passport_hmac(key: str, country: str, passport: str) -> str:
    """The keyed hash of a passport: HMAC-SHA256(key, COUNTRY:NUMBER), hex."""
    number = "".join(passport.split()).upper()
    country = country.strip().upper()
    if not (2 <= len(country) <= 3 and country.isalpha()):
        raise InputError(f"{country!r} is not an ISO 3166 country code", field="country")
    if not (5 <= len(number) <= 20 and number.isalnum()):
        raise InputError("a passport number is 5 to 20 letters and digits", field="passport")
    return hmac.new(key.encode(), f"{country}:{number}".encode(), hashlib.sha256).hexdigest()


def register_traveller(
    session: Session,
    settings: RegistrySettings,
    *,
    country: str,
    passport: str,
    imei: str,
    actor: str,
    today: date,
) -> TravellerRegistration:
    """Allow a traveller's IMEI for `traveller_days` from today; the per-passport limit holds."""
    if not settings.passport_key:
        raise ConfigError(
            "set [registry] passport_key (a long random secret) to register travellers"
        )
    try:
        compact = imei_id.validate(imei)
    except InputError as exc:
        raise InputError(exc.reason, field="imei") from None
    if len(compact) != 15:
        raise InputError("give the 15-digit IMEI (dial *#06#)", field="imei")
    digest = passport_hmac(settings.passport_key, country, passport)
    since = today - timedelta(days=365)
    used = session.execute(
        select(func.count()).where(
            TravellerRegistration.passport_hmac == digest,
            TravellerRegistration.start_date > since,
        )
    ).scalar_one()
    if used >= settings.traveller_devices_per_passport:
        raise InputError(
            f"this passport already registered {used} devices in the last 365 days "
            f"(limit {settings.traveller_devices_per_passport})",
            field="passport",
        )
    row = TravellerRegistration(
        passport_hmac=digest,
        imei_key=int(compact[:14]),
        imei_raw=compact,
        start_date=today,
        end_date=today + timedelta(days=settings.traveller_days),
    )
    session.add(row)
    audit.record(
        session, actor, "registry.traveller", f"imei:{compact}", days=settings.traveller_days
    )
    return row


__all__ = ["passport_hmac", "register_traveller"]
