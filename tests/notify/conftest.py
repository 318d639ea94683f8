"""Fixtures: a recording SMS gateway and an SMTP sink on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.notify.servers import SmsGateway, SmtpSink


@pytest.fixture
def sms_gateway() -> Iterator[SmsGateway]:
    with SmsGateway(token="t0ken") as gateway:
        yield gateway


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    with SmtpSink() as sink:
        yield sink
