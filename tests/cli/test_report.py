"""`openceir classify` stores the report figures; `openceir report` writes them out."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_classify import workdir  # noqa: F401  (the fixture)
from tests.helpers import invoke as _invoke


def _classified() -> None:
    imported = _invoke("import", "operator", "alpha", "alpha_20261110_20261111.csv")
    assert imported.exit_code == 0, imported.output
    ran = _invoke("classify", "--date", "2026-12-02")
    assert ran.exit_code == 0, ran.output
    assert "Report figures of run 1:" in ran.output
    assert "for 2026-11" in ran.output


def test_report_country_and_operator_after_classify(cli, workdir: Path) -> None:  # noqa: F811
    _classified()
    out = cli("report", "country", "--month", "2026-11", "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    seen = {r["key"]: r["value"] for r in data["figures"]["seen"]}
    assert seen == {"imeis": 2, "imsis": 4, "msisdns": 4, "triplets": 4}
    assert {r["key"]: r["value"] for r in data["figures"]["condition"]} == {"dup": 1}
    written = cli(
        "report", "operator", "alpha", "--month", "2026-11", "-f", "csv", "-o", "out/a.csv"
    )
    assert written.returncode == 0, written.stderr
    text = (workdir / "out" / "a.csv").read_text()
    assert "compliance,in_grace,1," in text and "compliance,compliant,1," in text
    assert not list((workdir / "out").glob(".*tmp"))


def test_report_errors_are_one_line(cli, workdir: Path) -> None:  # noqa: F811
    none_yet = cli("report", "country", "--month", "2026-11")
    assert none_yet.returncode == 1
    assert none_yet.stderr.strip() == (
        "Error: no classification run covers 2026-11 (runs of: none); "
        "run: openceir classify --date 2026-11-30"
    )
    _classified()
    for args, message in (
        (["--month", "2026-11", "-f", "pdf"], "Error: field --out: a PDF report needs --out FILE"),
        (
            ["--month", "11/2026"],
            "Error: field --month: '11/2026' is not a month, expected YYYY-MM",
        ),
        (["--month", "2026-11", "-f", "xls"], "Error: field --format: unknown format 'xls'"),
    ):
        out = cli("report", "country", *args)
        assert out.returncode == 1, args
        assert out.stderr.strip().startswith(message), out.stderr
    wrong = cli("report", "operator", "zeta", "--month", "2026-11")
    assert wrong.stderr.strip() == ("Error: field operator: unknown operator 'zeta' (known: alpha)")
