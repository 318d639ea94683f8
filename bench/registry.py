"""Registry benchmark: bulk Know Your Mobile in-process and a 1M-IMEI registration batch.

Run: .venv/bin/python bench/registry.py [--imeis 1000000] [--registered 2000000]

Baselines (the floor, same run): for bulk KYM, `imei_keys` alone over the same array (parsing
the IMEIs and nothing else); for the registration batch, a bare pyarrow read of the same CSV.
Every figure is printed with its ratio to its floor, and the peak RSS growth of each step.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow.csv as pacsv

from openceir.identifiers.bulk import imei_keys
from openceir.registry import approvals, kym
from openceir.registry import requests as rq
from openceir.settings import Settings
from openceir.store.migrate import upgrade
from openceir.store.registers import TacCatalog
from openceir.store.session import connect, session_scope

TAC = 35209900
DAY = date(2026, 12, 1)


def imeis(start: int, n: int) -> np.ndarray:
    """n valid 15-digit IMEIs of TAC 35209900 from serial `start`, vectorised."""
    bodies = np.arange(TAC * 1_000_000 + start, TAC * 1_000_000 + start + n, dtype=np.int64)
    digits = (bodies[:, None] // 10 ** np.arange(13, -1, -1)) % 10
    double = digits[:, 1::2] * 2
    total = digits[:, ::2].sum(1) + (double // 10 + double % 10).sum(1)
    check = (10 - total % 10) % 10
    return np.char.add(bodies.astype(str), check.astype(str))


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, fn, floor: float | None = None):
    before = rss_mb()
    t = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t
    ratio = f", {dt / floor:.1f}x floor" if floor else ""
    print(f"{label}: {dt:.3f} s{ratio}, peak RSS +{rss_mb() - before:.0f} MB")
    return dt, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--imeis", type=int, default=1_000_000)
    ap.add_argument("--registered", type=int, default=2_000_000)
    args = ap.parse_args()
    n = args.imeis
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data")
        engine = connect(settings.sqlalchemy_url)
        upgrade(engine)
        with session_scope(engine) as session:
            session.add(
                TacCatalog(tac=str(TAC), manufacturer="Acme", model="A1", rats=[], start_date=DAY)
            )
            approvals.record_approval(
                session, str(TAC), body="CA", certificate="TA-1", approved_on=DAY, actor="bench"
            )
        # registration batches through every check into the store (SQLite), run first so
        # the peak RSS growth is the batch's own; a quarter-size batch first shows flatness
        base_rss = rss_mb()
        for size in (n // 4, n):
            path = Path(tmp) / f"batch-{size}.csv"
            with path.open("w") as fh:
                fh.write("imei\n")
                for start in range(0, size, 100_000):
                    fh.write("\n".join(imeis(start, min(100_000, size - start)).tolist()) + "\n")
            floor, _ = timed(
                f"floor: pyarrow read of the {size:,}-IMEI CSV",
                lambda path=path: pacsv.read_csv(path),
            )
            with session_scope(engine) as session:
                rid = rq.create_request(
                    session,
                    role="importer",
                    applicant="Bench",
                    make="Acme",
                    model="A1",
                    actor="bench",
                ).id
            dt, result = timed(
                f"registration batch of {size:,} IMEIs (read, all checks, insert)",
                lambda path=path, rid=rid: rq.upload_imeis(
                    engine, settings, rid, path, actor="bench"
                ),
                floor,
            )
            print(
                f"  {result.imeis:,} IMEIs: {size / dt / 1e3:.0f}k IMEIs/s; "
                f"peak RSS {rss_mb() - base_rss:.0f} MB above the start"
            )

        # bulk KYM in-process, against a registration list of --registered IMEIs
        values = imeis(0, n)
        index = kym.KymIndex(
            today=DAY,
            tacs={TAC: ("Acme", "A1")},
            approved=frozenset({TAC}),
            registered=np.arange(TAC * 10**6, TAC * 10**6 + args.registered, 2, dtype=np.int64),
            exempt=np.empty(0, np.int64),
            stolen=np.arange(TAC * 10**6, TAC * 10**6 + n, 97),
            duplicated=np.arange(TAC * 10**6, TAC * 10**6 + n, 89),
            blocked_keys=np.arange(TAC * 10**6, TAC * 10**6 + n, 13),
            block_days=np.full(len(range(0, n, 13)), DAY.toordinal()),
            why={},
        )
        floor, _ = timed(f"floor: imei_keys over {n:,} IMEIs", lambda: imei_keys(values))
        for _ in range(2):  # the second run is warm
            dt, got = timed(f"bulk KYM over {n:,} IMEIs", lambda: index.bulk(values), floor)
        assert got["valid"].all()
        print(f"  bulk KYM: {n / dt / 1e6:.2f}M IMEIs/s")


if __name__ == "__main__":
    main()
