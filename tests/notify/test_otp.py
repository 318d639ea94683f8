"""One-time codes: sent through the real SMS gateway, hashed, expiring, limited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from openceir.errors import InputError
from openceir.notify import flush, otp
from openceir.store import connect, session_scope, upgrade
from openceir.store.models import utcnow
from openceir.store.notify import OneTimeCode
from tests.notify.test_outbox import configured

MSISDN = "254700000009"


@pytest.fixture
def env(settings, sms_gateway):
    settings = configured(settings, sms_url=sms_gateway.url)
    engine = connect(settings.sqlalchemy_url)
    upgrade(engine)
    return settings, engine


def request(settings, engine, now=None):
    with session_scope(engine) as session:
        challenge = otp.issue(session, settings, "report", "sms", MSISDN, now=now)
    flush(engine, settings)
    return challenge


def test_code_from_the_gateway_proves_the_msisdn_once(env, sms_gateway):
    settings, engine = env
    challenge = request(settings, engine)
    code = sms_gateway.last_code(MSISDN)
    assert len(code) == 6
    with session_scope(engine) as session:
        row = session.scalar(select(OneTimeCode))
        assert code not in row.code_hash and len(row.code_hash) == 64  # only the HMAC is kept
        assert otp.prove(engine, session, settings, challenge.token, code, purpose="report") == (
            MSISDN
        )
    with session_scope(engine) as session, pytest.raises(InputError, match="already used"):
        otp.prove(engine, session, settings, challenge.token, code, purpose="report")


def test_wrong_codes_are_counted_even_when_the_caller_rolls_back(env, sms_gateway):
    settings, engine = env
    challenge = request(settings, engine)
    good = sms_gateway.last_code(MSISDN)
    bad = f"{(int(good) + 1) % 10**6:06d}"
    for left in (4, 3, 2, 1):
        with (
            pytest.raises(InputError, match=f"wrong code; {left} tr"),
            session_scope(engine) as session,
        ):
            otp.prove(engine, session, settings, challenge.token, bad, purpose="report")
    with pytest.raises(InputError, match="no tries left"):
        otp.verify(engine, settings, challenge.token, bad, purpose="report")
    with pytest.raises(InputError, match="too many wrong codes"):
        otp.verify(engine, settings, challenge.token, good, purpose="report")


def test_expired_unknown_and_other_purpose_codes_are_refused(env, sms_gateway):
    settings, engine = env
    challenge = request(settings, engine)
    code = sms_gateway.last_code(MSISDN)
    later = utcnow() + timedelta(seconds=settings.notify.otp_ttl_seconds + 1)
    with pytest.raises(InputError, match="expired"):
        otp.verify(engine, settings, challenge.token, code, purpose="report", now=later)
    with pytest.raises(InputError, match="no such code request"):
        otp.verify(engine, settings, "nope", code, purpose="report")
    with pytest.raises(InputError, match="no such code request"):
        otp.verify(engine, settings, challenge.token, code, purpose="unblock")
    with session_scope(engine) as session, pytest.raises(InputError, match="not verified"):
        otp.consume(session, challenge.token, purpose="report")


def test_resend_replaces_the_code_and_is_limited(env, sms_gateway):
    settings, engine = env
    now = utcnow()
    first = request(settings, engine, now=now)
    old = sms_gateway.last_code(MSISDN)
    with pytest.raises(InputError, match="ask again in"):
        request(settings, engine, now=now + timedelta(seconds=1))
    second = request(settings, engine, now=now + timedelta(seconds=31))
    assert second.token == first.token and second.sends_left == 1
    new = sms_gateway.last_code(MSISDN)
    if new != old:
        with pytest.raises(InputError, match="wrong code"):
            otp.verify(engine, settings, first.token, old, purpose="report")
    request(settings, engine, now=now + timedelta(seconds=62))
    with pytest.raises(InputError, match="3 codes were already sent"):
        request(settings, engine, now=now + timedelta(seconds=93))
    assert len(sms_gateway.to(MSISDN)) == 3


def test_codes_are_uniform_digits_of_the_configured_length():
    codes = {otp.new_code(6) for _ in range(200)}
    assert all(len(c) == 6 and c.isdigit() for c in codes) and len(codes) > 150
