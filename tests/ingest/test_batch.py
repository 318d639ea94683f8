"""Many files per call: paths, directories and globs; `import all` over simulate's output.

The done-when of issue #3 at CI size: simulate a network, import every file it wrote into a
fresh data dir, import them all again, and nothing changes.
"""

from __future__ import annotations

import hashlib
import shutil
from datetime import date
from pathlib import Path

import pytest

from openceir.errors import InputError
from openceir.ingest import batch, import_many, plan_directory
from openceir.lake import open_duckdb
from openceir.settings import load_settings
from openceir.simulate import simulate
from openceir.store.migrate import sync_operators, upgrade
from openceir.store.session import connect
from tests.helpers import invoke
from tests.ingest.conftest import DATA, TODAY, snapshot


def _lake_hashes(data_dir: Path) -> dict[str, str]:
    lake = data_dir / "lake"
    return {
        p.relative_to(lake).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(lake.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def test_simulated_network_imports_in_one_call_and_again_changes_nothing(
    settings, engine, tmp_path
) -> None:
    summary = simulate(
        settings, tmp_path / "sim", subscribers=2_000, days=5, start=date(2026, 11, 1), seed=11
    )
    planned, skipped = plan_directory(tmp_path / "sim")
    kinds = [p.kind for p in planned]
    assert kinds[:4] == ["tac", "stolen", "registration", "pairing"]
    assert kinds[4:] == ["operator"] * 10 and len(planned) == 14
    assert {p.parent.name for p in skipped} == {"truth"}
    dates = [p.path.name.split("_")[1] for p in planned[4:]]
    assert dates == sorted(dates), "dumps go in date order"

    first = import_many(settings, planned, engine=engine, today=TODAY)
    failed = [o for o in first if o.status == "failed"]
    # The simulator injects leading-zero loss into one dump; the check refuses that file only.
    lost = {
        line.split(",")[0]
        for line in (tmp_path / "sim/truth/leading_zero_loss.csv").read_text().splitlines()[1:]
    }
    assert {o.planned.path.name for o in failed} == lost
    for outcome in failed:
        assert isinstance(outcome.error, InputError)
        assert outcome.error.field == "imei" and outcome.error.line is not None
        assert "check leading_zero_loss failed" in str(outcome.error)
    assert all(o.status == "imported" for o in first if o not in failed)
    dump_rows = sum(o.result.rows_read for o in first if o.result and o.planned.kind == "operator")
    refused_rows = sum(1 for o in failed for _ in o.planned.path.open()) - len(failed)
    assert dump_rows + refused_rows == summary.rows["operator_dump"]

    before, lake_before = snapshot(settings, engine), _lake_hashes(settings.data_dir)
    assert before["manifest"] is not None and before["stolen"] and before["tac"]
    again = import_many(settings, planned, engine=engine, today=TODAY)
    assert [o.status for o in again] == ["failed" if o in failed else "unchanged" for o in first]
    for old, new in zip(first, again, strict=True):
        if new.status == "unchanged":
            assert new.result.job_id == old.result.job_id
            assert "already imported" in new.result.message
    assert snapshot(settings, engine) == before
    assert _lake_hashes(settings.data_dir) == lake_before
    con = open_duckdb(settings.data_dir)
    assert con.execute("SELECT count(DISTINCT operator) FROM observations").fetchone()[0] == 2


def test_expand_takes_files_directories_and_globs(tmp_path: Path) -> None:
    for name in ("a_20261101_20261101.csv", "b_20261102_20261102.csv.gz", "notes.md"):
        (tmp_path / "in" / "sub").mkdir(parents=True, exist_ok=True)
        (tmp_path / "in" / "sub" / name).write_text("x")
    single = tmp_path / "in" / "sub" / "a_20261101_20261101.csv"
    assert batch.expand([single]) == [single]
    found = batch.expand([tmp_path / "in", single])
    assert [p.name for p in found] == ["a_20261101_20261101.csv", "b_20261102_20261102.csv.gz"]
    assert [p.name for p in batch.expand([str(tmp_path / "in" / "**" / "b_*")])] == [
        "b_20261102_20261102.csv.gz"
    ]
    with pytest.raises(InputError, match="no file matches this pattern"):
        batch.expand([str(tmp_path / "*.zip")])
    with pytest.raises(InputError, match="no such file"):
        batch.expand([tmp_path / "missing.csv"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"no \.csv, \.csv\.gz, \.zip"):
        batch.expand([tmp_path / "empty"])


def test_plan_directory_recognises_dirbs_names(tmp_path: Path) -> None:
    for name in (
        "monitoring_list.csv",
        "golden_list.zip",
        "beta_20261102_20261102.csv",
        "gsma_tac_db.txt",
        "alpha_20261101_20261101.csv.gz",
        "barred_tac_list.csv",
        "stolen.csv",
        "readme.csv",
    ):
        (tmp_path / name).write_text("x")
    planned, unknown = plan_directory(tmp_path)
    assert [(p.kind, p.path.name, p.operator_id) for p in planned] == [
        ("tac", "gsma_tac_db.txt", None),
        ("stolen", "stolen.csv", None),
        ("exempt", "golden_list.zip", None),
        ("barred-tac", "barred_tac_list.csv", None),
        ("monitoring", "monitoring_list.csv", None),
        ("operator", "alpha_20261101_20261101.csv.gz", "alpha"),
        ("operator", "beta_20261102_20261102.csv", "beta"),
    ]
    assert [p.name for p in unknown] == ["readme.csv"]


def test_a_bad_file_is_reported_and_the_others_still_import(settings, engine, tmp_path) -> None:
    folder = tmp_path / "dumps"
    folder.mkdir()
    for name in (
        "operator_dump_good.csv",
        "operator_dump_foreign_imsi.csv",
        "operator_dump_day3.csv",
    ):
        shutil.copyfile(DATA / name, folder / name)
    planned = batch.plan_files("operator", [folder], "alpha")
    outcomes = import_many(settings, planned, engine=engine, today=TODAY)
    status = {o.planned.path.name: o.status for o in outcomes}
    assert status == {
        "operator_dump_day3.csv": "imported",
        "operator_dump_foreign_imsi.csv": "failed",
        "operator_dump_good.csv": "imported",
    }
    error = next(o.error for o in outcomes if o.error)
    assert str(error).startswith(
        "operator_dump_foreign_imsi.csv line 3 field imsi: check foreign_imsi failed"
    )
    assert batch.summary(outcomes).startswith(
        "3 files: 2 imported (10 rows), 0 already imported, 1 failed "
        "(operator_dump_foreign_imsi.csv)"
    )
    con = open_duckdb(settings.data_dir)
    assert con.execute("SELECT bit_or(day_mask) FROM observations").fetchone()[0] == 0b111


@pytest.fixture
def workdir(cli_home: Path) -> Path:
    """A simulated network in ./sim with its own config; the CLI's data dir is ./ceir-data."""
    simulate([], cli_home / "sim", subscribers=300, days=2, start=date(2026, 11, 1), seed=5)
    return cli_home


def test_cli_import_all_and_several_dumps(workdir: Path, monkeypatch) -> None:
    unconfigured = invoke("import", "all", "sim")
    assert unconfigured.exit_code == 1
    assert "sim/openceir.toml (written by openceir simulate) declares them" in str(
        unconfigured.exception
    )
    monkeypatch.setenv("OPENCEIR_CONFIG", str(workdir / "sim" / "openceir.toml"))
    settings = load_settings()
    engine = connect(settings.sqlalchemy_url)
    upgrade(engine)
    sync_operators(engine, settings)
    first = invoke("import", "all", "sim", "--disable-leading-zero-loss")
    assert first.exit_code == 0, first.output
    assert "Skipping 14 files not named like an import: truth/" in first.output
    assert "10 files: 10 imported" in first.output and "0 failed" in first.output
    again = invoke("import", "all", "sim", "--disable-leading-zero-loss")
    assert again.exit_code == 0 and "0 imported (0 rows), 10 already imported" in again.output

    shutil.copyfile(DATA / "operator_dump_foreign_imsi.csv", workdir / "bad.csv")
    alpha = sorted((workdir / "sim" / "operators" / "alpha").iterdir())
    mixed = invoke("import", "operator", "alpha", str(alpha[0]), "bad.csv")
    assert mixed.exit_code == 1
    assert "FAILED bad.csv: bad.csv line 3 field imsi: check foreign_imsi failed" in mixed.output
    assert "2 files: 0 imported (0 rows), 1 already imported, 1 failed (bad.csv)" in mixed.output
    none = invoke("import", "operator", "alpha", "sim/operators/alpha/*.zip")
    assert "no file matches this pattern" in str(none.exception)
