"""Benchmark: the dashboard, IMEI-page and drill-down work, server side, against a bare page.

Run by hand on a data dir `openceir demo` built (the demo computes the report figures):
``python bench/reports.py --data DIR [--requests 60]``. One Starlette app, called in-process
through httpx's ASGI transport, serves four routes; an ASGI wrapper times each request from
the first byte in to the last byte out (server side):

- ``/bare``: a bare Starlette page (the floor, measured in the same run);
- ``/dashboard``: `reports.dashboard.overview` + its charts (SVG) + an HTML page;
- ``/imei/<imei>``: `reports.imei.profile` as JSON (IMEIs drawn from the run's facts:
  duplicated, stolen, counterfeit and ordinary ones);
- ``/drill``: the first 50 IMEIs behind the largest condition.

Prints p50 and p95 per route and the ratio of each p95 to the bare page's, and the seconds
the run's figures took to compute (`report_runs.seconds`).
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import statistics
import time
from pathlib import Path
from typing import Any

import duckdb
import httpx
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse
from starlette.routing import Route

from openceir.reports import dashboard, drill, figures, imei
from openceir.reports.aggregates import COUNTRY, WINDOW, facts_path
from openceir.settings import load_settings
from openceir.store.reports import ReportRun
from openceir.store.session import connect


class Timed:
    """ASGI wrapper: seconds from request start to the end of the response body, per path."""

    def __init__(self, app: Any) -> None:
        self.app, self.times = app, {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        start = time.perf_counter()

        async def timed_send(message: Any) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                name = scope["path"].split("/")[1] or "root"
                self.times.setdefault(name, []).append(time.perf_counter() - start)

        await self.app(scope, receive, timed_send)


def _sample_imeis(data_dir: Path, run_id: int, n: int) -> list[str]:
    con = duckdb.connect()
    path = str(facts_path(data_dir, run_id))
    rows = con.execute(
        "SELECT imei FROM (SELECT imei, row_number() OVER (PARTITION BY status, clone "
        "ORDER BY hash(imei)) AS r FROM read_parquet(?) WHERE month = 'window' AND scope = '' "
        "AND imei NOT LIKE 'raw:%') WHERE r <= ? ORDER BY hash(imei)",
        [path, n],
    ).fetchall()
    return [r[0] for r in rows][:n]


def build_app(settings: Any, engine: Any, run_id: int, top_condition: str) -> Starlette:
    """The four routes, each doing what its portal page does."""

    async def bare(_request: Any) -> PlainTextResponse:
        return PlainTextResponse("ok")

    def dash(_request: Any) -> HTMLResponse:
        data = dashboard.overview(settings, engine, run_id=run_id)
        parts = [f"<h1>Dashboard, run {data['run_id']}</h1>"]
        for item in data["headline"]:
            parts.append(f"<p>{html.escape(item['label'])}: {item['value']}</p>")
        for chart in dashboard.charts(data):
            rows = "".join(
                "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>"
                for r in chart.rows
            )
            parts.append(f"<figure>{chart.svg}<table>{rows}</table></figure>")
        return HTMLResponse("<!doctype html>" + "".join(parts))

    def page(request: Any) -> JSONResponse:
        found = imei.profile(settings, engine, request.path_params["imei"])
        return JSONResponse(json.loads(json.dumps(found, default=str)))

    def drilled(_request: Any) -> JSONResponse:
        got = drill.imeis(settings, run_id, WINDOW, COUNTRY, "condition", top_condition, limit=50)
        return JSONResponse(json.loads(json.dumps(got, default=str)))

    return Starlette(
        routes=[
            Route("/bare", bare),
            Route("/dashboard", dash),
            Route("/imei/{imei}", page),
            Route("/drill", drilled),
        ]
    )


async def run(app: Timed, imeis: list[str], requests: int) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for i in range(requests):
            for path in ("/bare", "/dashboard", f"/imei/{imeis[i % len(imeis)]}", "/drill"):
                response = await client.get(path)
                response.raise_for_status()


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="A demo data dir.")
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    settings = load_settings(
        environ={"OPENCEIR_CONFIG": str(args.data / "openceir.toml")}, data_dir=args.data
    )
    engine = connect(settings.sqlalchemy_url)
    run_id = figures.latest_run(settings, engine)
    with engine.connect() as conn:
        seconds = conn.execute(select(ReportRun.seconds).where(ReportRun.run_id == run_id)).scalar()
    window = figures.load(engine, run_id)
    top = window.get("condition")[0][0]
    imeis = _sample_imeis(settings.data_dir, run_id, 40)
    app = Timed(build_app(settings, engine, run_id, top))
    asyncio.run(run(app, imeis, 3))  # warm up: imports, caches, first DuckDB open
    app.times.clear()
    asyncio.run(run(app, imeis, args.requests))
    bare95 = _p(app.times["bare"], 95)
    print(
        f"run {run_id}: {window.value('seen', 'imeis'):,.0f} IMEIs seen; figures took "
        f"{seconds:.1f} s to compute; {args.requests} requests per route"
    )
    print(f"{'route':<12} {'p50 ms':>9} {'p95 ms':>9} {'p95 / bare':>11}")
    for name in ("bare", "dashboard", "imei", "drill"):
        values = app.times[name]
        p50, p95 = statistics.median(values), _p(values, 95)
        print(f"{name:<12} {p50 * 1e3:9.2f} {p95 * 1e3:9.2f} {p95 / bare95:10.0f}x")


if __name__ == "__main__":
    main()
