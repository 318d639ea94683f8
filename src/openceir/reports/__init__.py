"""Reports: per-run figures, charts, the DIRBS report set and the IMEI profile (issue 12).

`aggregates.compute` stores a classification run's figures; `figures` reads them for a
month and a scope; `drill` lists the IMEIs behind a figure; `charts` draws them as
accessible SVG; `render` writes the country and operator reports as HTML, CSV, JSON or PDF;
`imei.profile` gathers everything openceir knows of one IMEI for the staff IMEI page.
"""

from openceir.reports.aggregates import FIGURES, compute, ensure

__all__ = ["FIGURES", "compute", "ensure"]
