"""Check events reach the lake as observations: folded per operator and day, re-runnable."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine

from openceir.eir.check_events import CheckEventLog
from openceir.eir.fold import fold, operator_for
from openceir.lake.reader import open_duckdb
from openceir.settings import Operator, Settings
from openceir.store.migrate import upgrade
from openceir.store.session import connect

TODAY = date(2026, 11, 28)
KEY = 49015420323751


def _at(day: int, hour: int, minute: int = 0) -> float:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC).timestamp()


@pytest.fixture
def engine(settings: Settings) -> Engine:
    engine = connect(settings.sqlalchemy_url)
    upgrade(engine)
    return engine


def _log_checks(settings: Settings) -> CheckEventLog:
    log = CheckEventLog(settings.data_dir / "lake")
    common = {"interface": "n5g", "pei": f"imei-{KEY}8", "status": "WHITELISTED"}
    # alpha's subscriber, checked by alpha's core (an OAuth2 client of operator alpha)
    log.record(
        when=_at(20, 9),
        source="alpha",
        imei_key=KEY,
        imsi="639011234567890",
        msisdn="254700000001",
        **common,
    )
    # another SIM with the same IMEI, minutes later, through an unknown Diameter peer:
    # the IMSI is beta's, so the event is beta's
    log.record(
        when=_at(20, 9, 3),
        source="mme.peer.example",
        imei_key=KEY,
        imsi="639021234567891",
        msisdn=None,
        **common,
    )
    # a roamer through an unknown peer: no operator, left out
    log.record(
        when=_at(20, 10),
        source="mme.peer.example",
        imei_key=KEY,
        imsi="262011234567892",
        msisdn=None,
        **common,
    )
    # today is not over: not folded yet
    log.record(
        when=_at(28, 8), source="alpha", imei_key=KEY, imsi="639011234567890", msisdn=None, **common
    )
    log.flush(now=_at(28, 9))
    return log


def test_operator_is_the_source_or_the_imsi_network() -> None:
    ops = [
        Operator(id="a", name="A", mcc_mnc=["63901"]),
        Operator(id="b", name="B", mcc_mnc=["63902"]),
    ]
    assert operator_for("a", "639021", ops) == "a"
    assert operator_for("peer", "639021", ops) == "b"
    assert operator_for(None, "262011", ops) is None
    assert operator_for(None, None, ops) is None


def test_fold_puts_finished_days_into_the_lake_once(settings: Settings, engine: Engine) -> None:
    log = _log_checks(settings)
    assert log.duplicates_total == 1, "two IMSIs on two networks within minutes"

    first = fold(settings, today=TODAY, engine=engine)
    assert first.events == 3 and first.skipped_no_operator == 1
    assert sorted(first.files) == [
        ("alpha_20261120_20261120.csv", "alpha"),
        ("beta_20261120_20261120.csv", "beta"),
    ]
    assert sorted(first.imported) == ["alpha_20261120_20261120.csv", "beta_20261120_20261120.csv"]

    con = open_duckdb(settings.data_dir)
    rows = con.execute(
        "SELECT operator, imei_key, imsi, msisdn, day_mask, first_seen FROM observations "
        "ORDER BY operator"
    ).fetchall()
    assert rows == [
        ("alpha", KEY, "639011234567890", "254700000001", 1 << 19, date(2026, 11, 20)),
        ("beta", KEY, "639021234567891", None, 1 << 19, date(2026, 11, 20)),
    ]

    again = fold(settings, today=TODAY, engine=engine)
    assert again.imported == [] and len(again.unchanged) == 2

    later = fold(settings, today=date(2026, 11, 29), engine=engine)
    assert later.imported == ["alpha_20261128_20261128.csv"]
