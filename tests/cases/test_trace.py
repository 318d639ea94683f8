"""Trace alerts from real EIR check-event files and from a real operator-dump import."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from openceir.cases import list_alerts, recover, show_case, trace
from openceir.eir.check_events import CheckEventLog
from openceir.ingest import run_import
from openceir.lake.manifest import lake_dir
from openceir.notify import flush
from openceir.store import session_scope
from openceir.store.cases import CaseRow
from openceir.store.models import AuditEntry, utcnow
from tests.cases.conftest import IMEI_A, OWNER, STATION_PHONE

THIEF_IMSI, THIEF_MSISDN = "639029876543210", "254733000777"
OWNER_IMSI = "639011111111111"


def checks(env, *sims):
    """Write EIR check events for IMEI_A with these (imsi, msisdn) SIMs, as the EIR does."""
    log = CheckEventLog(lake_dir(env.settings.data_dir))
    for imsi, msisdn in sims:
        log.record(
            when=time.time(),
            source="beta",
            interface="n5g",
            imei_key=int(IMEI_A[:14]),
            pei=f"imei-{IMEI_A}",
            imsi=imsi,
            msisdn=msisdn,
            status="BLACKLISTED",
        )
    log.flush()


def test_a_check_with_a_new_sim_raises_one_alert_and_tells_everyone(env):
    rid = env.report().request_id
    checks(env, (THIEF_IMSI, THIEF_MSISDN))
    assert trace.scan(env.engine, env.settings) == 1
    assert trace.scan(env.engine, env.settings) == 0  # the file is not read twice
    checks(env, (THIEF_IMSI, THIEF_MSISDN))  # seen again: same alert, one more sighting
    assert trace.scan(env.engine, env.settings) == 0
    [alert] = list_alerts(env.engine, "officer:1")
    assert (alert["request_id"], alert["imsi"], alert["msisdn"], alert["operator"]) == (
        rid, THIEF_IMSI, THIEF_MSISDN, "beta"
    )  # fmt: skip
    assert alert["sightings"] == 2 and alert["interface"] == "n5g"
    flush(env.engine, env.settings)
    assert f"IMEI {IMEI_A} was seen" in env.sms.to(STATION_PHONE)[0]
    assert "was used with another SIM" in env.sms.to(OWNER)[-1]
    assert env.sms.to(THIEF_MSISDN) == [
        f"This phone is reported lost or stolen (reference {rid}). "
        "Please take it to the nearest police station."
    ]
    with session_scope(env.engine) as session:
        assert "case.alerts.read" in [a.action for a in session.scalars(select(AuditEntry))]


def test_the_owners_own_sim_teaches_its_imsi_and_raises_nothing(env):
    rid = env.report().request_id
    checks(env, (OWNER_IMSI, OWNER), (OWNER_IMSI, None))
    assert trace.scan(env.engine, env.settings) == 0
    with session_scope(env.engine) as session:
        case = session.scalar(select(CaseRow).where(CaseRow.request_id == rid))
        assert case.known_imsis == [OWNER_IMSI]
    checks(env, (THIEF_IMSI, None))
    assert trace.scan(env.engine, env.settings) == 1


def test_recovered_and_unreported_phones_raise_no_alert(env):
    rid = env.report().request_id
    recover(env.engine, env.settings, rid, "officer:1")
    checks(env, (THIEF_IMSI, THIEF_MSISDN))
    assert trace.scan(env.engine, env.settings) == 0
    assert show_case(env.engine, rid, "officer:1")["alerts"] == []


@pytest.mark.parametrize("station_scope", ["central", "elsewhere"])
def test_alerts_are_seen_only_by_the_cases_station(env, station_scope):
    from openceir.cases import Scope

    env.report()
    checks(env, (THIEF_IMSI, THIEF_MSISDN))
    trace.scan(env.engine, env.settings)
    seen = list_alerts(env.engine, "officer:1", Scope(station=station_scope))
    assert len(seen) == (1 if station_scope == "central" else 0)


def test_an_operator_dump_with_a_new_sim_raises_an_alert_at_import(env, tmp_path):
    rid = env.report().request_id
    today = utcnow().date()
    stamp = today.strftime("%Y%m%d")
    dump = tmp_path / f"alpha_{stamp}_{stamp}.csv"
    dump.write_text(
        "date,imei,imsi,msisdn,rat\n"
        f"{stamp},{IMEI_A},639019876543210,{THIEF_MSISDN},006\n"
        f"{stamp},356938035643809,639011234567890,254700000001,006\n"
    )
    assert trace.scan_dumps(env.engine, env.settings) == 0  # nothing imported yet
    run_import(env.settings, "operator", dump, operator_id="alpha", engine=env.engine,
               today=today)  # fmt: skip
    assert trace.scan_dumps(env.engine, env.settings) == 1
    assert trace.scan_dumps(env.engine, env.settings) == 0
    [alert] = show_case(env.engine, rid, "officer:1")["alerts"]
    assert (alert["source"], alert["operator"], alert["msisdn"]) == ("dump", "alpha", THIEF_MSISDN)
