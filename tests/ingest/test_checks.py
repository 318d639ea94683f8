"""Check thresholds, overrides and the one-line failure message."""

from __future__ import annotations

import pytest

from openceir.errors import InputError
from openceir.ingest.checks import SPECS, evaluate, failure, thresholds, validate_names


def test_max_and_min_checks_judge_against_threshold() -> None:
    limits = thresholds()
    assert evaluate("unclean_imei", 0.05, limits, set()).passed
    assert not evaluate("unclean_imei", 0.051, limits, set()).passed
    assert evaluate("volume_drop", 0.5, limits, set()).passed
    assert not evaluate("volume_drop", 0.49, limits, set()).passed


def test_disabled_check_passes_but_is_marked() -> None:
    result = evaluate("unclean_imei", 0.9, thresholds(), {"unclean_imei"})
    assert result.passed and result.disabled and result.value == 0.9


def test_not_run_check_records_why() -> None:
    result = evaluate("leading_zero_loss", None, thresholds(), set(), not_run="no catalog")
    assert result.passed and result.value is None and result.not_run == "no catalog"


def test_threshold_overrides_and_unknown_names() -> None:
    assert thresholds({"unclean_imei": 0.5})["unclean_imei"] == 0.5
    assert thresholds()["unclean_imei"] == SPECS["unclean_imei"].threshold
    with pytest.raises(InputError, match="unknown check 'bogus'"):
        thresholds({"bogus": 1})
    assert validate_names(["unclean-imei", "volume_drop"]) == {"unclean_imei", "volume_drop"}
    with pytest.raises(InputError, match="unknown check"):
        validate_names(["typo"])


def test_failure_message_names_check_value_threshold_line_and_override() -> None:
    result = evaluate(
        "foreign_imsi",
        0.25,
        thresholds(),
        set(),
        count=5,
        field="imsi",
        detail="'23415...' has MCC 234",
    )
    result.examples = [(7, "23415"), (9, "23415")]
    error = failure([result], "dump.csv")
    assert isinstance(error, InputError)
    assert str(error) == (
        "dump.csv line 7 field imsi: check foreign_imsi failed: IMSIs outside the country's "
        "MCCs 25.00% (5 rows), over the threshold 10.00%; '23415...' has MCC 234; also line 9. "
        "Fix the file, or override with --disable-foreign-imsi or --threshold foreign_imsi=VALUE"
    )
    assert failure([evaluate("foreign_imsi", 0.0, thresholds(), set())], "dump.csv") is None
