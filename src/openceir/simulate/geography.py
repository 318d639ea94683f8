"""The made-up country's regions and each operator's cells, with positions (WGS 84 degrees).

Regions are fixed; cells are scattered around each region's centre from a seeded generator,
so a cell id always means the same place within one simulation. Clones are placed in a
region far from the genuine device's, which is what impossible-travel rules look for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Region centres (lat, lon): a country about 900 km across, capital first.
REGIONS: tuple[tuple[str, float, float], ...] = (
    ("Capital", -1.29, 36.82),
    ("Coast", -4.05, 39.67),
    ("Lakeside", -0.09, 34.77),
    ("Highlands", 0.52, 35.27),
    ("Rift", -0.30, 36.07),
    ("North", 3.12, 35.60),
    ("Northeast", 2.28, 40.06),
    ("East", -0.45, 39.65),
    ("Central", -0.42, 36.95),
    ("South", -2.64, 37.26),
)
CELLS_PER_REGION = 400
CELL_SPREAD_DEG = 0.25  # standard deviation of a cell's distance from its region centre
FAR_KM = 300.0  # a clone is placed in a region at least this far from the genuine device


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (haversine, mean Earth radius 6371 km)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def far_regions() -> list[np.ndarray]:
    """For each region, the regions whose centres are at least FAR_KM away."""
    out = []
    for _, lat, lon in REGIONS:
        far = [
            j for j, (_, la, lo) in enumerate(REGIONS) if distance_km(lat, lon, la, lo) >= FAR_KM
        ]
        out.append(np.array(far, dtype=np.int64))
    return out


@dataclass(frozen=True)
class CellTable:
    """One operator's cells as text columns, indexed region * CELLS_PER_REGION + n."""

    cell: pa.Array
    lat: pa.Array
    lon: pa.Array
    lat_values: np.ndarray
    lon_values: np.ndarray


def cell_table(mcc_mnc: str, rng: np.random.Generator) -> CellTable:
    """Cells of one operator: id `<mcc_mnc><region:02><cell:05>`, positions to 5 decimals."""
    centres = np.array([(lat, lon) for _, lat, lon in REGIONS])
    region = np.repeat(np.arange(len(REGIONS)), CELLS_PER_REGION)
    number = np.tile(np.arange(CELLS_PER_REGION), len(REGIONS))
    offsets = rng.normal(0.0, CELL_SPREAD_DEG, size=(region.size, 2))
    lat = np.round(centres[region, 0] + offsets[:, 0], 5)
    lon = np.round(centres[region, 1] + offsets[:, 1], 5)
    ids = int(mcc_mnc) * 10**7 + region * 10**5 + number
    return CellTable(
        cell=pc.cast(pa.array(ids), pa.string()),
        lat=pa.array([f"{v:.5f}" for v in lat.tolist()]),
        lon=pa.array([f"{v:.5f}" for v in lon.tolist()]),
        lat_values=lat,
        lon_values=lon,
    )
