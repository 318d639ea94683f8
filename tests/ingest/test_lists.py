"""Register list imports: full files diffed, deltas applied, history kept, bad rows refused."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from openceir.errors import InputError
from openceir.ingest import run_import
from openceir.store.registers import (
    BarredImeiRow,
    BarredTacRow,
    ExemptRow,
    MonitoringRow,
    PairingRow,
    RegistrationRow,
    StolenRow,
    as_of,
    current,
)
from openceir.store.session import session_scope
from tests.ingest.conftest import TODAY, last_job, snapshot

DAY1 = date(2026, 11, 20)
DAY2 = date(2026, 11, 25)


def _import(settings, engine, kind, path, **kwargs):
    kwargs.setdefault("today", TODAY)
    return run_import(settings, kind, path, engine=engine, **kwargs)


def _stolen(engine, when=None):
    with session_scope(engine) as session:
        rows = as_of(session, StolenRow, when) if when else current(session, StolenRow)
        return sorted((r.imei_key, r.imei_raw, r.reporting_date, r.status) for r in rows)


def test_full_list_import_then_diff_closes_and_opens_rows(settings, engine, data_file) -> None:
    first = _import(
        settings, engine, "stolen", data_file("stolen_list_duplicate_rows.csv"), today=DAY1
    )
    assert first.counts["duplicates"] == 1 and first.counts["added"] == 2
    second = _import(
        settings,
        engine,
        "stolen",
        data_file("stolen_list_conflicting_rows.csv"),
        today=DAY2,
        disable=["conflicting_rows"],
    )
    assert (second.counts["added"], second.counts["updated"], second.counts["removed"]) == (0, 1, 0)
    assert _stolen(engine) == [
        (35209900176148, None, date(2026, 11, 5), "recovered"),
        (49015420323751, None, date(2026, 11, 2), "lost"),
    ]
    assert _stolen(engine, DAY1) == [
        (35209900176148, None, date(2026, 11, 1), "stolen"),
        (49015420323751, None, date(2026, 11, 2), "lost"),
    ]
    assert _stolen(engine, date(2026, 11, 19)) == [], "nothing was listed before the first import"


def test_conflicting_rows_fail_naming_both_lines(settings, engine, data_file) -> None:
    before = snapshot(settings, engine)
    with pytest.raises(InputError) as err:
        _import(settings, engine, "stolen", data_file("stolen_list_conflicting_rows.csv"))
    message = str(err.value)
    assert message.startswith("stolen_list_conflicting_rows.csv line 4:")
    assert "conflicting_rows" in message and "also on line 2 with other values" in message
    assert "--disable-conflicting-rows" in message
    assert snapshot(settings, engine) == before


def test_list_shrinking_by_90_percent_fails_unless_overridden(settings, engine, data_file):
    _import(settings, engine, "stolen", data_file("stolen_list_full.csv"), today=DAY1)
    before = snapshot(settings, engine)
    shrunk = data_file("stolen_list_shrunk_90pct.csv")
    with pytest.raises(InputError) as err:
        _import(settings, engine, "stolen", shrunk, today=DAY2)
    assert "check list_shrink failed" in str(err.value) and "90.00%" in str(err.value)
    assert "18 of 20 current rows would be removed" in str(err.value)
    assert snapshot(settings, engine) == before
    assert last_job(engine).status == "failed"
    done = _import(settings, engine, "stolen", shrunk, today=DAY2, disable=["list_shrink"])
    assert done.counts["removed"] == 18 and len(_stolen(engine)) == 2
    assert len(_stolen(engine, DAY1)) == 20, "history still answers for the earlier day"


def test_delta_accepts_dirbs_words_and_applies_changes(settings, engine, data_file) -> None:
    _import(settings, engine, "stolen", data_file("stolen_list_duplicate_rows.csv"), today=DAY1)
    result = _import(
        settings,
        engine,
        "stolen",
        data_file("stolen_list_delta_dirbs_words.csv"),
        delta=True,
        today=DAY2,
    )
    counts = result.counts
    assert (counts["added"], counts["removed"], counts["updated"]) == (1, 1, 1)
    assert _stolen(engine) == [
        (35209900176148, None, date(2026, 11, 1), "recovered"),
        (86740002031661, None, date(2026, 11, 10), "stolen"),
    ]


def test_delta_removing_an_absent_key_fails_with_its_line(settings, engine, data_file) -> None:
    before = snapshot(settings, engine)
    with pytest.raises(InputError) as err:
        _import(
            settings, engine, "stolen", data_file("stolen_list_delta_dirbs_words.csv"), delta=True
        )
    assert str(err.value).startswith(
        "stolen_list_delta_dirbs_words.csv line 2 field change_type: "
        "update of a key not in the list"
    )
    assert snapshot(settings, engine) == before


def test_full_file_with_change_type_asks_for_delta(settings, engine, data_file) -> None:
    with pytest.raises(InputError, match=r"line 1 field change_type: .*import it with --delta"):
        _import(settings, engine, "stolen", data_file("stolen_list_delta_dirbs_words.csv"))


def test_pairing_with_bad_imsi_names_line_and_field(settings, engine, data_file) -> None:
    before = snapshot(settings, engine)
    with pytest.raises(InputError) as err:
        _import(settings, engine, "pairing", data_file("pairing_list_bad_imsi.csv"))
    message = str(err.value)
    assert message.startswith("pairing_list_bad_imsi.csv line 3 field imsi:")
    assert "'63901': expected an IMSI of 14 or 15 ASCII digits" in message
    assert snapshot(settings, engine) == before


def test_pairing_registration_and_imei_lists_import(settings, engine, data_file) -> None:
    _import(settings, engine, "pairing", data_file("pairing_list.csv"))
    _import(settings, engine, "registration", data_file("registration_list.csv"))
    _import(settings, engine, "golden_list", data_file("golden_list.csv"))
    _import(settings, engine, "monitoring", data_file("monitoring_list.csv"))
    _import(settings, engine, "barred", data_file("barred_list.csv"))
    with session_scope(engine) as session:
        pairs = sorted((r.imei_key, r.imsi, r.msisdn) for r in current(session, PairingRow))
        assert pairs == [
            (35209900176148, "639011234567890", "254700000001"),
            (35209900176148, "639011234567891", None),
        ]
        reg = {r.imei_key: r for r in current(session, RegistrationRow)}
        assert reg[35209900176148].radio_interface == "GSM|LTE"
        assert reg[49015420323751].status is None
        assert [r.imei_key for r in current(session, ExemptRow)] == [35209900176148]
        assert session.scalar(select(func.count()).select_from(MonitoringRow)) == 2


def test_barred_tac_rejects_a_short_tac(settings, engine, data_file) -> None:
    with pytest.raises(InputError) as err:
        _import(settings, engine, "barred-tac", data_file("barred_tac_list_bad_tac.csv"))
    assert str(err.value).startswith("barred_tac_list_bad_tac.csv line 3 field tac:")
    assert "'1234': expected a TAC of 8 ASCII digits" in str(err.value)
    with session_scope(engine) as session:
        assert current(session, BarredTacRow) == []


def test_invalid_rows_can_be_skipped_when_overridden(settings, engine, data_file) -> None:
    result = _import(
        settings,
        engine,
        "barred-tac",
        data_file("barred_tac_list_bad_tac.csv"),
        disable=["invalid_rows"],
    )
    assert (result.rows_read, result.rows_valid, result.rows_rejected) == (2, 1, 1)
    with session_scope(engine) as session:
        assert [r.tac for r in current(session, BarredTacRow)] == ["35209900"]


def test_reimporting_a_list_is_a_no_op(settings, engine, data_file) -> None:
    path = data_file("stolen_list_full.csv")
    _import(settings, engine, "stolen", path)
    before = snapshot(settings, engine)
    assert _import(settings, engine, "stolen", path).status == "unchanged"
    assert snapshot(settings, engine) == before


def test_gzip_and_zip_lists_read_like_plain_csv(settings, engine, data_file, tmp_path) -> None:
    import gzip
    import zipfile

    plain = data_file("monitoring_list.csv")
    packed = tmp_path / "monitoring_list.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert _import(settings, engine, "monitoring", packed).counts["added"] == 2
    zipped = tmp_path / "barred_list.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.write(data_file("barred_list.csv"), "barred_list.csv")
    assert _import(settings, engine, "barred", zipped).counts["added"] == 1


def test_a_file_of_another_kind_is_refused_by_its_header(settings, engine, data_file) -> None:
    with pytest.raises(InputError) as err:
        _import(settings, engine, "registration", data_file("operator_dump_good.csv"))
    assert str(err.value).startswith("operator_dump_good.csv line 1 field date: unexpected columns")
    assert "is this the right kind of file?" in str(err.value)


def test_a_long_data_line_in_a_list_names_its_line(settings, engine, tmp_path) -> None:
    path = tmp_path / "stolen_long_line.csv"
    path.write_text(
        "imei,reporting_date,status\n352099001761481,20261101,stolen\n"
        + "3" * 300_000
        + ",20261101,stolen\n"
    )
    before = snapshot(settings, engine)
    with pytest.raises(InputError) as err:
        _import(settings, engine, "stolen", path)
    assert str(err.value).startswith("stolen_long_line.csv line 3 field imei: check invalid_rows")
    assert "300000 characters" in str(err.value)
    assert snapshot(settings, engine) == before


def test_non_ascii_digits_in_lists_normalise_to_the_same_imei(settings, engine, tmp_path) -> None:
    path = tmp_path / "barred.csv"
    path.write_text("imei\n352099001761481\n٣٥٢٠٩٩٠٠١٧٦١٤٨١\n")
    result = _import(settings, engine, "barred", path)
    assert result.counts["malformed_imei"] == 0
    assert result.counts["duplicates"] == 1 and result.counts["added"] == 1


def test_malformed_imeis_in_lists_are_invalid_rows_with_their_line(settings, engine, tmp_path):
    path = tmp_path / "barred.csv"
    path.write_text("imei\n352099001761481\n35209900176148X\n490154203237518\n")
    before = snapshot(settings, engine)
    with pytest.raises(InputError) as err:
        _import(settings, engine, "barred", path)
    message = str(err.value)
    assert message.startswith("barred.csv line 3 field imei: check invalid_rows failed")
    assert "'35209900176148X' is not an IMEI; expected 14 to 16 digits" in message
    assert snapshot(settings, engine) == before


def test_disabled_invalid_rows_rejects_malformed_imeis_and_counts_them(settings, engine, tmp_path):
    path = tmp_path / "barred.csv"
    path.write_text("imei\n352099001761481\n35209900176148X\n" + "garbage\n" * 8)
    result = _import(settings, engine, "barred", path, disable=["invalid_rows"])
    assert (result.rows_read, result.rows_valid, result.rows_rejected) == (10, 1, 9)
    assert result.counts["added"] == 1
    with session_scope(engine) as session:
        assert [(r.imei_key, r.imei_raw) for r in current(session, BarredImeiRow)] == [
            (35209900176148, None)
        ]


def test_formula_text_in_a_stolen_list_is_refused_with_line_and_field(
    settings, engine, data_file
) -> None:
    before = snapshot(settings, engine)
    with pytest.raises(InputError) as err:
        _import(settings, engine, "stolen", data_file("stolen_list_formula_imei.csv"))
    message = str(err.value)
    assert message.startswith("stolen_list_formula_imei.csv line 3 field imei: check invalid_rows")
    assert "is not an IMEI" in message
    assert snapshot(settings, engine) == before
    result = _import(
        settings,
        engine,
        "stolen",
        data_file("stolen_list_formula_imei.csv"),
        disable=["invalid_rows"],
    )
    assert result.rows_rejected == 1
    assert all(raw is None for _key, raw, _d, _s in _stolen(engine))


def test_an_unterminated_quote_names_the_line_it_opened_on(settings, engine, data_file) -> None:
    path = data_file("stolen_list_unterminated_quote.csv")
    before = snapshot(settings, engine)
    for disable in ([], ["invalid_rows"]):
        with pytest.raises(InputError) as err:
            _import(settings, engine, "stolen", path, disable=disable)
        message = str(err.value)
        assert message.startswith("stolen_list_unterminated_quote.csv line 3"), message
        assert "unterminated quote" in message
        assert snapshot(settings, engine) == before
