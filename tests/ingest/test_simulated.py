"""Files written by `openceir.simulate` import cleanly: the two parts agree on the formats."""

from __future__ import annotations

from datetime import date

import pytest

from openceir import lake
from openceir.errors import InputError
from openceir.ingest import run_import
from tests.ingest.conftest import TODAY

simulate = pytest.importorskip("openceir.simulate")

LISTS = (
    ("tac", "tac_catalog"),
    ("stolen", "stolen"),
    ("registration", "registration"),
    ("pairing", "pairing"),
)


def test_simulated_network_imports_end_to_end(settings, engine, tmp_path) -> None:
    summary = simulate.simulate(
        settings,
        tmp_path / "sim",
        subscribers=500,
        days=2,
        start=date(2026, 11, 1),
        seed=3,
        fmt="csv.gz",
    )
    names = {p.name: p for p in summary.files if p.parent.name != "truth"}
    for kind, name in LISTS:
        result = run_import(settings, kind, names[f"{name}.csv.gz"], engine=engine, today=TODAY)
        assert result.counts["added"] == summary.rows[name], kind
    dumps = sorted(n for n in names if n.startswith(("alpha_", "beta_")))
    assert len(dumps) == 4
    rows, refused = 0, []
    for name in dumps:
        operator = name.split("_")[0]
        try:
            result = run_import(
                settings,
                "operator",
                names[name],
                operator_id=operator,
                engine=engine,
                today=TODAY,
            )
        except InputError as exc:
            # The simulator injects leading-zero loss into some days: the check must see it.
            assert "check leading_zero_loss failed" in str(exc)
            refused.append(name)
            result = run_import(
                settings,
                "operator",
                names[name],
                operator_id=operator,
                engine=engine,
                today=TODAY,
                disable=["leading_zero_loss"],
            )
        checks = {c["name"]: c for c in result.checks}
        assert checks["leading_zero_loss"]["not_run"] is None, "the TAC catalog was imported"
        rows += result.rows_read
    assert rows == summary.rows["operator_dump"]
    assert bool(refused) == bool(summary.truth.get("leading_zero_loss")), refused
    con = lake.open_duckdb(settings.data_dir)
    operators = con.execute("SELECT DISTINCT operator FROM observations ORDER BY 1").fetchall()
    assert operators == [("alpha",), ("beta",)]
    assert con.execute("SELECT count(*) FROM observations").fetchone()[0] > 0
