"""Check events: every real-time check carrying a SIM identity is an observation for the lake.

Events are buffered and written in batches as Parquet under
`<lake>/check_events/date=YYYY-MM-DD/<uuid>.parquet` (written to a temporary name, then
`os.replace`, so readers never see half a file). Columns: `time` (timestamp[ms, UTC]),
`source` (operator or Diameter peer), `interface` (n5g / s13), `imei_key` (int64, null for
MAC/EUI PEIs), `pei` (as received), `imsi`, `msisdn` (strings, null when absent), `status`.

Duplicate signal (ITU-T Q.5052 time conflicts): the same IMEI checked with two different IMSIs
on two different networks within `window` seconds. Signals go to
`<lake>/check_duplicates/date=YYYY-MM-DD/<uuid>.parquet` with both IMSIs, networks and times.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import pyarrow as pa
import pyarrow.parquet as pq

EVENT_SCHEMA = pa.schema(
    [
        ("time", pa.timestamp("ms", tz="UTC")),
        ("source", pa.string()),
        ("interface", pa.string()),
        ("imei_key", pa.int64()),
        ("pei", pa.string()),
        ("imsi", pa.string()),
        ("msisdn", pa.string()),
        ("status", pa.string()),
    ]
)
DUPLICATE_SCHEMA = pa.schema(
    [
        ("time", pa.timestamp("ms", tz="UTC")),
        ("imei_key", pa.int64()),
        ("imsi", pa.string()),
        ("network", pa.string()),
        ("other_time", pa.timestamp("ms", tz="UTC")),
        ("other_imsi", pa.string()),
        ("other_network", pa.string()),
    ]
)


class Duplicate(NamedTuple):
    """One duplicate signal: this check and the earlier one on another network."""

    time: float
    imei_key: int
    imsi: str
    network: str
    other_time: float
    other_imsi: str
    other_network: str


def network_of(source: str | None, imsi: str | None) -> str:
    """The network a check came from: the asking operator/peer, else the IMSI's MCC+MNC."""
    if source:
        return source
    return imsi[:5] if imsi else ""


def _write_atomic(table: pa.Table, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    name = uuid.uuid4().hex
    tmp = directory / f".{name}.parquet.tmp"
    pq.write_table(table, tmp)
    final = directory / f"{name}.parquet"
    os.replace(tmp, final)
    return final


class CheckEventLog:
    """Buffers check events, detects duplicates, writes batches atomically; thread-safe."""

    def __init__(
        self, lake_dir: Path | None, *, batch_size: int = 10_000, window: float = 300.0
    ) -> None:
        self.lake_dir = Path(lake_dir) if lake_dir else None
        self.batch_size = batch_size
        self.window = window
        self._rows: list[tuple] = []
        self._dups: list[Duplicate] = []
        self._recent: dict[int, list[tuple[float, str, str]]] = {}
        self._lock = threading.Lock()
        self.duplicates_total = 0

    def record(
        self,
        *,
        when: float,
        source: str | None,
        interface: str,
        imei_key: int | None,
        pei: str,
        imsi: str | None,
        msisdn: str | None,
        status: str,
    ) -> Duplicate | None:
        """Buffer one check (ignored without IMSI or MSISDN); return a duplicate signal if any."""
        if not imsi and not msisdn:
            return None
        dup = None
        with self._lock:
            self._rows.append((when, source, interface, imei_key, pei, imsi, msisdn, status))
            if imei_key is not None and imsi:
                net = network_of(source, imsi)
                seen = self._recent.setdefault(imei_key, [])
                seen[:] = [s for s in seen if when - s[0] <= self.window]
                for t, other_imsi, other_net in seen:
                    if other_imsi != imsi and other_net != net:
                        dup = Duplicate(when, imei_key, imsi, net, t, other_imsi, other_net)
                        self._dups.append(dup)
                        self.duplicates_total += 1
                        break
                if not any(s[1] == imsi and s[2] == net for s in seen):
                    seen.append((when, imsi, net))
                else:
                    seen[:] = [
                        (when, i, n) if (i, n) == (imsi, net) else (t, i, n) for t, i, n in seen
                    ]
        return dup

    @property
    def pending(self) -> int:
        """Events buffered and not yet written."""
        return len(self._rows)

    def due(self) -> bool:
        """Whether a full batch is waiting."""
        return len(self._rows) >= self.batch_size

    def flush(self, now: float | None = None) -> list[Path]:
        """Write buffered events and signals (one file per day per dataset); the files written."""
        with self._lock:
            rows, self._rows = self._rows, []
            dups, self._dups = self._dups, []
            now = time.time() if now is None else now
            for key in [k for k, v in self._recent.items() if now - v[-1][0] > self.window]:
                del self._recent[key]
        if self.lake_dir is None:
            return []
        written = []
        for dataset, schema, items in (
            ("check_events", EVENT_SCHEMA, rows),
            ("check_duplicates", DUPLICATE_SCHEMA, dups),
        ):
            by_day: dict[str, list[tuple]] = {}
            for item in items:
                day = datetime.fromtimestamp(item[0], UTC).strftime("%Y-%m-%d")
                by_day.setdefault(day, []).append(item)
            for day, day_rows in sorted(by_day.items()):
                columns = list(zip(*day_rows, strict=True))
                arrays = [
                    pa.array([int(t * 1000) for t in columns[0]], pa.int64()).cast(
                        schema.field(0).type
                    )
                ]
                for i, fld in enumerate(schema, start=0):
                    if i == 0:
                        continue
                    values = columns[i]
                    if fld.type == pa.timestamp("ms", tz="UTC"):
                        values = [int(v * 1000) for v in values]
                        arrays.append(pa.array(values, pa.int64()).cast(fld.type))
                    else:
                        arrays.append(pa.array(values, fld.type))
                table = pa.Table.from_arrays(arrays, schema=schema)
                written.append(_write_atomic(table, self.lake_dir / dataset / f"date={day}"))
        return written


__all__ = ["DUPLICATE_SCHEMA", "EVENT_SCHEMA", "CheckEventLog", "Duplicate", "network_of"]
