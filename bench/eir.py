"""Benchmark: the EIR in-process, over HTTP (N5g-eir) and over Diameter S13, each with a floor.

Run by hand (never as a test); needs wrk and h2load for the HTTP part
(Debian: `apt-get install -y wrk nghttp2-client`; without them that part is skipped):

    .venv/bin/python bench/eir.py                 # 5M blocked IMEIs, 2 workers
    .venv/bin/python bench/eir.py --keys 1000000 --seconds 5 --only http

1. In-process, best of `--repeat` passes: single lookups (`Snapshot.classify` on an int key,
   `Snapshot.lookup` returning the Decision, and from text: a bare 15-digit IMEI read as S13
   reads its IMEI AVP or through the general `eir.pei.imei_key`, an `imei-` PEI through
   `n5g.pei_key`) and batched (`lookup_many`, 100k per
   call) on a snapshot of N blocked IMEIs, half the probes listed; floor: a bare numpy
   `searchsorted` of the same keys.
2. HTTP, per ASGI server installed (Hypercorn, Granian): `openceir eir serve`'s app vs a bare
   "hello" ASGI app under the same server, port and worker count: max rate with wrk (HTTP/1.1)
   and h2load (h2c), then a fixed-rate load at 50% of the app's max rate of each protocol
   (h2load `--rps` per connection, connections started staggered over 100 ms so their timers
   do not fire together, one request in flight each), latency percentiles from h2load's
   per-request log; the floor gets the same absolute rate.
3. S13: `openceir eir s13` vs python-diameter's own node answering MICRs, both driven by the
   same pipelining client (4 connections, 64 requests in flight each).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

from openceir.eir.snapshot import Snapshot, build_snapshot

PATH = "/n5g-eir-eic/v1/equipment-status"
CONNECTIONS = 4


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            errors = getattr(proc, "errors_file", None)
            if errors is not None:
                errors.seek(0)
            text = errors.read() if errors else proc.stderr.read() if proc.stderr else ""
            raise SystemExit(f"server exited: {text}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("server did not listen")


def make_snapshot(root: Path, n: int) -> tuple[Snapshot, np.ndarray, float]:
    rng = np.random.default_rng(7)
    keys = np.unique(rng.integers(35_000_000_000_000, 36_000_000_000_000, n, dtype=np.int64))
    blocked = pa.table(
        {
            "imei_key": keys,
            "block_date": pa.array(np.full(keys.size, 18262, dtype=np.int32)).cast(pa.date32()),
            "reasons": pa.array(
                [["stolen"], ["duplicate"]] * (keys.size // 2) + [["stolen"]] * (keys.size % 2)
            ),
        }
    )
    started = time.perf_counter()
    build_snapshot(root, blocked=blocked, run_id="bench", generated_at=dt.datetime.now(dt.UTC))
    return Snapshot.open_current(root), keys, time.perf_counter() - started


def _best(run, items: int, repeat: int) -> float:
    """Items per second of the fastest of `repeat` passes (the machine is shared)."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - t)
    return items / best


def in_process(snap: Snapshot, keys: np.ndarray, repeat: int) -> None:
    from openceir.eir.n5g import pei_key
    from openceir.eir.pei import imei_key

    rng = np.random.default_rng(8)
    probe = np.where(
        rng.random(200_000) < 0.5,
        rng.choice(keys, 200_000),
        rng.integers(35_000_000_000_000, 36_000_000_000_000, 200_000),
    )
    single = [int(k) for k in probe]
    texts = [f"{k:014d}0" for k in single]
    peis = [f"imei-{t}" for t in texts]
    classify, lookup, sorted_keys = snap.classify, snap.lookup, snap.keys

    def run_classify():
        for k in single:
            classify(k)

    def run_lookup():
        for k in single:
            lookup(k)

    def run_text():  # the read of S13's IMEI AVP (s13.py): 14-16 digits, key = first 14
        for t in texts:
            if 14 <= len(t) <= 16 and t.isdigit():
                classify(int(t[:14]))

    def run_parser():
        for t in texts:
            classify(imei_key(t))

    def run_pei():
        for p in peis:
            classify(pei_key(p))

    def run_floor():
        for k in single:
            sorted_keys.searchsorted(k)

    rates = {
        name: _best(fn, len(single), repeat)
        for name, fn in (
            ("classify(int key)", run_classify),
            ("lookup(int key) -> Decision", run_lookup),
            ("classify(key of 15-digit text)", run_text),
            ("classify(pei.imei_key(text))", run_parser),
            ("classify(pei_key('imei-...'))", run_pei),
            ("floor: numpy searchsorted", run_floor),
        )
    }
    floor = rates["floor: numpy searchsorted"]
    for name, rate in rates.items():
        print(f"in-process single {name:31s}: {rate:12,.0f}/s   floor/this {floor / rate:.2f}x")
    batch = np.tile(probe, 5)  # 1M keys, 100k per call
    parts = np.split(batch, 10)
    rate_batch = _best(lambda: [snap.lookup_many(p) for p in parts], batch.size, repeat)
    floor_batch = _best(lambda: [sorted_keys.searchsorted(p) for p in parts], batch.size, repeat)
    print(
        f"in-process batched lookup_many (100k per call): {rate_batch:12,.0f}/s   floor "
        f"searchsorted {floor_batch:12,.0f}/s   floor/this {floor_batch / rate_batch:.2f}x"
    )
    print(f"(best of {repeat} passes of {len(single):,} single / {batch.size:,} batched keys)")


def serve(root: Path, server: str, app: str, port: int, workers: int) -> subprocess.Popen:
    """`app` under `server` (granian or hypercorn) as `openceir eir serve` runs it."""
    bind = f"127.0.0.1:{port}"
    if server == "granian":
        start = f"granian_server({bind!r}, {workers}, {app!r}).serve()"
    else:
        start = (
            f"from hypercorn.run import run; run(hypercorn_config({bind!r}, {workers}, {app!r}))"
        )
    code = (
        "import os; from pathlib import Path;"
        "from openceir.eir.server import granian_server, hypercorn_config, worker_environ;"
        "from openceir.settings import EirSettings, Settings;"
        f"eir = EirSettings(snapshot_dir=Path({str(root)!r}), events=False);"
        "os.environ.update(worker_environ(Settings(eir=eir)));" + start
    )
    # stderr to a file, not a pipe nobody reads: a full pipe blocks the server's logging.
    errors = tempfile.TemporaryFile("w+")  # noqa: SIM115 (lives as long as the server)
    proc = subprocess.Popen([sys.executable, "-c", code], stderr=errors, text=True)
    proc.errors_file = errors  # type: ignore[attr-defined]
    wait_port(port, proc)
    return proc


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL after 30 s."""
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(30)


def wrk(url: str, seconds: int) -> float:
    """Max HTTP/1.1 requests/s: wrk, 2 threads, 50 connections."""
    out = subprocess.run(
        ["wrk", "-t2", "-c50", f"-d{seconds}s", url], capture_output=True, text=True
    ).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def h2load_max(url: str, seconds: int) -> float:
    """Max h2c requests/s: h2load, 2 threads, 50 connections x 10 streams."""
    args = ["h2load", "-D", str(seconds), "-c", "50", "-m", "10", "-t", "2", url]
    out = subprocess.run(args, capture_output=True, text=True).stdout
    done = re.search(r"finished in [\d.]+m?s, ([\d.]+) req/s", out)
    if not done:
        raise SystemExit(f"h2load failed:\n{out}")
    return float(done.group(1))


def fixed_rate(url: str, rate: float, seconds: int, h1: bool) -> dict[str, float]:
    """Latency percentiles (ms) of `rate` requests/s for `seconds`, open connections paced.

    h2load: `--rps` per connection, one request in flight each, connections started 10 per
    10 ms so that their timers are spread instead of firing together.
    """
    conns = 20 if rate < 4000 else 40
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "requests.log"
        args = ["h2load", "-t", "1", "-m", "1", "-c", str(conns), f"--rps={rate / conns:.3f}"]
        args += ["-n", str(int(rate * seconds)), "-r", "10", "--rate-period", "10ms"]
        args += ["--log-file", str(log), *(["--h1"] if h1 else []), url]
        out = subprocess.run(args, capture_output=True, text=True).stdout
        rows = np.loadtxt(log, ndmin=2) if log.exists() and log.stat().st_size else None
    if rows is None:
        raise SystemExit(f"h2load failed:\n{out}")
    # Status 0: h2load did not parse the status line of Hypercorn's HTTP/1.1 answers (h11 sends
    # no reason phrase) although the answer arrived whole; -1 is a failed request.
    ok = rows[(rows[:, 1] == 200) | (rows[:, 1] == 0)]
    starts = ok[:, 0] / 1e6
    millis = ok[:, 2] / 1000
    return {
        "rate": len(ok) / max(starts.max() - starts.min(), 1e-9),
        "errors": len(rows) - len(ok),
        **{f"p{q}": float(np.percentile(millis, q)) for q in (50, 90, 99)},
    }


def http(
    root: Path,
    workers: int,
    seconds: int,
    repeat: int,
    servers: list[str] | None = None,
    rates: tuple[float, ...] | list[float] = (),
) -> None:
    """Per server: hello and n5g-eir side by side, max rates alternated `repeat` times (best
    kept, so a burst of the other engineers' load hits both alike), then the fixed-rate runs."""
    if not (shutil.which("wrk") and shutil.which("h2load")):
        print("HTTP: skipped (install wrk and h2load: apt-get install -y wrk nghttp2-client)")
        return
    from openceir.eir.server import granian_available

    servers = servers or ["hypercorn", *(["granian"] if granian_available() else [])]
    query = "?pei=imei-356938035643809&supi=imsi-63901123"
    apps = {"n5g-eir": "openceir.eir.asgi:app", "hello": "openceir.eir.asgi:hello"}
    for server in servers:
        procs, urls = [], {}
        try:
            for name, app in apps.items():
                port = free_port()
                procs.append(serve(root, server, app, port, workers))
                urls[name] = f"http://127.0.0.1:{port}{PATH}{query}"
            for url in urls.values():
                wrk(url, 2)  # warm up
            best = {name: [0.0, 0.0] for name in apps}
            for _ in range(repeat):
                for name, url in urls.items():
                    best[name][0] = max(best[name][0], wrk(url, seconds))
                    best[name][1] = max(best[name][1], h2load_max(url, seconds))
            ours = best["n5g-eir"]  # the floor gets the app's rates, to compare like for like
            latency = {
                name: {
                    "HTTP/1.1": fixed_rate(url, ours[0] / 2, seconds, h1=True),
                    "h2c": fixed_rate(url, ours[1] / 2, seconds, h1=False),
                }
                for name, url in urls.items()
            }
            for rate in rates:  # extra fixed rates, the same for both apps
                for name, url in urls.items():
                    for proto in ("HTTP/1.1", "h2c"):
                        lat = fixed_rate(url, rate, seconds, h1=proto == "HTTP/1.1")
                        print(
                            f"HTTP {server:9s} {name:7s}: {proto:8s} at {lat['rate']:8,.0f} "
                            f"req/s (set rate): p50 {lat['p50']:.2f} ms, p90 {lat['p90']:.2f} "
                            f"ms, p99 {lat['p99']:.2f} ms, {lat['errors']:.0f} errors"
                        )
        finally:
            for proc in procs:
                stop(proc)
        for name in ("hello", "n5g-eir"):
            h1, h2 = best[name]
            print(
                f"HTTP {server:9s} {name:7s}: max HTTP/1.1 {h1:9,.0f} req/s, h2c {h2:9,.0f} "
                f"req/s (best of {repeat})"
            )
            for proto, lat in latency[name].items():
                print(
                    f"HTTP {server:9s} {name:7s}: {proto:8s} at {lat['rate']:8,.0f} req/s (50% of "
                    f"n5g-eir max): p50 {lat['p50']:.2f} ms, p90 {lat['p90']:.2f} ms, p99 "
                    f"{lat['p99']:.2f} ms, {lat['errors']:.0f} errors"
                )
        floor = best["hello"]
        print(
            f"HTTP {server:9s} ratio hello/n5g-eir max rate: HTTP/1.1 {floor[0] / ours[0]:.2f}x, "
            f"h2c {floor[1] / ours[1]:.2f}x"
        )


# ------------------------------------------------------------------ S13


def pd_node(port: int) -> None:
    """python-diameter's own node answering MICRs with Equipment-Status (the S13 floor)."""
    from diameter.message.constants import APP_3GPP_S13_S13, VENDOR_TGPP
    from diameter.node import Node
    from diameter.node.application import SimpleThreadingApplication

    def handle(app, message):
        answer = app.generate_answer(message)
        answer.result_code = 2001  # without it python-diameter's statistics fail
        answer.equipment_status = 0
        answer.auth_session_state = 1
        return answer

    node = Node(
        "eir.bench.local",
        "bench.local",
        ip_addresses=["127.0.0.1"],
        tcp_port=port,
        vendor_ids=[VENDOR_TGPP],
    )
    app = SimpleThreadingApplication(
        APP_3GPP_S13_S13, is_auth_application=True, request_handler=handle
    )
    clients = [
        node.add_peer(f"aaa://mme{n}.bench.local:3868;transport=tcp", "bench.local")
        for n in range(CONNECTIONS)
    ]  # python-diameter accepts known peers only
    node.add_application(app, clients)
    node.start()
    try:
        while True:
            time.sleep(3600)
    finally:
        node.stop(force=True)


def _s13_messages(n: int) -> tuple[bytes, bytes]:
    from diameter.message.avp.grouped import TerminalInformation
    from diameter.message.commands.capabilities_exchange import CapabilitiesExchangeRequest
    from diameter.message.commands.me_identity_check import MeIdentityCheckRequest

    cer = CapabilitiesExchangeRequest()
    cer.origin_host, cer.origin_realm = f"mme{n}.bench.local".encode(), b"bench.local"
    cer.host_ip_address, cer.vendor_id, cer.product_name = ["127.0.0.1"], 10415, "bench"
    cer.auth_application_id = [16777252]
    micr = MeIdentityCheckRequest()
    micr.header.application_id = 16777252
    micr.session_id = "mme.bench.local;1;1"
    micr.auth_session_state = 1
    micr.origin_host, micr.origin_realm = f"mme{n}.bench.local".encode(), b"bench.local"
    micr.destination_realm = b"bench.local"
    micr.destination_host = b"eir.bench.local"
    micr.terminal_information = TerminalInformation(imei="35693803564380", software_version="01")
    micr.user_name = "639011234567890"
    return cer.as_bytes(), micr.as_bytes()


async def _s13_client(n: int, port: int, seconds: float, window: int) -> int:
    cer, micr = _s13_messages(n)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(cer)
    head = await reader.readexactly(20)
    await reader.readexactly((struct.unpack("!I", head[:4])[0] & 0xFFFFFF) - 20)
    done = 0
    deadline = time.monotonic() + seconds
    hbh = 1
    while time.monotonic() < deadline:
        batch = bytearray()
        for _ in range(window):
            msg = bytearray(micr)
            struct.pack_into("!II", msg, 12, hbh, hbh)
            hbh += 1
            batch += msg
        writer.write(batch)
        for _ in range(window):
            head = await reader.readexactly(20)
            await reader.readexactly((struct.unpack("!I", head[:4])[0] & 0xFFFFFF) - 20)
            done += 1
    writer.close()
    return done


def s13_rate(port: int, seconds: float, connections: int = CONNECTIONS, window: int = 64) -> float:
    """MICR answers per second over `connections` pipelining clients."""

    async def main() -> float:
        started = time.perf_counter()
        counts = await asyncio.gather(
            *[_s13_client(n, port, seconds, window) for n in range(connections)]
        )
        return sum(counts) / (time.perf_counter() - started)

    return asyncio.run(main())


def s13(root: Path, seconds: int) -> None:
    rates = {}
    for name in ("python-diameter node", "openceir s13"):
        port = free_port()
        if name == "openceir s13":
            args = [
                sys.executable,
                "-m",
                "openceir",
                "eir",
                "s13",
                "--bind",
                f"127.0.0.1:{port}",
                "--snapshot",
                str(root),
                "--no-events",
                "--origin-host",
                "eir.bench.local",
                "--origin-realm",
                "bench.local",
            ]
        else:
            args = [sys.executable, __file__, "--pd-node", str(port)]
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            wait_port(port, proc)
            time.sleep(1)
            s13_rate(port, 1)  # warm up
            rates[name] = s13_rate(port, seconds)
        finally:
            proc.terminate()
            proc.wait(30)
    base, ours = rates["python-diameter node"], rates["openceir s13"]
    print(
        f"S13: openceir {ours:,.0f} MICR/s, python-diameter node {base:,.0f} MICR/s, "
        f"ratio {ours / base:.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=5_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--pd-node", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=5, help="in-process passes (best kept)")
    parser.add_argument("--http-repeat", type=int, default=3, help="max-rate runs (best kept)")
    parser.add_argument("--servers", help="HTTP servers, comma-separated (granian,hypercorn)")
    parser.add_argument("--rates", help="extra fixed rates (req/s), comma-separated")
    parser.add_argument("--only", choices=["inproc", "http", "s13"])
    args = parser.parse_args()
    if args.pd_node:
        pd_node(args.pd_node)
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "eir"
        snap, keys, took = make_snapshot(root, args.keys)
        print(
            f"snapshot: {keys.size:,} blocked IMEIs built in {took:.1f} s "
            f"({sum(f.stat().st_size for f in root.rglob('*.arrow')) / 1e6:.0f} MB)"
        )
        if args.only in (None, "inproc"):
            in_process(snap, keys, args.repeat)
        if args.only in (None, "http"):
            http(
                root,
                args.workers,
                args.seconds,
                args.http_repeat,
                args.servers.split(",") if args.servers else None,
                [float(r) for r in args.rates.split(",")] if args.rates else [],
            )
        if args.only in (None, "s13"):
            s13(root, args.seconds)


if __name__ == "__main__":
    main()
