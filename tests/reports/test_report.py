"""The country and operator reports in every format, and an operator sees only its own."""

from __future__ import annotations

import csv
import io
import json

import pytest

from openceir.errors import InputError, NotFound
from openceir.reports import figures, render, report


def test_country_report_has_the_dirbs_sections(world) -> None:
    data = report.build(world.settings, world.engine, "country", "2026-10")
    assert data["run_id"] == world.run_id and data["has_data"]
    for name in (
        "seen",
        "compliance",
        "condition",
        "top_models",
        "imsis_per_imei",
        "imeis_per_imsi",
        "violations",
        "imports",
        "daily_imeis",
    ):
        assert data["figures"].get(name), name
    assert [o["id"] for o in data["operators"]] == ["alpha", "beta"]
    assert data["report_to_block"]["devices"] > 0
    assert {c["label"] for c in data["conditions"]} >= {"stolen", "duplicate"}
    days = [r["key"] for r in data["figures"]["daily_imeis"]]
    assert min(days) == "2026-10-16" and max(days) == "2026-10-31"


def test_operator_report_holds_only_that_operator(world) -> None:
    data = report.build(world.settings, world.engine, "operator", "2026-10", "alpha")
    alpha = figures.load(world.engine, world.run_id, "2026-10", "alpha")
    country = figures.load(world.engine, world.run_id, "2026-10")
    assert data["figures"] == alpha.as_dict()
    assert data["figures"]["seen"] != country.as_dict()["seen"]
    assert "operators" not in data and "report_to_block" not in data
    text = render.render(data, "html").decode()
    assert "Beta Telecom" not in text and "Alpha Mobile" in text


def test_formats_round_trip(world) -> None:
    data = report.build(world.settings, world.engine, "country", "2026-10")
    loaded = json.loads(render.render(data, "json"))
    assert loaded["figures"]["seen"] == data["figures"]["seen"]
    rows = list(csv.reader(io.StringIO(render.render(data, "csv").decode())))
    assert rows[0] == ["section", "key", "value", "detail"]
    imeis = next(r for r in rows if r[:2] == ["seen", "imeis"])
    assert float(imeis[2]) == figures.load(world.engine, world.run_id, "2026-10").value(
        "seen", "imeis"
    )
    page = render.render(data, "html").decode()
    assert page.startswith("<!doctype html>")
    assert "<script" not in page and 'role="img"' in page
    assert page.count("<figcaption") == len(report.charts(data)) >= 6
    assert "Compliance breakdown: the numbers as a table" in page


def test_pdf_is_a_pdf(world) -> None:
    pytest.importorskip("weasyprint")
    data = report.build(world.settings, world.engine, "operator", "2026-10", "beta")
    body = render.render(data, "pdf")
    assert body.startswith(b"%PDF-") and len(body) > 10_000


def test_bad_report_requests_say_what_is_wrong(world) -> None:
    with pytest.raises(InputError, match="field operator: unknown operator 'zeta'"):
        report.build(world.settings, world.engine, "operator", "2026-10", "zeta")
    with pytest.raises(InputError, match="needs the operator id"):
        report.build(world.settings, world.engine, "operator", "2026-10")
    with pytest.raises(InputError, match="unknown report 'region'"):
        report.build(world.settings, world.engine, "region", "2026-10")
    with pytest.raises(NotFound, match="no classification run covers 2026-03"):
        report.build(world.settings, world.engine, "country", "2026-03")
    with pytest.raises(InputError, match="field --format: unknown format 'xls'"):
        render.render({}, "xls")
