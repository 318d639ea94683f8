"""The lake: operator network data as Parquet, per-month triplet aggregates, with a manifest.

Layout under `<data>/lake/`: `manifest.json` (the current files), `observations/operator=<id>/
month=<YYYY-MM>/<uuid>.parquet` and `sightings/...` alike. Readers go through the manifest
(`observations`, `sightings`, `open_duckdb`); writers write new files and switch it.
"""

from openceir.lake.manifest import lake_dir
from openceir.lake.parquet import OBSERVATION_COLUMNS, SIGHTING_COLUMNS
from openceir.lake.rat import RAT_BITS, rat_mask, rat_mask_sql, rat_names
from openceir.lake.reader import ibis_backend, observations, open_duckdb, sightings, status
from openceir.lake.retention import cutoff_month, prune

__all__ = [
    "OBSERVATION_COLUMNS",
    "RAT_BITS",
    "SIGHTING_COLUMNS",
    "cutoff_month",
    "ibis_backend",
    "lake_dir",
    "observations",
    "open_duckdb",
    "prune",
    "rat_mask",
    "rat_mask_sql",
    "rat_names",
    "sightings",
    "status",
]
