"""One day of network traffic: which streams are seen, on which RATs, cells and times.

Turns a chunk's streams into per-operator Arrow tables with the operator's columns
(architecture §5 operator dump). Leading-zero loss, the spreadsheet export fault, is applied here
to the one operator-day it hits.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from openceir.simulate.geography import CELLS_PER_REGION
from openceir.simulate.streams import Streams
from openceir.simulate.world import World

_SECONDS = pa.array([f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86_400)])
EXTRA_RAT_SHARE = 0.2  # days on which a device also shows its second-best RAT
ROAMING_SHARE = 0.3  # days on which a device is seen away from its home cell, in its region


def leading_zero_day(world: World) -> tuple[int, int] | None:
    """The (operator, day) whose file loses IMEIs' leading zeros, if the fault is on."""
    if not world.rates.leading_zero_loss:
        return None
    return (1 % len(world.operators), world.days // 2)


def day_lines(
    world: World, streams: Streams, chunk: int, day: int
) -> tuple[list[pa.Array | None], list[tuple[str, str, str]]]:
    """Per operator, the chunk's CSV lines for `day` (None when empty), and leading-zero losses.

    Each line is one text value ending in a newline, in the operator's column order, so a
    file's body is the array's data buffer as is. Losses are (imei before, imei written,
    imsi) for the one faulty operator-day.
    """
    rng = world.day_rng(chunk, day)
    n = len(streams)
    seen = (streams.start <= day) & (day < streams.end) & (rng.random(n) < streams.p)
    extra = rng.random(n) < EXTRA_RAT_SHARE
    roam = rng.random(n) < ROAMING_SHARE
    cell = np.where(roam, rng.integers(0, CELLS_PER_REGION, n), streams.home_cell)
    # Activity peaks in the day: a triangular distribution of seconds centred on 14:00.
    second = rng.triangular(0, 50_400, 86_399, n).astype(np.int64)
    date = pa.scalar(world.dates[day])
    fault = leading_zero_day(world)
    losses: list[tuple[str, str, str]] = []
    out: list[pa.Array | None] = []
    for k, profile in enumerate(world.operators):
        lo, hi = streams.op_bounds[k], streams.op_bounds[k + 1]
        idx = np.flatnonzero(seen[lo:hi]) + lo
        if idx.size == 0:
            out.append(None)
            continue
        take = pa.array(idx)
        if fault == (k, day):
            imei = streams.imei.take(take)
            imsi = streams.imsi.take(take)
            hit = pc.and_(pc.equal(pc.utf8_length(imei), 15), pc.starts_with(imei, "0"))
            cut = pc.utf8_slice_codeunits(imei, 1)
            losses.extend(
                zip(
                    imei.filter(hit).to_pylist(),
                    cut.filter(hit).to_pylist(),
                    imsi.filter(hit).to_pylist(),
                    strict=True,
                )
            )
            ids = pc.binary_join_element_wise(
                pc.if_else(hit, cut, imei), imsi, streams.msisdn.take(take), ","
            )
        else:
            ids = streams.ids.take(take)
        masks = streams.rats[idx] | np.where(extra[idx], streams.extra[idx], 0)
        parts = [date, ids, world.rat_text[k].take(pa.array(masks))]
        if profile.imeisv_column:
            parts.append(streams.imeisv.take(take))
        if profile.cells:
            cells = world.cells[k]
            assert cells is not None
            where = pa.array(streams.region[idx] * CELLS_PER_REGION + cell[idx])
            parts += [cells.cell.take(where), cells.lat.take(where), cells.lon.take(where)]
            parts.append(_SECONDS.take(pa.array(second[idx])))
        parts[-1] = pc.binary_join_element_wise(parts[-1], "\n", "")
        out.append(pc.binary_join_element_wise(*parts, ","))
    return out, losses
