"""The outbox against a real SMS gateway and SMTP server: sent, retried, never lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from openceir.errors import ConfigError, InputError
from openceir.notify import backoff, enqueue, flush, pending, retry_failed
from openceir.settings import Settings, SmsWebhookSettings, SmtpSettings
from openceir.store import connect, session_scope, upgrade
from openceir.store.models import utcnow
from openceir.store.notify import OutboxMessage
from openceir.store.session import dispose_all


def configured(settings: Settings, sms_url: str | None = None, smtp_port: int | None = None):
    notify = settings.notify.model_copy(
        update={
            "sms_webhook": SmsWebhookSettings(url=sms_url, token="t0ken") if sms_url else None,
            "smtp": SmtpSettings(host="127.0.0.1", port=smtp_port, sender="ceir@example.org")
            if smtp_port
            else None,
            "max_attempts": 3,
        }
    )
    return settings.model_copy(update={"notify": notify})


@pytest.fixture
def engine(settings):
    engine = connect(settings.sqlalchemy_url)
    upgrade(engine)
    return engine


def test_backoff_doubles_up_to_the_cap():
    assert [backoff(n, 30, 200) for n in (1, 2, 3, 4)] == [30, 60, 120, 200]


def test_sms_goes_to_the_gateway_and_is_marked_sent(settings, engine, sms_gateway):
    settings = configured(settings, sms_url=sms_gateway.url)
    with session_scope(engine) as session:
        enqueue(session, settings, "sms", "254700000001", "case_new_user", {"request_id": "RQ-1"})
    result = flush(engine, settings)
    assert (result.sent, result.retried) == (1, 0)
    assert sms_gateway.to("254700000001") == [
        "This phone is reported lost or stolen (reference RQ-1). "
        "Please take it to the nearest police station."
    ]
    assert pending(engine) == []
    assert flush(engine, settings).tried == 0  # nothing sent twice


def test_language_picks_the_template_and_falls_back_to_english(settings, engine, sms_gateway):
    settings = configured(settings, sms_url=sms_gateway.url)
    with session_scope(engine) as session:
        enqueue(session, settings, "sms", "1", "otp_code", {"code": "1234", "minutes": 5,
                "purpose": "x"}, language="fr")  # fmt: skip
        enqueue(session, settings, "sms", "2", "otp_code", {"code": "1234", "minutes": 5,
                "purpose": "x"}, language="xx")  # fmt: skip
    flush(engine, settings)
    assert sms_gateway.to("1")[0].startswith("Votre code est 1234.")
    assert sms_gateway.to("2")[0].startswith("Your code is 1234.")


def test_missing_template_or_variable_is_a_config_error(settings, engine):
    with session_scope(engine) as session:
        with pytest.raises(ConfigError, match="no message template 'nope'"):
            enqueue(session, settings, "sms", "1", "nope", {})
        with pytest.raises(ConfigError, match="'request_id' is undefined"):
            enqueue(session, settings, "sms", "1", "case_new_user", {})
        with pytest.raises(InputError, match="message kind 'fax'"):
            enqueue(session, settings, "fax", "1", "case_new_user", {"request_id": "x"})


def test_a_failing_gateway_is_retried_with_backoff_and_survives_a_restart(
    settings, engine, sms_gateway
):
    settings = configured(settings, sms_url=sms_gateway.url)
    sms_gateway.fail_next = 1
    with session_scope(engine) as session:
        enqueue(session, settings, "sms", "254700000002", "case_new_user", {"request_id": "R"})
    first = flush(engine, settings)
    assert (first.sent, first.retried) == (0, 1)
    [row] = pending(engine)
    assert row.attempts == 1 and "answered 503" in row.last_error
    assert flush(engine, settings).tried == 0  # not due yet: back-off
    dispose_all()  # "restart": a new engine finds the row still pending
    engine = connect(settings.sqlalchemy_url)
    later = utcnow() + timedelta(seconds=settings.notify.retry_base_seconds + 1)
    assert flush(engine, settings, now=later).sent == 1
    assert sms_gateway.to("254700000002")


def test_after_max_attempts_a_message_is_failed_kept_and_can_be_retried(settings, engine):
    settings = configured(settings, sms_url="http://127.0.0.1:9/unreachable")
    with session_scope(engine) as session:
        enqueue(session, settings, "sms", "3", "case_new_user", {"request_id": "R"})
    far = utcnow()
    for _ in range(3):
        far += timedelta(days=1)
        flush(engine, settings, now=far)
    [row] = pending(engine)
    assert row.status == "failed" and row.attempts == 3
    assert retry_failed(engine) == 1
    assert pending(engine)[0].status == "pending"


def test_email_reaches_a_real_smtp_server(settings, engine, smtp_sink):
    settings = configured(settings, smtp_port=smtp_sink.port)
    with session_scope(engine) as session:
        enqueue(session, settings, "email", "station7@police.example", "case_alert_station",
                {"request_id": "RQ-9", "complaint": "C-1", "imei": "490154203237518",
                 "seen_at": "2026-12-02 10:00", "operator": "alpha", "msisdn": "254711",
                 "imsi": "639010000000001", "place": None})  # fmt: skip
    assert flush(engine, settings).sent == 1
    [mail] = smtp_sink.messages
    assert mail["to"] == ["station7@police.example"]
    assert "Subject: Trace alert for case RQ-9" in mail["data"]
    assert "IMEI 490154203237518 was seen" in mail["data"]


def test_smtp_down_is_retried_not_lost(settings, engine):
    settings = configured(settings, smtp_port=9)
    with session_scope(engine) as session:
        enqueue(session, settings, "email", "a@b.example", "case_new_user", {"request_id": "R"})
    assert flush(engine, settings).retried == 1
    assert "SMTP 127.0.0.1:9" in pending(engine)[0].last_error


def test_dedup_key_queues_a_message_once(settings, engine):
    with session_scope(engine) as session:
        assert enqueue(session, settings, "sms", "4", "case_new_user", {"request_id": "R"},
                       dedup_key="alert:1") is not None  # fmt: skip
    with session_scope(engine) as session:
        assert enqueue(session, settings, "sms", "4", "case_new_user", {"request_id": "R"},
                       dedup_key="alert:1") is None  # fmt: skip
        assert len(session.scalars(select(OutboxMessage)).all()) == 1


def test_a_rolled_back_change_leaves_no_message(settings, engine):
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        enqueue(session, settings, "sms", "5", "case_new_user", {"request_id": "R"})
        raise RuntimeError("crash before commit")
    assert pending(engine) == []
