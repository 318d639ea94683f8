"""Charts as SVG drawn on the server by pygal, each with a title, a description and its data.

A `Chart` is what a page or a report needs to be accessible: `svg` (with `<title>` and
`<desc>` and `role="img"`, no script), `title` and `description` for the caption and the
`alt` text, and `table` (headers and rows) for the data-table alternative. pygal's inline
script (tooltips) is removed: charts need no JavaScript and pages allow none.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)

PALETTE = ("#1f5f99", "#b3541e", "#2f7d32", "#7b3f99", "#8a6d00", "#a61e4d", "#00707a")
"""Colours with at least 4.5:1 contrast on white, told apart by people with colour blindness."""


@dataclass
class Chart:
    """One chart: SVG text, what it shows in words, and the same numbers as a table."""

    name: str
    title: str
    description: str
    svg: str
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)

    def data_uri(self) -> str:
        """The SVG as a `data:` URI for an `<img>`: its own styles stay inside the image,
        so a page whose Content-Security-Policy forbids inline styles still shows it."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


def _style():  # pygal imports lxml-free etree and its styles: load on first chart only
    import pygal.style

    return pygal.style.Style(
        background="white",
        plot_background="white",
        foreground="#222222",
        foreground_strong="#111111",
        foreground_subtle="#555555",
        colors=PALETTE,
        font_family="DejaVu Sans, Arial, sans-serif",
        title_font_size=16,
        label_font_size=12,
        major_label_font_size=12,
        legend_font_size=12,
        value_font_size=11,
    )


def _config(title: str, **extra: object) -> dict[str, object]:
    return {
        "title": title,
        "style": _style(),
        "js": [],
        "disable_xml_declaration": True,
        "explicit_size": False,
        "width": 720,
        "height": 360,
        "print_values": False,
        "show_legend": True,
        "legend_at_bottom": True,
        "truncate_label": 40,
        **extra,
    }


def accessible_svg(svg: str, name: str, title: str, description: str) -> str:
    """pygal's SVG without script or comments, with `role="img"`, `<title>` and `<desc>`."""
    svg = _COMMENT.sub("", _SCRIPT.sub("", svg))
    open_tag = _SVG_OPEN.search(svg)
    if open_tag is None:
        raise ValueError("not an SVG document")
    tag = open_tag.group(0)
    ids = f"{name}-title {name}-desc"
    new_tag = tag[:-1] + f' role="img" aria-labelledby="{ids}">'
    head = (
        f'<title id="{name}-title">{html.escape(title)}</title>'
        f'<desc id="{name}-desc">{html.escape(description)}</desc>'
    )
    return svg[: open_tag.start()] + new_tag + head + svg[open_tag.end() :]


def _fmt(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}"


def bar(
    name: str,
    title: str,
    description: str,
    rows: Sequence[tuple[str, float]],
    *,
    value_header: str = "IMEIs",
    label_header: str = "",
    horizontal: bool = True,
) -> Chart:
    """A bar chart of (label, value), largest first as given; one series."""
    import pygal

    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    height = max(200, 60 + 28 * len(rows)) if horizontal else 360
    chart = kind(**_config(title, height=height, show_legend=False))
    labels = [label for label, _ in rows]
    if horizontal:  # pygal draws the first label at the bottom: keep the largest on top
        chart.x_labels = list(reversed(labels))
        chart.add(value_header, [v for _, v in reversed(rows)])
    else:
        chart.x_labels = labels
        chart.add(value_header, [v for _, v in rows])
    svg = chart.render(is_unicode=True)
    return Chart(
        name=name,
        title=title,
        description=description,
        svg=accessible_svg(svg, name, title, description),
        headers=[label_header or "", value_header],
        rows=[[label, _fmt(v)] for label, v in rows],
    )


def lines(
    name: str,
    title: str,
    description: str,
    x_labels: Sequence[str],
    series: dict[str, Sequence[float]],
    *,
    x_header: str = "run",
) -> Chart:
    """A line chart of several series over the same x labels (runs, months or days)."""
    import pygal

    chart = pygal.Line(
        **_config(title, x_label_rotation=30, show_dots=True, dots_size=3, include_x_axis=True)
    )
    chart.x_labels = list(x_labels)
    for label, values in series.items():
        chart.add(label, list(values))
    svg = chart.render(is_unicode=True)
    names = list(series)
    return Chart(
        name=name,
        title=title,
        description=description,
        svg=accessible_svg(svg, name, title, description),
        headers=[x_header, *names],
        rows=[[x, *(_fmt(series[n][i]) for n in names)] for i, x in enumerate(x_labels)],
    )


__all__ = ["PALETTE", "Chart", "accessible_svg", "bar", "lines"]
