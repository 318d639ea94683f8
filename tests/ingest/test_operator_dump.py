"""Operator dumps end to end: into the lake, merged by month, and every bad file refused cleanly."""

from __future__ import annotations

import gzip
import os
import zipfile
from datetime import date
from pathlib import Path

import pytest

from openceir import lake
from openceir.errors import InputError
from openceir.ingest import run_import
from openceir.ingest.operator_dump import date_range_from_name
from tests.ingest.conftest import TODAY, last_job, snapshot


def _import(settings, engine, path, **kwargs):
    kwargs.setdefault("today", TODAY)
    return run_import(settings, "operator", path, operator_id="alpha", engine=engine, **kwargs)


def _observations(settings, where: str = "true") -> list[tuple]:
    con = lake.open_duckdb(settings.data_dir)
    return con.execute(
        "SELECT imei_key, imei_raw, imsi, msisdn, rat_mask, day_mask, first_seen, last_seen, "
        f"imeisv FROM observations WHERE {where} ORDER BY imsi, imei_key, imei_raw"
    ).fetchall()


def test_date_range_from_dirbs_file_name() -> None:
    assert date_range_from_name("alpha_20261101_20261107.csv.gz") == (
        date(2026, 11, 1),
        date(2026, 11, 7),
    )
    assert date_range_from_name("dump.csv") is None
    with pytest.raises(InputError, match="ends"):
        date_range_from_name("alpha_20261107_20261101.csv")


def test_import_aggregates_triplets_per_month(settings, engine, data_file) -> None:
    result = _import(settings, engine, data_file("operator_dump_good.csv"))
    assert result.status == "succeeded"
    assert (result.rows_read, result.rows_valid, result.rows_rejected) == (8, 8, 0)
    rows = _observations(settings)
    assert len(rows) == 6
    first = rows[0]
    # 352099001761481 + 639011234567890 seen on 1 Nov (4G, 5G) and 2 Nov (3G).
    assert first[0] == 35209900176148 and first[1] is None
    assert first[4] == 2 | 4 | 8
    assert first[5] == 0b11
    assert (first[6], first[7]) == (date(2026, 11, 1), date(2026, 11, 2))
    imeisv = next(r for r in rows if r[2] == "639011234567892")
    assert imeisv[8] == ["3520990017614823"] and imeisv[4] == 3
    assert {c["name"] for c in result.checks} >= {"unclean_imei", "volume_drop", "null_ratio"}


def test_day_by_day_import_merges_into_the_month(settings, engine, data_file) -> None:
    _import(settings, engine, data_file("operator_dump_good.csv"))
    before = lake.observations(settings.data_dir)
    _import(settings, engine, data_file("operator_dump_day3.csv"))
    after = lake.observations(settings.data_dir)
    assert len(before) == len(after) == 1 and before != after
    assert not before[0].exists(), "the replaced month file is garbage collected"
    merged = _observations(settings, "imsi = '639011234567890'")
    assert len(merged) == 1
    assert merged[0][5] == 0b111 and merged[0][4] == 1 | 2 | 4 | 8
    assert merged[0][7] == date(2026, 11, 3)
    assert len(_observations(settings)) == 7
    kept = _observations(settings, "imsi = '639011234567892'")
    assert kept[0][8] == ["3520990017614823"], "IMEISVs of earlier days survive the merge"


def test_malformed_imeis_are_kept_raw(settings, engine, data_file) -> None:
    _import(
        settings,
        engine,
        data_file("operator_dump_malformed_imei_kept.csv"),
        thresholds={"unclean_imei": 1.0},
    )
    raws = [r[1] for r in _observations(settings) if r[0] is None]
    assert sorted(raws) == ["12345", "A0000012345678"]


def test_malformed_imeis_over_threshold_fail_with_line_and_field(settings, engine, data_file):
    before = snapshot(settings, engine)
    with pytest.raises(InputError) as err:
        _import(settings, engine, data_file("operator_dump_malformed_imei_kept.csv"))
    message = str(err.value)
    assert message.startswith("operator_dump_malformed_imei_kept.csv line 3 field imei:")
    assert "unclean_imei" in message and "66.67%" in message and "--disable-unclean-imei" in message
    assert snapshot(settings, engine) == before


def test_sightings_keep_cells_and_coordinates(settings, engine, data_file) -> None:
    _import(settings, engine, data_file("operator_dump_with_cells.csv"))
    con = lake.open_duckdb(settings.data_dir)
    rows = con.execute(
        "SELECT imei_key, cell, lat, lon, time FROM sightings ORDER BY time"
    ).fetchall()
    assert rows == [
        (35209900176148, "cell-17", -1.2921, 36.8219, "08:15:00"),
        (35209900176148, "cell-99", -4.0435, 39.6682, "08:45:00"),
    ]
    svns = _observations(settings, "imsi = '639011234567890'")[0][8]
    assert svns == ["3520990017614801", "3520990017614802"]


def _truncated_gzip(path: Path) -> Path:
    rows = "".join(
        f"20261101,35209900{i:07d},6390112{i:08d},2547{i:08d},006\n" for i in range(20000)
    )
    data = gzip.compress(("date,imei,imsi,msisdn,rat\n" + rows).encode())
    out = path.with_name("truncated.csv.gz")
    out.write_bytes(data[: len(data) // 2])
    return out


def _corrupt_zip(path: Path) -> Path:
    out = path.with_name("corrupt.zip")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(path, "dump.csv")
    data = bytearray(out.read_bytes())
    for i in range(40, 80):
        data[i] ^= 0xFF
    out.write_bytes(bytes(data))
    return out


def _zip_with_two_files(path: Path) -> Path:
    out = path.with_name("two.zip")
    with zipfile.ZipFile(out, "w") as archive:
        archive.write(path, "a.csv")
        archive.write(path, "b.csv")
    return out


def _binary_garbage(path: Path) -> Path:
    out = path.with_name("garbage.csv")
    out.write_bytes(bytes(range(256)) * 64 + os.urandom(4096))
    return out


def _ten_mb_line(path: Path) -> Path:
    out = path.with_name("one_line.csv")
    out.write_bytes(b"date,imei," + b"9" * (10 * 1024 * 1024))
    return out


def _long_data_line(path: Path) -> Path:
    out = path.with_name("long_row.csv")
    out.write_bytes(
        b"date,imei,imsi,msisdn,rat\n20261101,352099001761481,639011234567890,2547,006\n"
        + b"20261101,"
        + b"1" * (3 * 1024 * 1024)
        + b",639011234567890,2547,006\n"
    )
    return out


BAD_FILES = [
    # (case, file or builder, kwargs, expected message fragments)
    (
        "wrong header",
        "operator_dump_wrong_header.csv",
        {},
        ["line 1:", "missing column date", "expected a header like"],
    ),
    (
        "missing header",
        "operator_dump_missing_header.csv",
        {},
        ["line 1:", "missing columns date, imei, imsi, msisdn, rat"],
    ),
    (
        "wrong delimiter",
        "operator_dump_wrong_delimiter.csv",
        {},
        ["line 1:", "separated by ';'", "expected ','"],
    ),
    ("ragged row", "operator_dump_ragged_row.csv", {}, ["line 3:", "4 fields, expected 5"]),
    (
        "dates outside the file name's range",
        "operator_dump_dates_outside_range.csv",
        {"as_name": "alpha_20261101_20261101.csv"},
        ["line 4 field date:", "date_range", "'20261105' is outside the file name's range"],
    ),
    (
        "future dates",
        "operator_dump_future_dates.csv",
        {},
        ["line 3 field date:", "future_dates", "after today (2026-11-28)"],
    ),
    (
        "IMSIs of another country",
        "operator_dump_foreign_imsi.csv",
        {},
        ["line 3 field imsi:", "foreign_imsi", "MCC 234; expected one of 639"],
    ),
    (
        "non-ASCII digits",
        "operator_dump_non_ascii_digits.csv",
        {},
        ["line 3 field date:", "invalid_rows", "is not a date; expected YYYYMMDD"],
    ),
    ("truncated gzip", _truncated_gzip, {}, ["truncated.csv.gz", "truncated or corrupt"]),
    ("corrupt zip", _corrupt_zip, {}, ["corrupt.zip", "zip"]),
    (
        "zip with two files",
        _zip_with_two_files,
        {},
        ["two.zip: zip holds 2 files (a.csv, b.csv); expected exactly one CSV"],
    ),
    ("binary garbage", _binary_garbage, {}, ["garbage.csv line 1:", "binary data"]),
    ("10 MB single line", _ten_mb_line, {}, ["one_line.csv line 1:", "longer than"]),
    ("long data line", _long_data_line, {}, ["long_row.csv line 3:", "too long"]),
]


@pytest.mark.parametrize(
    ("case", "source", "options", "fragments"), BAD_FILES, ids=[c[0] for c in BAD_FILES]
)
def test_bad_file_is_refused_with_a_clear_message_and_changes_nothing(
    settings, engine, data_file, case, source, options, fragments
) -> None:
    _import(settings, engine, data_file("operator_dump_good.csv"))
    before = snapshot(settings, engine)
    if callable(source):
        path = source(data_file("operator_dump_good.csv", "base.csv"))
    else:
        path = data_file(source, options.get("as_name"))
    with pytest.raises(InputError) as err:
        _import(settings, engine, path)
    message = str(err.value)
    for fragment in fragments:
        assert fragment in message, f"{case}: {fragment!r} not in {message!r}"
    assert "Traceback" not in message and "\n" not in message
    assert snapshot(settings, engine) == before
    job = last_job(engine)
    assert job.status == "failed" and job.error == message


def test_leading_zero_loss_needs_the_tac_catalog(settings, engine, data_file) -> None:
    path = data_file("operator_dump_leading_zero_loss.csv")
    result = _import(settings, engine, path, thresholds={"unclean_imei": 1.0})
    check = {c["name"]: c for c in result.checks}["leading_zero_loss"]
    assert check["not_run"].startswith("not run: no TAC catalog")
    run_import(settings, "tac", data_file("tac_catalog_gsma.txt"), engine=engine, today=TODAY)
    path.write_text(path.read_text() + "20261102,490154203237518,639011234567891,2547001,006\n")
    with pytest.raises(InputError) as err:
        _import(settings, engine, path)
    assert "line 2 field imei:" in str(err.value)
    assert "01307700 is an allocated TAC; a leading 0 was probably lost" in str(err.value)


def test_disabling_a_check_lets_the_file_in_and_records_it(settings, engine, data_file) -> None:
    result = _import(
        settings,
        engine,
        data_file("operator_dump_foreign_imsi.csv"),
        disable=["foreign-imsi", "off_network_imsi"],
    )
    check = {c["name"]: c for c in result.checks}["foreign_imsi"]
    assert check["disabled"] is True and check["passed"] is True
    assert check["value"] == pytest.approx(2 / 3)


def test_volume_drop_against_recent_history(settings, engine, data_file) -> None:
    _import(settings, engine, data_file("operator_dump_good.csv"))  # 4 rows a day
    path = data_file("operator_dump_future_dates.csv")  # 1 row on 1 Nov, 1 row in 2027
    path.write_text(
        "date,imei,imsi,msisdn,rat\n20261104,352099001761481,639011234567890,2547001,006\n"
    )
    with pytest.raises(InputError, match=r"check volume_drop failed: .* 25\.00%.*under"):
        _import(settings, engine, path)


def test_unknown_operator_is_a_config_error(settings, engine, data_file) -> None:
    from openceir.errors import ConfigError

    with pytest.raises(ConfigError, match="operator 'gamma' is not configured"):
        run_import(
            settings,
            "operator",
            data_file("operator_dump_good.csv"),
            operator_id="gamma",
            engine=engine,
        )


def test_unknown_rat_codes_are_counted_and_named(settings, engine, tmp_path) -> None:
    path = tmp_path / "rats.csv"
    path.write_text(
        "date,imei,imsi,msisdn,rat\n"
        "20261101,352099001761481,639011234567890,254700000001,006\n"
        "20261101,35209900176148,639011234567891,254700000002,006|999\n"
    )
    with pytest.raises(InputError) as err:
        _import(settings, engine, path)
    assert "line 3 field rat:" in str(err.value)
    assert "'006|999': expected RAT codes like 006|010" in str(err.value)
    _import(settings, engine, path, disable=["unclean_rat"])
    masks = sorted(r[4] for r in _observations(settings))
    assert masks == [0, 4], "an unknown code sets no bit; the row is kept"


def test_overlapping_file_merges_idempotently(settings, engine, data_file, tmp_path) -> None:
    _import(settings, engine, data_file("operator_dump_good.csv"))
    before = _observations(settings)
    lines = data_file("operator_dump_good.csv").read_text().splitlines()
    reordered = tmp_path / "same_rows_other_order.csv"
    reordered.write_text("\n".join([lines[0], *reversed(lines[1:])]) + "\n")
    assert _import(settings, engine, reordered).status == "succeeded"
    assert _observations(settings) == before


def test_lake_reads_through_ibis_too(settings, engine, data_file) -> None:
    _import(settings, engine, data_file("operator_dump_good.csv"))
    observations = lake.ibis_backend(settings.data_dir).table("observations")
    assert observations.count().execute() == 6
    per_imsi = observations.filter(observations.imsi == "639011234567890").day_mask.sum()
    assert per_imsi.execute() == 0b11


def test_null_ratio_names_the_worst_column_and_its_first_line(settings, engine, tmp_path):
    path = tmp_path / "nulls.csv"
    path.write_text(
        "date,imei,imsi,msisdn,rat\n"
        "20261101,352099001761481,639011234567890,254700000001,006\n"
        "20261101,35209900176148,639011234567891,,006\n"
        "20261101,490154203237518,639011234567893,,006\n"
    )
    with pytest.raises(InputError) as err:
        _import(settings, engine, path)
    message = str(err.value)
    assert message.startswith("nulls.csv line 3 field msisdn: check null_ratio failed")
    assert "66.67%" in message and "msisdn 66.67%" in message


def test_a_file_named_for_another_operator_is_refused(settings, engine, data_file) -> None:
    path = data_file("operator_dump_good.csv", "beta_20261101_20261102.csv")
    before = snapshot(settings, engine)
    with pytest.raises(InputError) as err:
        _import(settings, engine, path)
    assert str(err.value) == (
        "beta_20261101_20261102.csv: the file name is for operator 'beta', but it is being "
        "imported for 'alpha'; import it as: openceir import operator beta "
        "beta_20261101_20261102.csv"
    )
    assert snapshot(settings, engine) == before


def test_formula_text_in_a_dump_is_an_invalid_row_with_line_and_field(
    settings, engine, data_file
) -> None:
    path = data_file("operator_dump_formula_text.csv")
    before = snapshot(settings, engine)
    with pytest.raises(InputError) as err:
        _import(settings, engine, path, thresholds={"unclean_imei": 1.0, "unclean_msisdn": 1.0})
    message = str(err.value)
    assert message.startswith(
        "operator_dump_formula_text.csv line 4 field imei: check invalid_rows"
    )
    assert "spreadsheet formula" in message and "also line 5" in message
    assert snapshot(settings, engine) == before


def test_formula_rows_never_reach_the_lake_when_invalid_rows_is_disabled(
    settings, engine, data_file
) -> None:
    result = _import(
        settings,
        engine,
        data_file("operator_dump_formula_text.csv"),
        disable=["invalid_rows"],
        thresholds={"unclean_imei": 1.0, "unclean_msisdn": 1.0},
    )
    assert (result.rows_read, result.rows_valid, result.rows_rejected) == (4, 2, 2)
    assert sorted(r[2] for r in _observations(settings)) == ["639011234567890", "639011234567891"]
