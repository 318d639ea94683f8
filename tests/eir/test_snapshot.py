"""Snapshot build, memory-mapped lookups and the DESIGN §5 decision."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from openceir.eir.snapshot import (
    BLACKLISTED,
    GREYLISTED,
    STATUS_NAMES,
    Snapshot,
    build_snapshot,
    current_run,
    set_current,
)
from openceir.errors import InputError, NotFound
from tests.eir.conftest import (
    BARRED,
    GRACE,
    PAIRED,
    PAIRED_IMSI,
    REGISTERED,
    STOLEN,
    TRACKED,
    UNLISTED,
    build,
)

CASES = [
    (STOLEN, None, "BLACKLISTED", ("stolen",)),
    (STOLEN, PAIRED_IMSI, "BLACKLISTED", ("stolen",)),  # a pair of another IMEI does not help
    (PAIRED, None, "BLACKLISTED", ("duplicate", "not registered")),
    (PAIRED, "639019999999999", "BLACKLISTED", ("duplicate", "not registered")),
    (PAIRED, PAIRED_IMSI, "WHITELISTED", ()),
    (GRACE, None, "GREYLISTED", ("not registered",)),
    (TRACKED, None, "GREYLISTED", ("tracked",)),
    (BARRED, None, "BLACKLISTED", ("barred TAC",)),
    (REGISTERED, None, "WHITELISTED", ()),
    (UNLISTED, None, "WHITELISTED", ()),
]


@pytest.mark.parametrize(("key", "imsi", "status", "reasons"), CASES)
def test_lookup_decides_as_design_section_5(eir_root: Path, key, imsi, status, reasons) -> None:
    snap = Snapshot.open_current(eir_root)
    decision = snap.lookup(key, imsi)
    assert (decision.status, decision.reasons) == (status, reasons)


def test_lookup_many_agrees_with_lookup_for_every_case(eir_root: Path) -> None:
    snap = Snapshot.open_current(eir_root)
    keys = np.array([c[0] for c in CASES], dtype=np.int64)
    imsis = np.array([int(c[1] or 0) for c in CASES], dtype=np.int64)
    for restrictive in (False, True):
        status, reasons = snap.lookup_many(keys, imsis, restrictive=restrictive)
        expected = [
            snap.lookup(int(k), int(i) or None, restrictive=restrictive)
            for k, i in zip(keys, imsis, strict=True)
        ]
        assert [STATUS_NAMES[s] for s in status] == [d.status for d in expected]
        assert [snap.reason_sets[r] for r in reasons] == [d.reasons for d in expected]


def test_block_date_reached_later_turns_grace_into_blacklisted(eir_root: Path) -> None:
    snap = Snapshot.open_current(eir_root)
    day_2099 = (dt.date(2099, 1, 1) - dt.date(1970, 1, 1)).days
    assert snap.lookup(GRACE, today=day_2099 - 1).status == "GREYLISTED"
    assert snap.lookup(GRACE, today=day_2099).status == "BLACKLISTED"


def test_restrictive_mode_answers_configured_status_for_unregistered(eir_root: Path) -> None:
    snap = Snapshot.open_current(eir_root)
    assert snap.lookup(UNLISTED, restrictive=True).status == "UNKNOWN"
    assert snap.lookup(UNLISTED, restrictive=True, unknown=GREYLISTED).status == "GREYLISTED"
    assert snap.lookup(UNLISTED, restrictive=True, unknown=BLACKLISTED) == (
        "BLACKLISTED",
        ("not registered",),
    )
    assert snap.lookup(REGISTERED, restrictive=True).status == "WHITELISTED"
    assert snap.lookup(PAIRED, PAIRED_IMSI, restrictive=True).status == "WHITELISTED"


def test_snapshot_columns_are_memory_mapped_not_copied(eir_root: Path) -> None:
    snap = Snapshot.open_current(eir_root)
    assert not snap.keys.flags.owndata
    assert snap.keys.tolist() == sorted(snap.keys.tolist())
    assert snap.counts["blocked"] == 2 and snap.counts["exceptions"] == 1


def test_building_an_existing_run_id_is_refused(eir_root: Path) -> None:
    with pytest.raises(InputError, match="already exists"):
        build(eir_root, "run-1")


def test_new_run_switches_current_and_old_run_stays_readable(eir_root: Path) -> None:
    old = Snapshot.open_current(eir_root)
    build(eir_root, "run-2", stolen_reason="lost")
    assert current_run(eir_root) == "run-2"
    assert Snapshot.open_current(eir_root).lookup(STOLEN).reasons == ("lost",)
    assert old.lookup(STOLEN).reasons == ("stolen",)
    set_current(eir_root, "run-1")
    assert current_run(eir_root) == "run-1"
    with pytest.raises(NotFound):
        set_current(eir_root, "run-9")


def test_missing_snapshot_is_a_clear_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="no EIR snapshot"):
        Snapshot.open_current(tmp_path)


def test_bad_inputs_are_refused_with_the_field_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="8-digit TAC"):
        build_snapshot(tmp_path, barred_tacs=["1234"])
    with pytest.raises(InputError, match="imsi"):
        build_snapshot(tmp_path, exceptions=pa.table({"imei_key": [1], "imsi": ["abc"]}))
    with pytest.raises(InputError, match="no column 'imei_key'"):
        build_snapshot(tmp_path, tracked=pa.table({"imei": [1]}))
    with pytest.raises(InputError, match="14-digit key"):
        build_snapshot(tmp_path, tracked=pa.table({"imei_key": [10**15]}))


def test_empty_snapshot_whitelists_everything(tmp_path: Path) -> None:
    build_snapshot(tmp_path, run_id="empty")
    snap = Snapshot.open_current(tmp_path)
    assert snap.lookup(STOLEN).status == "WHITELISTED"
    status, _ = snap.lookup_many(np.array([STOLEN, 1]))
    assert status.tolist() == [0, 0]
