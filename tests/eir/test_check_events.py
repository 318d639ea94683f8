"""Check events to the lake, and duplicate signals."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from openceir.eir.check_events import CheckEventLog

T0 = 1_795_000_000.0  # 2026-11-18


def _record(
    log: CheckEventLog,
    when: float,
    source: str | None,
    imsi: str | None,
    key: int = 35693803564380,
    msisdn: str | None = None,
):
    return log.record(
        when=when,
        source=source,
        interface="n5g",
        imei_key=key,
        pei=f"imei-{key}0",
        imsi=imsi,
        msisdn=msisdn,
        status="WHITELISTED",
    )


def test_events_are_written_as_parquet_per_day(tmp_path: Path) -> None:
    log = CheckEventLog(tmp_path / "lake")
    _record(log, T0, "alpha", "639011234567890", msisdn="254700000001")
    _record(log, T0 + 86400, "alpha", "639011234567890")
    _record(log, T0, "alpha", None)  # no SIM identity: not an observation
    files = log.flush(now=T0 + 86400)
    days = sorted(p.parent.name for p in files)
    assert days == ["date=2026-11-18", "date=2026-11-19"]
    table = pq.read_table(tmp_path / "lake" / "check_events" / "date=2026-11-18")
    assert table.column("imsi").to_pylist() == ["639011234567890"]
    assert table.column("msisdn").to_pylist() == ["254700000001"]
    assert table.column("source").to_pylist() == ["alpha"]
    assert not list((tmp_path / "lake").rglob("*.tmp"))
    assert log.pending == 0 and log.flush() == []


def test_same_imei_two_imsis_two_networks_within_window_is_a_duplicate(tmp_path: Path) -> None:
    log = CheckEventLog(tmp_path / "lake", window=300)
    assert _record(log, T0, "alpha", "639011111111111") is None
    assert _record(log, T0 + 10, "alpha", "639012222222222") is None  # same network
    dup = _record(log, T0 + 60, "beta", "639023333333333")
    assert dup is not None
    assert (dup.imsi, dup.network, dup.other_network) == ("639023333333333", "beta", "alpha")
    files = log.flush(now=T0 + 60)
    dups = [f for f in files if "check_duplicates" in str(f)]
    assert pq.read_table(dups[0]).column("other_imsi").to_pylist() == [dup.other_imsi]


def test_checks_further_apart_than_the_window_are_not_duplicates(tmp_path: Path) -> None:
    log = CheckEventLog(None, window=300)
    _record(log, T0, "alpha", "639011111111111")
    assert _record(log, T0 + 301, "beta", "639023333333333") is None
    assert _record(log, T0 + 302, "beta", "639023333333333") is None  # same IMSI again
    assert log.duplicates_total == 0


def test_network_falls_back_to_imsi_home_network_without_a_source(tmp_path: Path) -> None:
    log = CheckEventLog(None)
    _record(log, T0, None, "639011111111111")
    assert _record(log, T0 + 1, None, "639011111111112") is None  # same MCC-MNC
    assert _record(log, T0 + 2, None, "639021111111111") is not None
