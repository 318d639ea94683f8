"""A run on disk: files, deltas between two consecutive runs, signed manifest, verification."""

from __future__ import annotations

import zipfile
from datetime import UTC, date, datetime

import pyarrow.csv as pacsv
import pytest

from openceir.errors import InputError, IntegrityError
from openceir.lists.keys import init_key, load_signer, load_verifier
from openceir.lists.run import runs, verify_run, write_run
from openceir.tlog.note import UnverifiedNoteError, generate_key
from tests.lists._cases import AS_OF, B, inputs, state, state_row, triplet, triplets


def _csv(path):
    return pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            strings_can_be_null=False,
            column_types={"imei": "string", "imsi": "string", "msisdn": "string"},
        ),
    ).to_pylist()


@pytest.fixture
def signer(tmp_path):
    init_key(tmp_path)
    return load_signer(tmp_path)


def test_first_run_writes_full_lists_zips_and_no_delta(tmp_path, signer):
    result = write_run(tmp_path, inputs(), signer, as_of=AS_OF, run_id="20261128T101500Z")
    names = sorted(p.name for p in result.path.iterdir())
    assert "blacklist.csv" in names and "notifications_op1.csv" in names
    assert "exceptions_op2.zip" in names and not any("delta" in n for n in names)
    rows = _csv(result.path / "blacklist.csv")
    assert [r["imei"] for r in rows] == ["35209900176148", "86000000000001"]
    assert rows[0]["reasons"] == "Not registered|Reported stolen"
    with zipfile.ZipFile(result.path / "blacklist.zip") as zf:
        assert zf.namelist() == ["blacklist.csv"]
    assert result.rows["notifications_op2.csv"] == 2


def test_second_run_deltas_against_the_first(tmp_path, signer):
    write_run(tmp_path, inputs(), signer, as_of=AS_OF, run_id="20261128T101500Z")
    later = date(2026, 12, 11)  # B's grace period is over: it moves to the blacklist
    result = write_run(tmp_path, inputs(), signer, as_of=later, run_id="20261211T101500Z")
    black = {r["imei"]: r["change_type"] for r in _csv(result.path / "blacklist_delta.csv")}
    assert black == {"01234567890123": "blocked"}
    notes = _csv(result.path / "notifications_op1_delta.csv")
    assert {(r["imsi"], r["change_type"]) for r in notes} == {
        ("23410000000033", "blacklisted"),
        ("64201000000011", "blacklisted"),
    }
    exc = _csv(result.path / "exceptions_op1_delta.csv")
    assert [(r["imei"], r["imsi"], r["change_type"]) for r in exc] == [
        ("01234567890123", "64201000000044", "added")
    ]
    assert runs(tmp_path) == ["20261128T101500Z", "20261211T101500Z"]


def test_unblocked_imei_shows_in_the_delta(tmp_path, signer):
    write_run(tmp_path, inputs(), signer, as_of=AS_OF, run_id="20261128T101500Z")
    only_b = state([state_row(B, "duplicate", date(2026, 12, 10))])
    result = write_run(
        tmp_path, inputs(state=only_b), signer, as_of=AS_OF, run_id="20261129T101500Z"
    )
    black = {r["imei"]: r["change_type"] for r in _csv(result.path / "blacklist_delta.csv")}
    assert black == {"35209900176148": "unblocked", "86000000000001": "unblocked"}


def test_verify_accepts_an_untouched_run_and_counts_rows(tmp_path, signer):
    result = write_run(tmp_path, inputs(), signer, as_of=AS_OF, run_id="20261128T101500Z")
    files = verify_run(result.path, load_verifier(tmp_path / "keys" / "ceir.vkey"))
    assert files["blacklist.csv"] == 2 and files["blacklist.zip"] is None


def test_verify_rejects_a_tampered_file(tmp_path, signer):
    result = write_run(tmp_path, inputs(), signer, as_of=AS_OF, run_id="20261128T101500Z")
    with (result.path / "blacklist.csv").open("a") as fh:
        fh.write("99999999999999,2026-11-01,x\n")
    with pytest.raises(IntegrityError, match=r"blacklist\.csv"):
        verify_run(result.path, load_verifier(tmp_path / "keys" / "ceir.vkey"))


def test_verify_rejects_another_key(tmp_path, signer):
    result = write_run(tmp_path, inputs(), signer, as_of=AS_OF, run_id="20261128T101500Z")
    with pytest.raises(UnverifiedNoteError):
        verify_run(result.path, generate_key("ceir").verifier)


def test_check_digit_run_refuses_a_base_without_check_digits(tmp_path, signer):
    write_run(tmp_path, inputs(), signer, as_of=AS_OF, run_id="20261128T101500Z")
    with pytest.raises(InputError, match="check-digit"):
        write_run(
            tmp_path, inputs(), signer, as_of=AS_OF, check_digit=True, run_id="20261129T101500Z"
        )


def test_check_digit_run_writes_15_digit_imeis(tmp_path, signer):
    result = write_run(
        tmp_path,
        inputs(),
        signer,
        as_of=AS_OF,
        check_digit=True,
        generated_at=datetime(2026, 11, 28, 10, 15, tzinfo=UTC),
    )
    assert result.path.name == "20261128T101500Z"
    assert _csv(result.path / "blacklist.csv")[0]["imei"] == "352099001761481"


def test_key_init_refuses_to_overwrite_and_keeps_the_private_key_private(tmp_path, signer):
    assert (tmp_path / "keys" / "ceir.key").stat().st_mode & 0o777 == 0o600
    with pytest.raises(InputError, match="already exists"):
        init_key(tmp_path)


def test_formula_cells_are_neutralised_in_every_written_list(tmp_path, signer):
    bad = "=cmd|' /C calc'!A0"
    stolen = state_row(None, "stolen", date(2026, 11, 1), reason="Reported stolen")
    grace = state_row(None, "duplicate", date(2026, 12, 10), reason="+Duplicated")
    stolen["imei_raw"], grace["imei_raw"] = bad, "@SUM(A1)"
    seen = triplet("op1", None, "64201000000011", "-1+2")
    seen["imei_raw"] = "@SUM(A1)"
    parts = {"state": state([stolen, grace]), "triplets": triplets([seen])}
    first = write_run(tmp_path, inputs(**parts), signer, as_of=AS_OF, run_id="20261128T101500Z")
    assert (first.path / "blacklist.csv").read_text() == (
        "imei,block_date,reasons\n'=cmd|' /C calc'!A0,2026-11-01,Reported stolen\n"
    )
    assert _csv(first.path / "notifications_op1.csv") == [
        {
            "imei": "'@SUM(A1)",
            "imsi": "64201000000011",
            "msisdn": "'-1+2",
            "block_date": date(2026, 12, 10),
            "reasons": "'+Duplicated",
        }
    ]
    second = write_run(tmp_path, inputs(**parts), signer, as_of=AS_OF, run_id="20261128T111500Z")
    assert second.rows["blacklist_delta.csv"] == 0, "neutralised cells read back unchanged"
    for run in (first, second):
        verify_run(run.path, load_verifier(tmp_path / "keys" / "ceir.vkey"))
        for path in run.path.glob("*.csv"):
            for line in path.read_text().splitlines():
                assert not any(c[:1] in "=+-@\t\r" for c in line.split(",")), (path.name, line)
