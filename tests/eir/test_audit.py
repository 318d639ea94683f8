"""Audit of an operator's EIR export against the published blacklist."""

from __future__ import annotations

from pathlib import Path

import pytest

from openceir.eir.audit import audit_operator_list
from openceir.eir.snapshot import Snapshot
from openceir.errors import InputError
from tests.eir.conftest import BARRED, GRACE, PAIRED, STOLEN


def test_audit_reports_missing_extra_and_malformed(eir_root: Path, tmp_path: Path) -> None:
    export = tmp_path / "alpha_eir.csv"
    export.write_text(
        "imei,block_date\n"
        f"{STOLEN}5,20200101\n"
        f"{GRACE}1,20990101\n"  # not due yet: extra
        f"{BARRED}7,20200101\n"  # barred TAC: correctly blocked, not extra
        "12AB,20200101\n"
    )
    report = audit_operator_list(Snapshot.open_current(eir_root), "alpha", export)
    assert report.missing.tolist() == [PAIRED]
    assert report.extra.tolist() == [GRACE]
    assert report.malformed == [(5, "12AB")]
    assert (report.published, report.exported, report.in_sync) == (2, 3, False)


def test_audit_of_an_exact_copy_is_in_sync(eir_root: Path, tmp_path: Path) -> None:
    export = tmp_path / "beta.csv"
    export.write_text(f"imei\n{STOLEN}\n{PAIRED}0\n")
    assert audit_operator_list(Snapshot.open_current(eir_root), "beta", export).in_sync


def test_audit_of_a_file_without_imei_column_is_an_input_error(eir_root, tmp_path) -> None:
    export = tmp_path / "x.csv"
    export.write_text("tac\n12345678\n")
    with pytest.raises(InputError, match="imei"):
        audit_operator_list(Snapshot.open_current(eir_root), "alpha", export)
