"""Writing a report: HTML with inline SVG charts, CSV, JSON, or PDF through WeasyPrint."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from openceir.errors import ConfigError, InputError
from openceir.reports.report import charts, csv_rows

FORMATS = ("html", "csv", "json", "pdf")
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "pdf": "application/pdf",
}


def _environment() -> Any:
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(
        loader=PackageLoader("openceir.reports", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def html(data: dict[str, Any]) -> str:
    """The report as one self-contained HTML page (charts inline, no script, no link)."""

    def value(figure: str, key: str) -> float:
        for row in data["figures"].get(figure, []):
            if row["key"] == key:
                return row["value"]
        return 0

    template = _environment().get_template("report.html")
    return template.render(data=data, charts=charts(data), value=value)


def pdf(data: dict[str, Any]) -> bytes:
    """The HTML report printed to PDF by WeasyPrint (needs the pango libraries)."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: pango missing
        raise ConfigError(
            f"PDF needs WeasyPrint and the pango libraries ({exc}); "
            "install: apt-get install libpango-1.0-0 libpangoft2-1.0-0"
        ) from None
    return weasyprint.HTML(string=html(data)).write_pdf()


def render(data: dict[str, Any], fmt: str) -> bytes:
    """The report in `fmt` (html, csv, json, pdf) as bytes ready to write or send."""
    if fmt == "html":
        return html(data).encode("utf-8")
    if fmt == "json":
        return (json.dumps(data, indent=2, sort_keys=True, default=str) + "\n").encode("utf-8")
    if fmt == "csv":
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(csv_rows(data))
        return buf.getvalue().encode("utf-8")
    if fmt == "pdf":
        return pdf(data)
    raise InputError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})", field="--format")


__all__ = ["FORMATS", "MEDIA_TYPES", "html", "pdf", "render"]
