"""`openceir eir`: the real-time EIR (N5g-eir over HTTP/1.1 and h2c, Diameter S13), snapshots."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import signal
from pathlib import Path

import typer

from openceir.cli import _context
from openceir.cli._context import console
from openceir.errors import InputError

app = typer.Typer(
    help="The real-time EIR: serve N5g-eir and S13, check one device, build snapshots, audit.",
    no_args_is_help=True,
)
snapshot_app = typer.Typer(
    help="The EIR list snapshot (Arrow IPC, memory-mapped).", no_args_is_help=True
)
app.add_typer(snapshot_app, name="snapshot")

SNAPSHOT_OPT = typer.Option(None, "--snapshot", help="Snapshot root [default: <data dir>/eir].")
RESTRICTIVE_OPT = typer.Option(
    False, "--restrictive", help="Whitelist mode: unregistered equipment is not WHITELISTED."
)
UNKNOWN_OPT = typer.Option(
    "not-found",
    "--unknown",
    help="Answer for unregistered equipment in restrictive mode: "
    "not-found (404 / 5422), greylisted or blacklisted.",
)


def _root(snapshot: Path | None) -> Path:
    return snapshot or _context.settings().paths.snapshot


def _lake(no_events: bool) -> Path | None:
    return None if no_events else _context.settings().paths.lake


def _host_port(bind: str, default_port: int) -> tuple[str, int]:
    host, _, port = bind.rpartition(":")
    if not host:
        return bind, default_port
    if not port.isdigit():
        raise InputError(f"{bind!r} is not HOST:PORT", field="--bind")
    return host, int(port)


@app.command("serve")
def serve_cmd(
    bind: str = typer.Option("127.0.0.1:8080", "--bind", help="HOST:PORT to listen on."),
    workers: int = typer.Option(2, "--workers", min=1, help="Worker processes."),
    snapshot: Path | None = SNAPSHOT_OPT,
    oauth_clients: Path | None = typer.Option(
        None, "--oauth-clients", help="TOML file of OAuth2 clients; enables OAuth2."
    ),
    restrictive: bool = RESTRICTIVE_OPT,
    unknown: str = UNKNOWN_OPT,
    no_events: bool = typer.Option(False, "--no-events", help="Do not log check events."),
) -> None:
    """Serve the 3GPP N5g-eir API (HTTP/1.1 and h2c on one port) with several workers.

    GET /n5g-eir-eic/v1/equipment-status?pei=imei-…&supi=imsi-…, POST /oauth2/token,
    GET /metrics. The snapshot is re-read when its `current` pointer changes.

    Example: openceir eir serve --bind 127.0.0.1:8080 --workers 2
    """
    from openceir.eir.server import ServeOptions, serve

    _host_port(bind, 8080)
    options = ServeOptions(_root(snapshot), _lake(no_events), oauth_clients, restrictive, unknown)
    console.print(
        f"N5g-eir on http://{bind} (HTTP/1.1 and h2c), {workers} workers, "
        f"snapshot {options.snapshot_root}",
        markup=False,
    )
    raise typer.Exit(serve(options, bind=bind, workers=workers))


@app.command("s13")
def s13_cmd(
    bind: str = typer.Option("127.0.0.1:3868", "--bind", help="HOST:PORT to listen on."),
    snapshot: Path | None = SNAPSHOT_OPT,
    origin_host: str = typer.Option("eir.openceir.local", "--origin-host"),
    origin_realm: str = typer.Option("openceir.local", "--origin-realm"),
    restrictive: bool = RESTRICTIVE_OPT,
    unknown: str = UNKNOWN_OPT,
    no_events: bool = typer.Option(False, "--no-events", help="Do not log check events."),
) -> None:
    """Serve Diameter S13 ME-Identity-Check (TS 29.272) over TCP until interrupted.

    Example: openceir eir s13 --bind 127.0.0.1:3868 --origin-host eir.example.org
    """
    from openceir.eir.check_events import CheckEventLog
    from openceir.eir.s13 import run_s13, s13_server
    from openceir.eir.server import uvloop_available
    from openceir.eir.service import EirPolicy, EirService

    host, port = _host_port(bind, 3868)
    service = EirService(_root(snapshot), EirPolicy(restrictive, unknown))
    lake = _lake(no_events)
    events = CheckEventLog(lake) if lake else None
    server = s13_server(
        service,
        origin_host=origin_host,
        origin_realm=origin_realm,
        events=events,
        host_ip=host if host[0].isdigit() else "127.0.0.1",
    )

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        loop.add_signal_handler(signal.SIGHUP, service.reload)
        console.print(
            f"S13 EIR {origin_host} on {host}:{port}, snapshot {service.snapshot.run_id}",
            markup=False,
        )
        await run_s13(server, host, port, events, stop=stop)

    if uvloop_available():
        import uvloop

        uvloop.run(main())
    else:
        asyncio.run(main())


@app.command("check")
def check_cmd(
    pei: str = typer.Argument(..., help="imei-…, imeisv-…, mac-…, eui-… or bare IMEI digits."),
    imsi: str | None = typer.Option(None, "--imsi", help="The SIM's IMSI (pair exceptions)."),
    snapshot: Path | None = SNAPSHOT_OPT,
    restrictive: bool = RESTRICTIVE_OPT,
    unknown: str = UNKNOWN_OPT,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Look one device up in the current snapshot and print its status and reasons.

    Example: openceir eir check imei-356938035643809 --imsi 639011234567890
    """
    from openceir.eir.pei import parse_pei
    from openceir.eir.service import EirPolicy, EirService

    text = (
        pei
        if not pei.isdigit()
        else (f"imei-{pei}" if len(pei) == 15 else f"imeisv-{pei}" if len(pei) == 16 else pei)
    )
    parsed = parse_pei(text)
    from openceir.identifiers import imsi as imsi_rule

    if imsi is not None and not imsi_rule.is_well_formed(imsi):
        raise InputError(
            f"{imsi!r} is not an IMSI of {imsi_rule.MIN_DIGITS} to {imsi_rule.MAX_DIGITS} digits",
            field="--imsi",
        )
    service = EirService(_root(snapshot), EirPolicy(restrictive, unknown))
    decision = service.decide(parsed.key, imsi)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "pei": text,
                    "status": decision.status,
                    "reasons": list(decision.reasons),
                    "run_id": service.snapshot.run_id,
                }
            )
        )
        return
    reasons = "; ".join(decision.reasons) or "-"
    typer.echo(f"{decision.status}\t{reasons}\t(snapshot {service.snapshot.run_id})")


@snapshot_app.command("build")
def snapshot_build_cmd(
    blocked: Path | None = typer.Option(None, "--blocked", help="imei,block_date,reasons"),
    notified: Path | None = typer.Option(None, "--notified", help="imei,block_date,reasons"),
    exceptions: Path | None = typer.Option(None, "--exceptions", help="imei,imsi"),
    barred_tacs: Path | None = typer.Option(None, "--barred-tacs", help="tac"),
    tracked: Path | None = typer.Option(None, "--tracked", help="imei"),
    registered: Path | None = typer.Option(None, "--registered", help="imei (restrictive)"),
    run_id: str | None = typer.Option(None, "--run-id", help="Run name [default: time]."),
    snapshot: Path | None = SNAPSHOT_OPT,
) -> None:
    """Build a snapshot from list files (CSV or Parquet) and make it current.

    `openceir lists generate` does this itself; this is for operators running the EIR alone.

    Example: openceir eir snapshot build --blocked blacklist.csv --exceptions exceptions.csv
    """
    from openceir.eir.list_files import read_list, read_tacs
    from openceir.eir.snapshot import build_snapshot

    run = build_snapshot(
        _root(snapshot),
        blocked=read_list(blocked, "blocked") if blocked else None,
        notified=read_list(notified, "notified") if notified else None,
        exceptions=read_list(exceptions, "exceptions") if exceptions else None,
        barred_tacs=read_tacs(barred_tacs) if barred_tacs else None,
        tracked=read_list(tracked, "tracked") if tracked else None,
        registered=read_list(registered, "registered") if registered else None,
        run_id=run_id,
        generated_at=dt.datetime.now(dt.UTC),
    )
    counts = json.loads((run / "manifest.json").read_text())["counts"]
    console.print(
        f"Snapshot {run.name} is current: " + ", ".join(f"{k} {v}" for k, v in counts.items()),
        markup=False,
    )


@snapshot_app.command("info")
def snapshot_info_cmd(snapshot: Path | None = SNAPSHOT_OPT) -> None:
    """Show the current snapshot run, when it was generated and what it holds.

    Example: openceir eir snapshot info
    """
    from openceir.eir.snapshot import Snapshot

    snap = Snapshot.open_current(_root(snapshot))
    console.print(f"run {snap.run_id}, generated {snap.generated_at}", markup=False)
    for key, value in snap.counts.items():
        console.print(f"  {key}: {value}", markup=False)


@app.command("audit")
def audit_cmd(
    operator: str = typer.Argument(..., help="Operator id, as configured."),
    file: Path = typer.Argument(..., help="The operator's EIR export: CSV with an imei column."),
    snapshot: Path | None = SNAPSHOT_OPT,
    out: Path | None = typer.Option(None, "--out", help="Write differences as CSV here."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Compare an operator's EIR blacklist with what the CEIR published (Q.5053 audit).

    Exits 1 when they differ, so it can run from cron.

    Example: openceir eir audit alpha alpha_eir_export.csv --out alpha_diff.csv
    """
    from openceir.eir.audit import audit_operator_list
    from openceir.eir.snapshot import Snapshot

    _context.settings().operator(operator)
    report = audit_operator_list(Snapshot.open_current(_root(snapshot)), operator, file)
    if out:
        lines = ["imei_key,difference"]
        lines += [f"{k:014d},missing" for k in report.missing.tolist()]
        lines += [f"{k:014d},extra" for k in report.extra.tolist()]
        lines += [f"{text},malformed line {line}" for line, text in report.malformed]
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = {
        "operator": operator,
        "run_id": report.run_id,
        "published": report.published,
        "exported": report.exported,
        "missing": int(report.missing.size),
        "extra": int(report.extra.size),
        "malformed": len(report.malformed),
        "in_sync": report.in_sync,
    }
    if as_json:
        typer.echo(json.dumps(summary))
    else:
        console.print(
            f"{operator}: published {report.published}, exported {report.exported}, "
            f"missing {summary['missing']}, extra {summary['extra']}, "
            f"malformed {summary['malformed']} (snapshot {report.run_id})",
            markup=False,
        )
    if not report.in_sync:
        raise typer.Exit(1)


@app.command("fold-events")
def fold_events_cmd(
    today: str | None = typer.Option(
        None, "--today", help="Fold days before this date (YYYY-MM-DD) [default: today, UTC]."
    ),
) -> None:
    """Import finished days of check events into the lake, so classification sees them.

    One operator dump per operator and day, through the ordinary import pipeline (atomic,
    re-runnable). Run it before `openceir classify`, e.g. from cron after midnight.

    Example: openceir eir fold-events
    """
    from openceir.eir.fold import fold

    day = None
    if today:
        try:
            day = dt.date.fromisoformat(today)
        except ValueError:
            raise InputError(
                f"{today!r} is not a date, expected YYYY-MM-DD", field="--today"
            ) from None
    result = fold(_context.settings(), today=day, engine=_context.engine())
    console.print(
        f"{result.events} check events: {len(result.imported)} day files imported, "
        f"{len(result.unchanged)} already in the lake, "
        f"{result.skipped_no_operator} events with no operator left out",
        markup=False,
    )
