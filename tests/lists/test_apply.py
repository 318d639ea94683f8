"""The lists an EIR needs (barred TACs, tracked, registered), partial verification, and
rebuilding full lists from a delta, checked against the signed manifest."""

from __future__ import annotations

import shutil
from datetime import date

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from openceir.eir.list_files import run_tables, snapshot_from_files
from openceir.eir.snapshot import Snapshot
from openceir.errors import InputError, IntegrityError
from openceir.lists.apply import apply_delta, rebuild
from openceir.lists.build import register_lists
from openceir.lists.keys import init_key, load_signer, load_verifier
from openceir.lists.run import has_subscriber_data, operator_files, verify_run, write_run
from tests.lists._cases import AS_OF, A, B, C, E, inputs, state, state_row

RUN1, RUN2 = "20261128T101500Z", "20261211T101500Z"


def _keyed(keys=(), raws=()) -> pa.Table:
    return pa.table(
        {
            "imei_key": pa.array(list(keys) + [None] * len(raws), pa.int64()),
            "imei_raw": pa.array([None] * len(keys) + list(raws), pa.string()),
        }
    )


def _csv(path) -> list[dict]:
    return pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            strings_can_be_null=False,
            column_types={c: pa.string() for c in ("imei", "imsi", "tac", "msisdn")},
        ),
    ).to_pylist()


def _registers(run: int) -> dict:
    if run == 1:
        return {
            "barred_tacs": pa.table({"tac": ["86000001", "8600", None]}),
            "monitoring": _keyed([E, C], ["ABC,1"]),
            "registration": _keyed([A, 35000000000009], ["X 1"]),
        }
    return {
        "barred_tacs": pa.table({"tac": ["86000002"]}),
        "monitoring": _keyed([E]),
        "registration": _keyed([A, 35000000000010]),
    }


@pytest.fixture
def signer(tmp_path):
    init_key(tmp_path)
    return load_signer(tmp_path)


@pytest.fixture
def two_runs(tmp_path, signer):
    first = write_run(tmp_path, inputs(**_registers(1)), signer, as_of=AS_OF, run_id=RUN1)
    changed = state([state_row(B, "duplicate", date(2026, 12, 10)), state_row(A, "stolen", AS_OF)])
    second = write_run(
        tmp_path,
        inputs(state=changed, **_registers(2)),
        signer,
        as_of=date(2026, 12, 11),
        run_id=RUN2,
    )
    return first.path, second.path, load_verifier(tmp_path / "keys" / "ceir.vkey")


def test_register_lists_drop_bad_tacs_exempt_from_tracked_and_add_exempt_to_registered():
    tacs, tracked, registered, golden = register_lists(
        pa.table({"tac": ["86000001", "86000001", "8600", "x2345678"]}),
        _keyed([E, C]),
        _keyed([A]),
        _keyed([C]),
    )
    assert tacs.column("tac").to_pylist() == ["86000001"]
    assert tracked.column("imei_key").to_pylist() == [E]  # C is exempt (golden)
    assert registered.column("imei_key").to_pylist() == sorted([A, C])
    assert golden.column("imei_key").to_pylist() == [C]


def test_run_writes_the_eir_lists_with_raw_imeis_kept(two_runs):
    first, _, _ = two_runs
    assert [r["tac"] for r in _csv(first / "barred_tacs.csv")] == ["86000001"]
    assert [r["imei"] for r in _csv(first / "tracked.csv")] == [f"{E:014d}", "ABC,1"]
    registered = [r["imei"] for r in _csv(first / "registered.csv")]
    assert registered == ["35000000000009", f"{A:014d}", f"{C:014d}", "X 1"]  # C: exempt
    assert (first / "registered.zip").is_file()


def test_set_lists_have_added_and_removed_deltas(two_runs):
    _, second, _ = two_runs
    tacs = {(r["tac"], r["change_type"]) for r in _csv(second / "barred_tacs_delta.csv")}
    assert tacs == {("86000001", "removed"), ("86000002", "added")}
    reg = {(r["imei"], r["change_type"]) for r in _csv(second / "registered_delta.csv")}
    assert reg == {("35000000000009", "removed"), ("X 1", "removed"), ("35000000000010", "added")}


def test_apply_rebuilds_every_full_list_byte_for_byte(two_runs, tmp_path):
    first, second, verifier = two_runs
    delta = tmp_path / "delta"
    delta.mkdir()
    for p in second.iterdir():
        if p.name.endswith("_delta.csv") or p.name == "manifest.note":
            shutil.copyfile(p, delta / p.name)
    assert set(verify_run(delta, verifier, partial=True)) == {p.name for p in delta.glob("*.csv")}
    rows = apply_delta(first, delta, tmp_path / "full", verifier)
    for name in rows:
        assert (tmp_path / "full" / name).read_bytes() == (second / name).read_bytes(), name
    verify_run(tmp_path / "full", verifier, partial=True)


def test_apply_refuses_a_wrong_base_and_a_tampered_delta(two_runs, tmp_path, signer):
    first, second, verifier = two_runs
    with pytest.raises(InputError, match="not " + RUN2):
        apply_delta(second, second, tmp_path / "x", verifier)
    delta = tmp_path / "delta"
    shutil.copytree(second, delta)
    with (delta / "blacklist_delta.csv").open("a") as fh:
        fh.write("99999999999999,2026-11-01,x,blocked\n")
    with pytest.raises(IntegrityError, match=r"blacklist_delta\.csv"):
        apply_delta(first, delta, tmp_path / "y", verifier)


def test_rebuild_applies_each_change_type():
    base = pa.table({"imei": ["1", "2", "3"], "block_date": ["d"] * 3, "reasons": ["r"] * 3})
    delta = pa.table(
        {
            "imei": ["2", "3", "4"],
            "block_date": ["d", "e", "d"],
            "reasons": ["r", "r", "r"],
            "change_type": ["unblocked", "changed", "blocked"],
        }
    )
    out = rebuild(base, delta, "blacklist").to_pylist()
    assert [(r["imei"], r["block_date"]) for r in out] == [("1", "d"), ("3", "e"), ("4", "d")]


def test_partial_verify_still_refuses_unlisted_and_empty_downloads(two_runs, tmp_path):
    _, second, verifier = two_runs
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copyfile(second / "manifest.note", copy / "manifest.note")
    with pytest.raises(IntegrityError, match="none of the files"):
        verify_run(copy, verifier, partial=True)
    shutil.copyfile(second / "blacklist.csv", copy / "blacklist.csv")
    assert verify_run(copy, verifier, partial=True) == {"blacklist.csv": 2}
    with pytest.raises(IntegrityError, match="missing"):
        verify_run(copy, verifier)
    (copy / "extra.csv").write_text("imei\n1\n")
    with pytest.raises(IntegrityError, match=r"extra\.csv is not listed"):
        verify_run(copy, verifier, partial=True)


def test_operator_files_and_subscriber_data():
    names = operator_files("op1")
    assert "notifications_op1_delta.csv" in names and "blacklist.zip" in names
    assert "registered.csv" in names and "notifications_op2.csv" not in names
    assert has_subscriber_data("exceptions_op1.zip") and not has_subscriber_data("tracked.csv")


def test_snapshot_from_files_per_operator_and_restrictive_capable(two_runs, tmp_path):
    first, _, _ = two_runs
    tables = run_tables(first, "op1")
    assert tables["barred_tacs"] == ["86000001"]
    assert tables["tracked"].column("imei_key").to_pylist() == [E]  # "ABC,1" is skipped
    snap = Snapshot.open(snapshot_from_files(first, tmp_path / "eir", operator="op2"))
    assert snap.run_id == RUN1 and snap.restrictive_capable
    assert snap.lookup(A).status == "BLACKLISTED"
    assert snap.lookup(86000001000000).reasons == ("barred TAC",)
    with pytest.raises(InputError, match=r"notifications_op9\.csv is missing"):
        run_tables(first, "op9")
