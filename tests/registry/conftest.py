"""Registry fixtures: a migrated store with a TAC catalog, a type approval and a stolen IMEI."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from stdnum import luhn

from openceir.registry import approvals
from openceir.settings import Settings
from openceir.store.migrate import upgrade
from openceir.store.registers import StolenRow, TacCatalog
from openceir.store.session import connect, session_scope

TAC = "35209900"  # Acme A1, dual SIM, type-approved
OTHER_TAC = "35686800"  # Zeta Z9, allocated, not type-approved
DAY = date(2026, 12, 1)


def imei(n: int, tac: str = TAC) -> str:
    body = f"{tac}{n:06d}"
    return body + luhn.calc_check_digit(body)


STOLEN = imei(999)


@pytest.fixture
def engine(settings: Settings) -> Engine:
    engine = connect(settings.sqlalchemy_url)
    upgrade(engine)
    with session_scope(engine) as session:
        session.add_all(
            [
                TacCatalog(tac=TAC, manufacturer="Acme", brand="Acme", model="A1",
                           rats=["LTE"], start_date=DAY),
                TacCatalog(tac=OTHER_TAC, manufacturer="Zeta", model="Z9", rats=[],
                           start_date=DAY),
                StolenRow(imei_key=int(STOLEN[:14]), imei_raw=STOLEN, status="stolen",
                          start_date=DAY),
            ]
        )  # fmt: skip
        approvals.record_approval(session, TAC, body="Testland CA", certificate="TA-2026-001",
                                  approved_on=DAY, actor="officer", brand="Acme", model="A1",
                                  sim_slots=2)  # fmt: skip
    return engine
