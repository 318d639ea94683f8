"""Simulated files go through the real importers: every file passes, except the injected fault.

This pins the data contract (architecture §5) between `simulate` and `ingest` from both sides.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from openceir.errors import InputError
from openceir.ingest import run_import
from openceir.settings import load_settings
from openceir.simulate import simulate
from openceir.store.migrate import sync_operators, upgrade
from openceir.store.session import connect, dispose_all


@pytest.mark.parametrize("fmt", ["csv.gz", "zip"])
def test_simulated_files_pass_the_importers_but_the_lost_zero_file(tmp_path: Path, fmt) -> None:
    out = tmp_path / "incoming"
    start = dt.date(2026, 11, 1)
    summary = simulate([], out, subscribers=1500, days=3, start=start, seed=5, fmt=fmt)
    settings = load_settings(
        environ={"OPENCEIR_CONFIG": str(summary.config_written)},
        cwd=tmp_path,
        data_dir=tmp_path / "data",
    )
    engine = connect(settings.sqlalchemy_url)
    try:
        upgrade(engine)
        sync_operators(engine, settings)
        ext = fmt
        today = start + dt.timedelta(days=3)
        for kind, name in (
            ("tac", "tac_catalog"),
            ("stolen", "stolen"),
            ("registration", "registration"),
            ("pairing", "pairing"),
        ):
            result = run_import(settings, kind, out / f"{name}.{ext}", engine=engine, today=today)
            assert result.status == "succeeded" and result.rows_rejected == 0
        faulty = (out / "truth" / "leading_zero_loss.csv").read_text().splitlines()[1]
        faulty_stem = faulty.split(",")[0].removesuffix(".csv")
        imported = 0
        for path in sorted((out / "operators").glob(f"*/*.{ext}")):
            op = path.parent.name
            if path.name.startswith(faulty_stem):
                with pytest.raises(InputError, match="leading_zero_loss"):
                    run_import(
                        settings, "operator", path, operator_id=op, engine=engine, today=today
                    )
                continue
            result = run_import(
                settings, "operator", path, operator_id=op, engine=engine, today=today
            )
            assert result.status == "succeeded" and result.rows_rejected == 0, path.name
            imported += result.rows_read
        assert imported > 0.8 * summary.rows["operator_dump"]
    finally:
        dispose_all()
