"""The shared pipeline: re-imports are no-ops, crashes leave the previous state, jobs recorded."""

from __future__ import annotations

import json

import pytest

from openceir import lake
from openceir.errors import ConfigError, InputError, NotFound
from openceir.ingest import Hooks, reconcile, run_import, source_for
from openceir.settings import load_settings
from openceir.store.session import connect
from tests.ingest.conftest import TODAY, last_job, snapshot


class Crash(RuntimeError):
    """Stands for the process dying at a hook."""


def _dump(settings, engine, path, **kwargs):
    return run_import(
        settings, "operator", path, operator_id="alpha", engine=engine, today=TODAY, **kwargs
    )


def test_reimporting_the_same_file_changes_nothing(settings, engine, data_file) -> None:
    path = data_file("operator_dump_good.csv")
    first = _dump(settings, engine, path)
    before = snapshot(settings, engine)
    again = _dump(settings, engine, path)
    assert again.status == "unchanged" and again.job_id == first.job_id
    assert "already imported as job" in again.message and "nothing changed" in again.message
    assert snapshot(settings, engine) == before
    assert last_job(engine).id == first.job_id, "a no-op records no job"


def test_same_file_for_another_operator_is_imported(settings, engine, data_file) -> None:
    path = data_file("operator_dump_foreign_imsi.csv")
    result = run_import(
        settings,
        "operator",
        path,
        operator_id="beta",
        engine=engine,
        today=TODAY,
        disable=["foreign_imsi", "off_network_imsi"],
    )
    assert result.status == "succeeded"
    assert lake.observations(settings.data_dir, operators=["beta"])
    assert not lake.observations(settings.data_dir, operators=["alpha"])


def test_crash_before_commit_leaves_previous_state_readable(settings, engine, data_file) -> None:
    _dump(settings, engine, data_file("operator_dump_good.csv"))
    before = snapshot(settings, engine)
    rows_before = (
        lake.open_duckdb(settings.data_dir).execute("SELECT count(*) FROM observations").fetchone()
    )

    def crash() -> None:
        raise Crash("power cut")

    with pytest.raises(Crash):
        _dump(settings, engine, data_file("operator_dump_day3.csv"), hooks=Hooks(after_stage=crash))
    assert snapshot(settings, engine) == before, "new Parquet files are collected, store as was"
    rows_after = (
        lake.open_duckdb(settings.data_dir).execute("SELECT count(*) FROM observations").fetchone()
    )
    assert rows_after == rows_before
    job = last_job(engine)
    assert job.status == "failed" and "power cut" in job.error
    retried = _dump(settings, engine, data_file("operator_dump_day3.csv"))
    assert retried.status == "succeeded"


def test_crash_between_commit_and_manifest_switch_is_reconciled(
    settings, engine, data_file
) -> None:
    _dump(settings, engine, data_file("operator_dump_good.csv"))
    manifest = settings.data_dir / "lake" / "manifest.json"
    old_manifest = manifest.read_text()

    def crash() -> None:
        raise Crash("killed after commit")

    with pytest.raises(Crash):
        _dump(
            settings, engine, data_file("operator_dump_day3.csv"), hooks=Hooks(after_commit=crash)
        )
    assert manifest.read_text() == old_manifest, "readers still see the previous month file"
    con = lake.open_duckdb(settings.data_dir)
    assert con.execute("SELECT count(*) FROM observations").fetchone() == (6,)
    job = last_job(engine)
    assert job.status == "succeeded"
    assert reconcile(settings, engine) == [job.id]
    assert json.loads(manifest.read_text())["last_job_id"] == job.id
    con = lake.open_duckdb(settings.data_dir)
    assert con.execute("SELECT count(*) FROM observations").fetchone() == (7,)
    assert reconcile(settings, engine) == []


def test_store_not_upgraded_is_one_clear_line(settings, data_file) -> None:
    engine = connect(settings.sqlalchemy_url)
    with pytest.raises(ConfigError, match=r"not the newest .*run: openceir db upgrade"):
        _dump(settings, engine, data_file("operator_dump_good.csv"))


def test_unknown_kind_names_the_known_ones() -> None:
    assert source_for("golden_list").kind == "exempt"
    assert source_for("stolen_list").kind == "stolen"
    with pytest.raises(NotFound, match="no importer 'blacklist'; known: operator, tac"):
        source_for("blacklist")


def test_missing_file_and_bad_check_names_are_input_errors(settings, engine, tmp_path) -> None:
    with pytest.raises(InputError, match="no such file"):
        _dump(settings, engine, tmp_path / "absent.csv")
    with pytest.raises(InputError, match="unknown check 'nonsense'"):
        _dump(settings, engine, tmp_path / "absent.csv", disable=["nonsense"])


def test_failed_job_records_its_checks(settings, engine, data_file) -> None:
    with pytest.raises(InputError):
        _dump(settings, engine, data_file("operator_dump_foreign_imsi.csv"))
    job = last_job(engine)
    checks = {c["name"]: c for c in job.checks}
    assert job.status == "failed" and job.rows_read == 3
    assert checks["foreign_imsi"]["passed"] is False
    assert checks["foreign_imsi"]["examples"][0] == [3, "234150000000001"]
    assert checks["unclean_imei"]["passed"] is True


def test_lake_deleted_behind_our_back_marks_jobs_lost_and_allows_reimport(
    settings, engine, data_file
) -> None:
    import shutil

    path = data_file("operator_dump_good.csv")
    first = _dump(settings, engine, path)
    shutil.rmtree(settings.data_dir / "lake")
    assert reconcile(settings, engine) == []
    job = last_job(engine)
    assert job.id == first.job_id and job.status == "lost" and "is gone" in job.error
    again = _dump(settings, engine, path)
    assert again.status == "succeeded"
    assert lake.open_duckdb(settings.data_dir).execute(
        "SELECT count(*) FROM observations"
    ).fetchone() == (6,)


def _with_config(settings, config):
    """`settings` as they would be read with `config` as the config file."""
    return load_settings(
        environ={"OPENCEIR_CONFIG": str(config)},
        data_dir=settings.data_dir,
        database_url=settings.database_url,
        region=settings.region,
        operators=settings.operators,
    )


def test_thresholds_from_the_config_file(settings, engine, data_file, tmp_path) -> None:
    config = tmp_path / "openceir.toml"
    config.write_text("[ingest.thresholds]\nforeign_imsi = 0.9\noff_network_imsi = 0.9\n")
    configured = _with_config(settings, config)
    result = _dump(configured, engine, data_file("operator_dump_foreign_imsi.csv"))
    check = {c["name"]: c for c in result.checks}["foreign_imsi"]
    assert check["threshold"] == 0.9 and check["passed"] and not check["disabled"]
    config.write_text("[ingest.thresholds]\nforeign_imsi = 'high'\n")
    with pytest.raises(ConfigError, match=r"ingest.thresholds.foreign_imsi = 'high'; expected"):
        _with_config(settings, config)


def test_duckdb_threads_and_memory_limit_from_the_config_file(settings, tmp_path) -> None:
    from openceir.ingest.pipeline import engine_limits
    from openceir.lake.parquet import IMPORT_MEMORY_LIMIT

    assert engine_limits(settings) == (2, IMPORT_MEMORY_LIMIT)
    config = tmp_path / "openceir.toml"
    config.write_text('[ingest]\nthreads = 1\nmemory_limit = "300MB"\n')
    assert engine_limits(_with_config(settings, config)) == (1, "300MB")
    config.write_text('[ingest]\nmemory_limit = "lots"\n')
    with pytest.raises(ConfigError, match=r"ingest.memory_limit = 'lots'; expected e.g. \"512MB\""):
        _with_config(settings, config)
    config.write_text("[ingest]\nthreads = 0\n")
    with pytest.raises(ConfigError, match=r"ingest.threads = 0; expected 1 to 256"):
        _with_config(settings, config)


def test_a_dump_that_will_spill_is_staged_on_one_thread(tmp_path) -> None:
    from openceir.ingest.pipeline import _will_spill

    csv = tmp_path / "dump.csv"
    csv.write_bytes(b"x" * 1_000_000)
    assert not _will_spill(csv, "none", "2MB")
    assert _will_spill(csv, "none", "1MB") and _will_spill(csv, "gzip", "2MB")
    assert not _will_spill(csv, "none", "1 GiB")
