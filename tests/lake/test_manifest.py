"""The lake manifest: pure apply, atomic write, garbage collection, retention."""

from __future__ import annotations

from datetime import date

import pytest

from openceir import lake
from openceir.errors import InputError, IntegrityError
from openceir.lake import manifest


def _touch(root, rel):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    return rel


def test_apply_replaces_partitions_and_drops_empty_ones() -> None:
    base = manifest.empty()
    one = manifest.apply(base, {"observations": {"alpha": {"2026-10": ["a"], "2026-11": ["b"]}}}, 3)
    assert one["last_job_id"] == 3 and base["last_job_id"] is None, "apply is pure"
    two = manifest.apply(one, {"observations": {"alpha": {"2026-10": []}}}, None)
    assert manifest.files(two, "observations") == ["b"] and two["last_job_id"] == 3


def test_write_then_read_round_trips_and_rejects_junk(tmp_path) -> None:
    data = manifest.apply(manifest.empty(), {"sightings": {"beta": {"2026-11": ["s"]}}}, 1)
    manifest.write(tmp_path, data)
    assert manifest.read(tmp_path) == data
    assert not list(tmp_path.glob(".manifest.json.*")), "no temp file left behind"
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(IntegrityError, match="unreadable lake manifest"):
        manifest.read(tmp_path)


def test_garbage_collection_keeps_listed_and_pending_files(tmp_path) -> None:
    listed = _touch(tmp_path, "observations/operator=a/month=2026-11/listed.parquet")
    pending = _touch(tmp_path, "observations/operator=a/month=2026-11/pending.parquet")
    _touch(tmp_path, "observations/operator=a/month=2026-10/orphan.parquet")
    _touch(tmp_path, "_staging/job-1/rows.parquet")
    data = manifest.apply(manifest.empty(), {"observations": {"a": {"2026-11": [listed]}}}, 1)
    assert manifest.collect_garbage(tmp_path, data, also_keep={pending}) == 1
    assert (tmp_path / listed).exists() and (tmp_path / pending).exists()
    assert not (tmp_path / "observations/operator=a/month=2026-10").exists()
    assert not (tmp_path / "_staging").exists()


def test_prune_drops_old_months_only(tmp_path) -> None:
    root = lake.lake_dir(tmp_path)
    changes = {
        "observations": {
            "a": {
                "2026-05": [_touch(root, "observations/operator=a/month=2026-05/x.parquet")],
                "2026-11": [_touch(root, "observations/operator=a/month=2026-11/y.parquet")],
            }
        }
    }
    manifest.write(root, manifest.apply(manifest.empty(), changes, 1))
    dropped = lake.prune(tmp_path, 6, today=date(2026, 11, 28))
    assert dropped == [("observations", "a", "2026-05")]
    assert [p.name for p in lake.observations(tmp_path)] == ["y.parquet"]
    assert not (root / "observations/operator=a/month=2026-05").exists()
    assert lake.prune(tmp_path, 6, today=date(2026, 11, 28)) == []


def test_cutoff_month_and_bad_months() -> None:
    assert lake.cutoff_month(date(2026, 1, 15), 2) == "2025-12"
    with pytest.raises(InputError, match="at least 1"):
        lake.cutoff_month(date(2026, 1, 15), 0)


def test_reader_over_an_empty_lake_has_typed_empty_views(tmp_path) -> None:
    con = lake.open_duckdb(tmp_path)
    assert con.execute("SELECT count(*) FROM observations").fetchone() == (0,)
    types = dict(
        con.execute("SELECT column_name, column_type FROM (DESCRIBE observations)").fetchall()
    )
    assert types["imei_key"] == "BIGINT" and types["day_mask"] == "INTEGER"
