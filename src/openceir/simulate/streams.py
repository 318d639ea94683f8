"""Streams: one (IMEI, IMSI, MSISDN) triplet on one operator over a span of days.

Ordinary life and every injected phenomenon are expressed as streams; a day's dump is the
streams active that day. A chunk's streams are sorted by operator so each operator's rows
are one contiguous slice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from openceir.simulate.geography import CELLS_PER_REGION


@dataclass(frozen=True)
class Streams:
    """A chunk's streams: text columns ready to take from, and the numbers behind activity."""

    imei: pa.Array  # as the operator reports it (IMEI, IMEISV, null, test or malformed)
    imeisv: pa.Array  # 16-digit IMEISV, or empty where the device has none
    imsi: pa.Array
    msisdn: pa.Array
    ids: pa.Array  # `imei,imsi,msisdn`, the part of a dump line fixed for the stream
    op_bounds: np.ndarray  # streams of operator k are [op_bounds[k], op_bounds[k + 1])
    region: np.ndarray
    home_cell: np.ndarray  # the cell (within the region) the stream is seen in most days
    rats: np.ndarray  # RAT mask reported every active day
    extra: np.ndarray  # RAT mask added on some days
    start: np.ndarray  # first day index
    end: np.ndarray  # day index after the last
    p: np.ndarray  # probability of being seen on a day within [start, end)

    def __len__(self) -> int:
        return len(self.p)


_FIELDS = ("imei", "svn", "imsi", "msisdn", "op", "region", "rats", "extra", "start", "end")


class StreamBuilder:
    """Collects streams in blocks of numpy arrays, then sorts and renders them once."""

    def __init__(self) -> None:
        self._blocks: list[dict[str, np.ndarray]] = []
        self._special: list[np.ndarray] = []

    def add(
        self,
        *,
        imei: np.ndarray,
        imsi: np.ndarray,
        msisdn: np.ndarray,
        op: np.ndarray,
        region: np.ndarray,
        rats: np.ndarray,
        extra: np.ndarray | int,
        start: np.ndarray | int,
        end: np.ndarray | int,
        p: np.ndarray | float = 1.0,
        svn: np.ndarray | int = -1,
        special: np.ndarray | None = None,
        sv_as_imei: np.ndarray | bool = False,
    ) -> None:
        """Add streams; scalars broadcast. `imei` holds 15-digit integers; `special` overrides."""
        n = len(imsi)
        if n == 0:
            return
        block = {
            name: np.broadcast_to(np.asarray(value, dtype=np.int64), (n,)).copy()
            for name, value in zip(
                _FIELDS, (imei, svn, imsi, msisdn, op, region, rats, extra, start, end), strict=True
            )
        }
        block["p"] = np.broadcast_to(np.asarray(p, dtype=np.float64), (n,)).copy()
        block["sv_as_imei"] = np.broadcast_to(np.asarray(sv_as_imei, dtype=bool), (n,)).copy()
        self._blocks.append(block)
        self._special.append(np.array(special if special is not None else [None] * n, dtype=object))

    def finish(self, n_operators: int) -> Streams:
        """Concatenate, sort by operator and render the text columns."""
        if not self._blocks:
            empty = np.zeros(0, dtype=np.int64)
            text = pa.array([], pa.string())
            return Streams(
                imei=text, imeisv=text, imsi=text, msisdn=text, ids=text,
                op_bounds=np.zeros(n_operators + 1, np.int64), region=empty, home_cell=empty,
                rats=empty, extra=empty, start=empty, end=empty, p=np.zeros(0),
            )  # fmt: skip
        cols = {k: np.concatenate([b[k] for b in self._blocks]) for k in self._blocks[0]}
        special = np.concatenate(self._special)
        # By operator, then in an order scrambled by IMSI, so no kind of stream clusters.
        order = np.lexsort((cols["imsi"] * 2_654_435_761 % 4_294_967_291, cols["op"]))
        cols = {k: v[order] for k, v in cols.items()}
        special = special[order]
        imei15 = pc.utf8_lpad(pc.cast(pa.array(cols["imei"]), pa.string()), 15, "0")
        has_sv = (cols["imei"] >= 0) & (cols["svn"] >= 0)
        sv_values = np.where(has_sv, cols["imei"] // 10 * 100 + cols["svn"], 0)
        imeisv = pc.utf8_lpad(pc.cast(pa.array(sv_values), pa.string()), 16, "0")
        reported = pc.if_else(pa.array(cols["sv_as_imei"] & has_sv), imeisv, imei15)
        reported = pc.if_else(pa.array(special != None), pa.array(special, pa.string()), reported)  # noqa: E711
        imsi = pc.cast(pa.array(cols["imsi"]), pa.string())
        msisdn = pc.cast(pa.array(cols["msisdn"]), pa.string())
        return Streams(
            imei=reported,
            imeisv=pc.if_else(pa.array(has_sv & (special == None)), imeisv, ""),  # noqa: E711
            imsi=imsi,
            msisdn=msisdn,
            ids=pc.binary_join_element_wise(reported, imsi, msisdn, ","),
            op_bounds=np.searchsorted(cols["op"], np.arange(n_operators + 1)),
            region=cols["region"],
            # A fixed hash of the IMSI: the same SIM lives near the same cell every day.
            home_cell=cols["imsi"] * 2_654_435_761 % 1_000_003 % CELLS_PER_REGION,
            rats=cols["rats"],
            extra=cols["extra"],
            start=cols["start"],
            end=cols["end"],
            p=cols["p"],
        )
