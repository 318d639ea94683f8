"""Benchmark: lost/stolen cases: reports accepted per second, check with a new SIM -> alert.

Run by hand (never as a test):

    .venv/bin/python bench/cases.py                   # 500 reports, 5 alert rounds
    .venv/bin/python bench/cases.py --reports 2000 --rounds 10

1. Reports accepted per second on SQLite, each one transaction (case, IMEIs, history,
   stolen-register row, change to publish, audit entry, message): filed by police (no
   code) and by citizens (a one-time code issued, sent through the outbox and verified),
   against a floor of the same number of bare one-row INSERT transactions.
2. Check with a new SIM -> alert delivered: an EIR check event written as the EIR writes
   them (CheckEventLog.flush, which N5g-eir does every 5 s) -> `openceir cases worker`'s
   loop (trace, then notify, polling every `--poll` s) -> the station's SMS received by a
   real HTTP server standing for the SMS gateway. The goal is 60 s; the EIR's own flush
   interval (up to 5 s) comes on top of the figure measured here.
3. Report accepted -> BLACKLISTED on every EIR worker with 5M IMEIs blocked needs the EIR
   overlay (`openceir.eir.overlay`); without it this part says so and is skipped.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import text
from stdnum import luhn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.notify.servers: the recording SMS gateway

from tests.notify.servers import SmsGateway  # noqa: E402

from openceir.cases import file_report, publish_pending, request_code, trace  # noqa: E402
from openceir.eir.check_events import CheckEventLog  # noqa: E402
from openceir.lake.manifest import lake_dir  # noqa: E402
from openceir.notify import flush  # noqa: E402
from openceir.settings import CasesSettings, Settings, SmsWebhookSettings  # noqa: E402
from openceir.store import connect, session_scope, upgrade  # noqa: E402
from openceir.store.session import dispose_all  # noqa: E402

STATION_PHONE = "254722000099"


def imei(n: int) -> str:
    body = f"35{n:012d}"
    return body + luhn.calc_check_digit(body)


def make_settings(root: Path, sms_url: str) -> Settings:
    return Settings(
        data_dir=root,
        notify={"sms_webhook": SmsWebhookSettings(url=sms_url), "otp_resend_seconds": 0},
        cases=CasesSettings(stations={"central": STATION_PHONE}),
    )


def reports_per_second(settings: Settings, sms: SmsGateway, n: int) -> None:
    engine = connect(settings.sqlalchemy_url)
    upgrade(engine)
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE floor (id INTEGER PRIMARY KEY, v TEXT)"))
    for i in range(n):
        with session_scope(engine) as session:
            session.execute(text("INSERT INTO floor (v) VALUES (:v)"), {"v": str(i)})
    floor = n / (time.perf_counter() - started)

    started = time.perf_counter()
    for i in range(n):
        file_report(
            engine,
            settings,
            {"imei": imei(i), "msisdn": f"2547110{i:05d}", "station": "central"},
            actor="officer:1",
            channel="police",
        )
    police = n / (time.perf_counter() - started)
    started = time.perf_counter()
    sent = 0
    while (done := flush(engine, settings)).tried:
        sent += done.sent
    messages = sent / (time.perf_counter() - started)

    m = max(1, n // 5)
    started = time.perf_counter()
    for i in range(n, n + m):
        msisdn = f"2547110{i:05d}"
        challenge = request_code(engine, settings, "sms", msisdn)
        flush(engine, settings)
        code = sms.last_code(msisdn)
        file_report(
            engine,
            settings,
            {"imei": imei(i), "msisdn": msisdn},
            actor="citizen",
            code_token=challenge.token,
            code=code,
        )
    citizen = m / (time.perf_counter() - started)
    started = time.perf_counter()
    published = publish_pending(engine, settings).changes
    publish = published / (time.perf_counter() - started)
    print(f"floor: bare one-row INSERT transactions   {floor:8.0f}/s")
    print(
        f"police reports (no code)                   {police:8.0f}/s  ({police / floor:.2f}x floor)"
    )
    print(
        f"citizen reports (code sent via the gateway and verified) {citizen:6.1f}/s"
        f"  ({citizen / floor:.3f}x floor)"
    )
    print(f"messages sent to the SMS gateway           {messages:8.0f}/s ({sent})")
    print(f"changes published (register-only)          {publish:8.0f}/s ({published})")


def alert_latency(settings: Settings, sms: SmsGateway, rounds: int, poll: float) -> None:
    engine = connect(settings.sqlalchemy_url)
    stop = threading.Event()

    def worker() -> None:
        while not stop.is_set():
            trace.scan(engine, settings)
            flush(engine, settings)
            stop.wait(poll)

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    log = CheckEventLog(lake_dir(settings.data_dir))
    figures = []
    for r in range(rounds):
        key = int(imei(r)[:14])
        thief = f"2547339{r:05d}"
        before = len(sms.to(STATION_PHONE))
        t0 = time.perf_counter()
        log.record(
            when=time.time(),
            source="beta",
            interface="n5g",
            imei_key=key,
            pei=f"imei-{imei(r)}",
            imsi=f"6390298765{r:05d}",
            msisdn=thief,
            status="BLACKLISTED",
        )
        log.flush()
        while len(sms.to(STATION_PHONE)) == before:
            if time.perf_counter() - t0 > 120:
                raise SystemExit("no alert within 120 s")
            time.sleep(0.005)
        figures.append(time.perf_counter() - t0)
    stop.set()
    thread.join()
    figures.sort()
    print(
        f"check with a new SIM -> station's SMS received, {rounds} rounds, poll {poll} s: "
        f"median {figures[len(figures) // 2]:.2f} s, max {figures[-1]:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--poll", type=float, default=1.0)
    args = parser.parse_args()
    print(f"bench/cases.py {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    with tempfile.TemporaryDirectory() as tmp, SmsGateway() as sms:
        settings = make_settings(Path(tmp), sms.url)
        reports_per_second(settings, sms, args.reports)
        alert_latency(settings, sms, args.rounds, args.poll)
        try:
            import openceir.eir.overlay  # noqa: F401
        except ImportError:
            print("report -> BLACKLISTED on every EIR worker: skipped, no openceir.eir.overlay")
        dispose_all()


if __name__ == "__main__":
    main()
