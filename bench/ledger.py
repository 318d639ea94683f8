"""Ledger benchmark: appends/s, inclusion proof time and whole-log verification, by hand.

Run: .venv/bin/python bench/ledger.py [--entries 1000000] [--signed 20000] [--batch 10000]

Baseline (the floor, same run): raw hashlib.sha256 over the same leaves, i.e. the leaf
hashes alone with no tree, files or signatures. Every figure is printed with its ratio to it.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import tempfile
import time
from pathlib import Path

from stdnum import luhn

from openceir.ledger import verify
from openceir.ledger.entries import sign_event
from openceir.ledger.events import ImeiLedger, verify_ledger
from openceir.ledger.log import Log
from openceir.ledger.participants import add_participant
from openceir.tlog import note


def imei(n: int) -> str:
    body = f"35{n:012d}"
    return body + luhn.calc_check_digit(body)


def event(n: int) -> dict[str, object]:
    return {"type": "reported_stolen", "imeis": [imei(n)], "case": f"PS-2026-{n:07d}",
            "time": "2026-11-28T12:00:00Z"}  # fmt: skip


def raw_entry(n: int) -> bytes:
    """An entry the size of a signed event (~230 bytes), without the signing cost."""
    return (f'{{"case":"PS-2026-{n:07d}","imeis":["{imei(n)}"],"participant":"police.bench",'
            f'"time":"2026-11-28T12:00:00Z","type":"reported_stolen","v":1}}\n\n'
            f"— police.bench {'A' * 92}\n").encode()  # fmt: skip


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--signed", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=10_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ledger-bench-"))
    try:
        run(work, args.entries, args.signed, args.batch)
    finally:
        shutil.rmtree(work)


def run(work: Path, n: int, n_signed: int, batch: int) -> None:
    entries = [raw_entry(i) for i in range(n)]
    t = time.perf_counter()
    sha = hashlib.sha256
    for e in entries:
        sha(b"\x00" + e).digest()
    base = rate(n, time.perf_counter() - t)
    print(f"baseline  sha256 leaf hashes          {base:12,.0f} /s  (1.00x)")

    log = Log.create(work / "raw", "bench.example/log")
    t = time.perf_counter()
    for i in range(0, n, batch):
        log.append(entries[i : i + batch])
    r = rate(n, time.perf_counter() - t)
    print(f"Log.append {n:,} entries, batch {batch:,} {r:12,.0f} /s  ({r / base:.2f}x)")

    rng = random.Random(1)
    picks = [rng.randrange(n) for _ in range(20_000)]
    t = time.perf_counter()
    for i in picks:
        log.inclusion_proof(i)
    us = (time.perf_counter() - t) / len(picks) * 1e6
    t = time.perf_counter()
    for i in picks[:2000]:
        log.consistency_proof(i + 1)
    cus = (time.perf_counter() - t) / 2000 * 1e6
    print(f"inclusion proof at size {n:,}       {us:12.1f} µs   consistency {cus:.1f} µs")

    t = time.perf_counter()
    Log.open(work / "raw")
    print(f"Log.open (reload {n:,} from tiles)    {time.perf_counter() - t:12.2f} s")
    t = time.perf_counter()
    verify.verify_log(work / "raw")
    s = time.perf_counter() - t
    print(f"verify_log {n:,} entries (tree only) {s:12.2f} s   {rate(n, s):,.0f} entries/s "
          f"({rate(n, s) / base:.2f}x)")  # fmt: skip

    police = note.generate_key("police.bench")
    path = work / "signed"
    Log.create(path, "bench.example/signed")
    add_participant(path, police.verifier.vkey, ["police"])
    ledger = ImeiLedger.open(path)
    t = time.perf_counter()
    signed = [sign_event(event(i), police) for i in range(n_signed)]
    sign_s = time.perf_counter() - t
    t = time.perf_counter()
    for i in range(0, n_signed, batch):
        ledger.append(signed[i : i + batch])
    append_s = time.perf_counter() - t
    r_ex = rate(n_signed, append_s)
    r_in = rate(n_signed, append_s + sign_s)
    print(f"sign_event                          {rate(n_signed, sign_s):12,.0f} /s")
    print(f"ImeiLedger.append checked, signing excluded {r_ex:10,.0f} /s  ({r_ex / base:.3f}x)")
    print(f"ImeiLedger.append checked, signing included {r_in:10,.0f} /s  ({r_in / base:.3f}x)")
    t = time.perf_counter()
    verify_ledger(path)
    s = time.perf_counter() - t
    print(f"verify_ledger {n_signed:,} signed events     {s:12.2f} s   {rate(n_signed, s):,.0f} /s")


if __name__ == "__main__":
    main()
