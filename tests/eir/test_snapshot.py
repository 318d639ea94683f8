"""Snapshot build, memory-mapped lookups and the architecture §5 decision."""

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


def test_exempt_imei_of_a_barred_tac_is_not_blocked(tmp_path: Path) -> None:
    golden, other, registered_golden = 86000001000001, 86000001000002, 86000001000003
    keyed = lambda keys: pa.table({"imei_key": pa.array(keys, pa.int64())})  # noqa: E731
    build_snapshot(
        tmp_path,
        run_id="golden",
        barred_tacs=["86000001"],
        exempt=keyed([golden, registered_golden]),
        registered=keyed([registered_golden]),
    )
    snap = Snapshot.open_current(tmp_path)
    assert snap.lookup(golden).status == "WHITELISTED"
    assert snap.lookup(registered_golden).status == "WHITELISTED"
    assert snap.lookup(other) == ("BLACKLISTED", ("barred TAC",))
    status, _ = snap.lookup_many(np.array([golden, registered_golden, other]))
    assert [STATUS_NAMES[s] for s in status.tolist()] == [
        "WHITELISTED",
        "WHITELISTED",
        "BLACKLISTED",
    ]


# ---------------------------------------------------------------- single path == batched path

_DAY = 20_000  # 2024-10-04, the "today" of the random snapshots below


def _random_run(root: Path, seed: int) -> tuple[Snapshot, np.ndarray, dict[int, int]]:
    """A run with every kind of row at random, one TAC crowded (big buckets), and its pairs."""
    rng = np.random.default_rng(seed)
    spread = rng.integers(10**13, 10**14, 3000)
    crowded = 35_693_803 * 10**6 + rng.choice(10**6, 3000, replace=False)  # one TAC
    pool = np.unique(np.concatenate([spread, crowded]))
    rng.shuffle(pool)
    blocked, notified, paired, tracked, registered = np.array_split(pool[:5000], 5)
    blocked_dates = rng.integers(_DAY - 400, _DAY + 400, blocked.size)
    no_date = rng.random(blocked.size) < 0.1
    paired = np.concatenate([paired, blocked[:150]])
    imsis = rng.integers(10**14, 10**15, paired.size)
    tracked = np.concatenate([tracked, notified[:100], paired[:80]])
    registered = np.concatenate([registered, paired[:300], tracked[:200]])
    barred = sorted({int(k) // 10**6 for k in rng.choice(pool, 40)} | {35_693_803})
    day = dt.date(1970, 1, 1)
    root = build_snapshot(
        root,
        run_id=f"random-{seed}",
        blocked=pa.table(
            {
                "imei_key": pa.array(blocked, pa.int64()),
                "block_date": pa.array(
                    [
                        None if n else day + dt.timedelta(int(d))
                        for d, n in zip(blocked_dates, no_date, strict=True)
                    ],
                    pa.date32(),
                ),
                "reasons": pa.array([[f"r{i % 7}", "stolen"] for i in range(blocked.size)]),
            }
        ),
        notified=pa.table(
            {
                "imei_key": pa.array(notified, pa.int64()),
                "block_date": pa.array(
                    [
                        day + dt.timedelta(int(d))
                        for d in rng.integers(_DAY - 30, _DAY + 90, notified.size)
                    ],
                    pa.date32(),
                ),
                "reasons": pa.array([[f"n{i % 3}"] for i in range(notified.size)]),
            }
        ),
        exceptions=pa.table({"imei_key": paired, "imsi": [str(i) for i in imsis]}),
        barred_tacs=[f"{t:08d}" for t in barred],
        tracked=pa.table({"imei_key": pa.array(tracked, pa.int64())}),
        registered=pa.table({"imei_key": pa.array(registered, pa.int64())}),
    )
    snap = Snapshot.open(root)
    pairs = dict(zip(paired.tolist(), imsis.tolist(), strict=True))
    listed = snap.keys
    probes = np.concatenate(
        [
            listed,
            listed - 1,
            listed + 1,
            rng.integers(0, 10**14, 3000),
            [0, 1, listed[0], listed[-1], listed[0] - 1, listed[-1] + 1, 10**14 - 1, 10**14],
            [t * 10**6 + rng.integers(10**6) for t in barred],
        ]
    ).astype(np.int64)
    return snap, probes, pairs


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_single_lookup_agrees_with_batched_on_random_keys(tmp_path: Path, seed: int) -> None:
    snap, probes, pairs = _random_run(tmp_path / "eir", seed)
    rng = np.random.default_rng(seed + 100)
    # IMSI per probe: the pair's own IMSI, another IMSI, or none (0 in the batched form).
    own = np.array([pairs.get(int(k), 0) for k in probes], dtype=np.int64)
    choice = rng.integers(0, 3, probes.size)
    imsis = np.where(choice == 0, own, np.where(choice == 1, 639_019_999_999_999, 0))
    for restrictive, unknown in ((False, 3), (True, 3), (True, GREYLISTED), (True, BLACKLISTED)):
        for today in (None, _DAY - 1000, _DAY, _DAY + 45, _DAY + 1000):
            status, reasons = snap.lookup_many(
                probes, imsis, restrictive=restrictive, unknown=unknown, today=today
            )
            single = [
                snap.classify(
                    int(k), int(i) or None, restrictive=restrictive, unknown=unknown, today=today
                )
                for k, i in zip(probes, imsis, strict=True)
            ]
            assert single == list(zip(status.tolist(), reasons.tolist(), strict=True)), (
                restrictive,
                unknown,
                today,
            )


def test_random_runs_exercise_every_answer(tmp_path: Path) -> None:
    snap, probes, pairs = _random_run(tmp_path / "eir", 1)
    own = np.array([pairs.get(int(k), 0) for k in probes], dtype=np.int64)
    status, reasons = snap.lookup_many(probes, own, restrictive=True, today=_DAY)
    assert set(status.tolist()) == {0, 1, 2, 3}
    assert {0, 1, 2, 3} <= set(reasons.tolist()) and reasons.max() >= 4
    sizes = np.diff(np.asarray(snap._smv))
    assert (sizes == 0).any() and (sizes == 1).any()
    assert sizes.max() > 100  # the crowded TAC: bisect inside a big bucket


def test_lookup_returns_one_shared_decision_per_answer(eir_root: Path) -> None:
    snap = Snapshot.open_current(eir_root)
    assert snap.lookup(STOLEN) is snap.lookup(STOLEN)
    assert snap.lookup(UNLISTED) is snap.lookup(REGISTERED)
    assert snap.lookup(STOLEN, "") is snap.lookup(STOLEN, None)


def test_grace_period_ends_while_the_snapshot_is_open(eir_root: Path, monkeypatch) -> None:
    snap = Snapshot.open_current(eir_root)
    assert snap.classify(GRACE) == (GREYLISTED, snap.classify(GRACE)[1])
    day_2099 = (dt.date(2099, 1, 1) - dt.date(1970, 1, 1)).days
    monkeypatch.setattr("openceir.eir.snapshot.reader.today_days", lambda: day_2099)
    assert snap.lookup(GRACE) == ("BLACKLISTED", ("not registered",))
    assert snap.lookup(STOLEN) == ("BLACKLISTED", ("stolen",))


def test_keys_outside_the_run_range_are_unlisted(eir_root: Path) -> None:
    snap = Snapshot.open_current(eir_root)
    for key in (-1, 0, int(snap.keys[0]) - 1, int(snap.keys[-1]) + 1, 10**14, 2**70):
        assert snap.index_of(key) == -1
        assert snap.classify(key) == (0, 0)
    assert [snap.index_of(int(k)) for k in snap.keys] == list(range(snap.keys.size))
