"""Importers over one shared pipeline: operator dumps into the lake, registers into the store.

`run_import(settings, kind, path, ...)` reads a `.csv`, `.csv.gz` or `.zip`, validates every
row, runs the data-quality checks (architecture §5), stages, commits atomically and records the
import job; `SOURCES` lists the kinds (operator, tac, stolen, registration, pairing, exempt,
barred, barred-tac, monitoring). `import_many` imports many files, one job each, and
`plan_directory` orders what `openceir simulate` (or a DIRBS drop) wrote.
"""

from openceir.ingest.batch import Outcome, Planned, import_many, plan_directory, plan_files
from openceir.ingest.checks import SPECS, CheckResult
from openceir.ingest.pipeline import (
    KIND_ALIASES,
    SOURCES,
    Hooks,
    ImportResult,
    ensure_schema,
    reconcile,
    run_import,
    source_for,
)
from openceir.ingest.tac_catalog import rats_from_bands

__all__ = [
    "KIND_ALIASES",
    "SOURCES",
    "SPECS",
    "CheckResult",
    "Hooks",
    "ImportResult",
    "Outcome",
    "Planned",
    "ensure_schema",
    "import_many",
    "plan_directory",
    "plan_files",
    "rats_from_bands",
    "reconcile",
    "run_import",
    "source_for",
]
