"""Benchmark: the EIR in-process, over HTTP (N5g-eir) and over Diameter S13, each with a floor.

Run by hand (never as a test); needs wrk and h2load for the HTTP part
(Debian: `apt-get install -y wrk nghttp2-client`; without them that part is skipped):

    .venv/bin/python bench/eir.py                 # 5M blocked IMEIs, 2 workers
    .venv/bin/python bench/eir.py --keys 1000000 --seconds 5

1. In-process: single lookups (`Snapshot.classify`) and batched (`lookup_many`, 100k per call)
   on a snapshot of N blocked IMEIs; floor: a bare numpy `searchsorted` of the same keys.
2. HTTP: `openceir eir serve` vs a bare "hello" ASGI app under the same Hypercorn, port and
   worker count: max rate with wrk (HTTP/1.1) and h2load (h2c), then p50/p99 at 50% of the
   h2c max rate (h2load --rps with its per-request log).
3. S13: `openceir eir s13` vs python-diameter's own node answering MICRs, both driven by the
   same pipelining client (4 connections, 64 requests in flight each).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
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
            raise SystemExit(f"server exited: {proc.stderr.read() if proc.stderr else ''}")
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


def in_process(snap: Snapshot, keys: np.ndarray) -> None:
    rng = np.random.default_rng(8)
    probe = np.where(
        rng.random(200_000) < 0.5,
        rng.choice(keys, 200_000),
        rng.integers(35_000_000_000_000, 36_000_000_000_000, 200_000),
    )
    single = [int(k) for k in probe]
    classify, sorted_keys = snap.classify, snap.keys
    t = time.perf_counter()
    for k in single:
        classify(k)
    rate_single = len(single) / (time.perf_counter() - t)
    t = time.perf_counter()
    for k in single:
        sorted_keys.searchsorted(k)
    floor_single = len(single) / (time.perf_counter() - t)
    batch = np.tile(probe, 5)  # 1M keys, 100k per call
    t = time.perf_counter()
    for part in np.split(batch, 10):
        snap.lookup_many(part)
    rate_batch = batch.size / (time.perf_counter() - t)
    t = time.perf_counter()
    for part in np.split(batch, 10):
        sorted_keys.searchsorted(part)
    floor_batch = batch.size / (time.perf_counter() - t)
    print(
        f"in-process single : {rate_single:12,.0f} lookups/s   floor searchsorted "
        f"{floor_single:12,.0f}/s   ratio {floor_single / rate_single:.2f}x"
    )
    print(
        f"in-process batched: {rate_batch:12,.0f} lookups/s   floor searchsorted "
        f"{floor_batch:12,.0f}/s   ratio {floor_batch / rate_batch:.2f}x"
    )


def make_fastapi_app():
    """The same check behind FastAPI, for the raw-ASGI-vs-FastAPI comparison."""
    from fastapi import FastAPI, Query
    from fastapi.responses import JSONResponse

    from openceir.eir.pei import parse_pei, parse_supi
    from openceir.eir.server import ServeOptions
    from openceir.eir.service import EirService
    from openceir.eir.snapshot import STATUS_NAMES
    from openceir.errors import InputError

    service = EirService(ServeOptions.from_environ().snapshot_root)
    api = FastAPI()

    @api.get(PATH)
    def equipment_status(pei: str = Query(...), supi: str | None = Query(None)):
        try:
            key = parse_pei(pei).key
            imsi = parse_supi(supi) if supi else None
        except InputError as exc:
            body = {"status": 400, "cause": "MANDATORY_IE_INCORRECT", "detail": exc.reason}
            return JSONResponse(body, 400)
        service.maybe_reload()
        return {"status": STATUS_NAMES[service.check(key, imsi)[0]]}

    return api


def serve(root: Path, app: str, port: int, workers: int) -> subprocess.Popen:
    code = (
        "import os,sys; sys.path.insert(0, os.path.dirname(os.environ['EIR_BENCH']));"
        "from openceir.eir.server import ServeOptions, hypercorn_config;"
        "from hypercorn.run import run;"
        f"os.environ.update(ServeOptions(__import__('pathlib').Path({str(root)!r}))"
        ".to_environ());"
        f"sys.exit(run(hypercorn_config('127.0.0.1:{port}', {workers}, {app!r})))"
    )
    env = {**os.environ, "EIR_BENCH": str(Path(__file__).resolve())}
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stderr=subprocess.PIPE, text=True, env=env
    )
    wait_port(port, proc)
    return proc


def wrk(url: str, seconds: int) -> tuple[float, str, str]:
    out = subprocess.run(
        ["wrk", "-t2", "-c50", f"-d{seconds}s", "--latency", url], capture_output=True, text=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+(\S+)", out).group(1)
    p99 = re.search(r"99%\s+(\S+)", out).group(1)
    return rps, p50, p99


def h2load(url: str, seconds: int, rps: float | None = None) -> tuple[float, float, float]:
    with tempfile.NamedTemporaryFile(suffix=".log") as log:
        args = ["h2load", "-D", str(seconds), "--log-file", log.name]
        if rps is None:
            args += ["-c", "50", "-m", "10", "-t", "2"]
        else:
            args += ["-c", "20", "-m", "1", "-t", "1", f"--rps={max(rps / 20, 1):.0f}"]
        out = subprocess.run([*args, url], capture_output=True, text=True).stdout
        done = re.search(r"finished in [\d.]+m?s, ([\d.]+) req/s", out)
        micros = np.loadtxt(log.name, usecols=2, ndmin=1) if os.path.getsize(log.name) else []
    if not done or len(micros) == 0:
        raise SystemExit(f"h2load failed:\n{out}")
    return (
        float(done.group(1)),
        float(np.percentile(micros, 50)) / 1000,
        float(np.percentile(micros, 99)) / 1000,
    )


def http(root: Path, workers: int, seconds: int) -> None:
    if not (shutil.which("wrk") and shutil.which("h2load")):
        print("HTTP: skipped (install wrk and h2load: apt-get install -y wrk nghttp2-client)")
        return
    results = {}
    for name, app in (
        ("hello floor", "openceir.eir.asgi:hello"),
        ("n5g-eir", "openceir.eir.asgi:app"),
        ("FastAPI", "eir:make_fastapi_app()"),
    ):
        port = free_port()
        env_root = root
        proc = serve(env_root, app, port, workers)
        try:
            url = f"http://127.0.0.1:{port}{PATH}?pei=imei-356938035643809&supi=imsi-63901123"
            wrk(url, 2)  # warm up
            h1 = wrk(url, seconds)
            h2 = h2load(url, seconds)
            half = h2load(url, seconds, rps=h2[0] / 2)
            results[name] = (h1, h2, half)
        finally:
            proc.terminate()
            proc.wait(30)
    for name, (h1, h2, half) in results.items():
        print(
            f"HTTP {name:11s}: HTTP/1.1 {h1[0]:9,.0f} req/s (p50 {h1[1]}, p99 {h1[2]} at "
            f"max)  h2c {h2[0]:9,.0f} req/s  | h2c at 50% load: {half[0]:8,.0f} req/s "
            f"p50 {half[1]:.2f} ms p99 {half[2]:.2f} ms"
        )
    floor, ours = results["hello floor"], results["n5g-eir"]
    print(
        f"HTTP ratio floor/n5g-eir: HTTP/1.1 {floor[0][0] / ours[0][0]:.2f}x, "
        f"h2c {floor[1][0] / ours[1][0]:.2f}x"
    )
    fast = results["FastAPI"]
    print(
        f"HTTP FastAPI/n5g-eir rate: HTTP/1.1 {fast[0][0] / ours[0][0]:.2f}x, "
        f"h2c {fast[1][0] / ours[1][0]:.2f}x"
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
            in_process(snap, keys)
        if args.only in (None, "http"):
            http(root, args.workers, args.seconds)
        if args.only in (None, "s13"):
            s13(root, args.seconds)


if __name__ == "__main__":
    main()
