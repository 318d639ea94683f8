"""Fixtures for cases: a store, a recording SMS gateway and the settings that point at it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine

from openceir.cases import file_report, request_code
from openceir.notify import flush
from openceir.settings import CasesSettings, Settings, SmsWebhookSettings
from openceir.store import connect, upgrade
from tests.notify.servers import SmsGateway

OWNER = "254711000001"  # the MSISDN that was in the phone
IMEI_A = "490154203237518"
IMEI_B = "356938035643809"
STATION = "central"
STATION_PHONE = "254722000099"


@dataclass
class Env:
    settings: Settings
    engine: Engine
    sms: SmsGateway

    def code_for(self, msisdn: str = OWNER) -> tuple[str, str]:
        """Ask for a report code, deliver it through the gateway, read it back."""
        challenge = request_code(self.engine, self.settings, "sms", msisdn)
        flush(self.engine, self.settings)
        return challenge.token, self.sms.last_code(msisdn)

    def report(self, **fields) -> object:
        """File a citizen report proven with a real code from the gateway."""
        raw = {"imei": IMEI_A, "msisdn": OWNER, "kind": "stolen", "station": STATION, **fields}
        token, code = self.code_for(raw.get("msisdn") or raw.get("contact_msisdn"))
        return file_report(self.engine, self.settings, raw, actor="citizen", code_token=token,
                           code=code)  # fmt: skip


def configure(settings: Settings, sms_url: str) -> Settings:
    """The test settings with SMS through the gateway at `sms_url` and one police station."""
    notify = settings.notify.model_copy(update={"sms_webhook": SmsWebhookSettings(url=sms_url)})
    cases = CasesSettings(stations={STATION: STATION_PHONE}, station_regions={STATION: "north"})
    return settings.model_copy(update={"notify": notify, "cases": cases})


@pytest.fixture
def env(settings: Settings) -> Iterator[Env]:
    with SmsGateway() as sms:
        configured = configure(settings, sms.url)
        engine = connect(configured.sqlalchemy_url)
        upgrade(engine)
        yield Env(configured, engine, sms)
