"""Charts are SVG with a title, a description and their data, and no script."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from openceir.reports import charts

SVG = "{http://www.w3.org/2000/svg}"


def test_bar_chart_is_accessible_svg_without_script() -> None:
    chart = charts.bar(
        "models", "Top models", "The models with the most IMEIs.", [("A1", 30), ("B2", 12.5)]
    )
    root = ET.fromstring(chart.svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "models-title models-desc"
    assert root.find(f"{SVG}title").text == "Top models"
    assert root.find(f"{SVG}desc").text == "The models with the most IMEIs."
    assert "<script" not in chart.svg and "<!--" not in chart.svg
    assert chart.rows == [["A1", "30"], ["B2", "12.50"]]
    assert chart.headers == ["", "IMEIs"]


def test_line_chart_table_has_one_row_per_x_and_a_column_per_series() -> None:
    chart = charts.lines(
        "seen", "Seen", "Per month.", ["2026-10", "2026-11"], {"IMEIs": [5, 7], "SIMs": [6, 9]}
    )
    assert chart.headers == ["run", "IMEIs", "SIMs"]
    assert chart.rows == [["2026-10", "5", "6"], ["2026-11", "7", "9"]]
    assert len(re.findall(r"<desc id=", chart.svg)) == 1


def test_titles_are_escaped_and_non_svg_is_refused() -> None:
    chart = charts.bar("x", "A <b> & C", "d", [("k", 1)])
    assert '<title id="x-title">A &lt;b&gt; &amp; C</title>' in chart.svg
    with pytest.raises(ValueError, match="not an SVG document"):
        charts.accessible_svg("<html></html>", "x", "t", "d")


def test_data_uri_decodes_to_the_svg() -> None:
    import base64

    chart = charts.bar("m", "T", "D", [("a", 1)])
    prefix = "data:image/svg+xml;base64,"
    assert chart.data_uri().startswith(prefix)
    assert base64.b64decode(chart.data_uri()[len(prefix) :]).decode() == chart.svg
