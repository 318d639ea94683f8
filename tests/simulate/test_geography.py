"""Regions, distances and cells of the made-up country."""

from __future__ import annotations

import numpy as np

from openceir.simulate import geography


def test_distance_matches_a_known_great_circle() -> None:
    # One degree of latitude is about 111.2 km; the same point is 0 km away.
    assert abs(geography.distance_km(0.0, 36.0, 1.0, 36.0) - 111.19) < 0.1
    assert geography.distance_km(-1.29, 36.82, -1.29, 36.82) == 0.0


def test_every_region_has_far_regions_at_least_300_km_away() -> None:
    far = geography.far_regions()
    assert len(far) == len(geography.REGIONS)
    for k, others in enumerate(far):
        assert others.size > 0 and k not in others.tolist()
        _, lat, lon = geography.REGIONS[k]
        for j in others.tolist():
            _, la, lo = geography.REGIONS[j]
            assert geography.distance_km(lat, lon, la, lo) >= geography.FAR_KM


def test_cell_ids_carry_the_operator_and_region_and_sit_near_it() -> None:
    cells = geography.cell_table("63901", np.random.default_rng(1))
    n = geography.CELLS_PER_REGION
    assert len(cells.cell) == n * len(geography.REGIONS)
    first_coast = cells.cell[n].as_py()
    assert first_coast == "639010100000"
    _, lat, lon = geography.REGIONS[1]
    assert abs(cells.lat_values[n:2 * n].mean() - lat) < 0.1  # fmt: skip
    assert abs(cells.lon_values[n:2 * n].mean() - lon) < 0.1  # fmt: skip
    assert cells.lat[0].as_py() == f"{cells.lat_values[0]:.5f}"
