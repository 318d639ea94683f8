"""`openceir registry`: type approvals, registration requests and travellers, for staff."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import typer

from openceir.cli import _context
from openceir.errors import InputError

app = typer.Typer(
    help="Device registration: type approvals, registration requests, travellers.",
    no_args_is_help=True,
)
approval_app = typer.Typer(help="Type approval records by TAC.", no_args_is_help=True)
request_app = typer.Typer(help="Registration requests and their review.", no_args_is_help=True)
traveller_app = typer.Typer(help="Travellers' temporary registrations.", no_args_is_help=True)
app.add_typer(approval_app, name="approval")
app.add_typer(request_app, name="request")
app.add_typer(traveller_app, name="traveller")

ACTOR = typer.Option("cli", help="Who does this (recorded in the history and audit log).")


def _session() -> Any:
    from openceir.store.session import session_scope

    return session_scope(_context.engine())


def _day(text: str | None, field: str = "date") -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text!r} is not a date (YYYY-MM-DD)", field=field) from None


@approval_app.command("add")
def approval_add_cmd(
    tac: str = typer.Argument(..., help="The 8-digit TAC."),
    body: str = typer.Option(..., help="The approving body."),
    certificate: str = typer.Option(..., help="The certificate number."),
    on: str = typer.Option(None, "--date", help="Approval date (YYYY-MM-DD, default today)."),
    brand: str = typer.Option(None, help="Brand name."),
    model: str = typer.Option(None, help="Model name."),
    sim_slots: int = typer.Option(1, help="SIM slots (IMEIs per device)."),
    actor: str = ACTOR,
) -> None:
    """Record (or replace) the type approval of a TAC.

    Example: openceir registry approval add 35209900 --body "Examplestan CA"
    --certificate TA-2026-001 --brand Acme --model A1 --sim-slots 2
    """
    from openceir.registry import approvals

    with _session() as session:
        row = approvals.record_approval(
            session,
            tac,
            body=body,
            certificate=certificate,
            approved_on=_day(on),
            actor=actor,
            brand=brand,
            model=model,
            sim_slots=sim_slots,
        )
        typer.echo(f"TAC {row.tac}: {row.status} by {row.body}, certificate {row.certificate}")


@approval_app.command("status")
def approval_status_cmd(
    tac: str = typer.Argument(..., help="The 8-digit TAC."),
    status: str = typer.Argument(..., help="approved, suspended or withdrawn."),
    note: str = typer.Option(..., help="Why the status changes."),
    actor: str = ACTOR,
) -> None:
    """Suspend, withdraw or reinstate a TAC's type approval.

    Example: openceir registry approval status 35209900 suspended --note "failed SAR re-test"
    """
    from openceir.registry import approvals

    with _session() as session:
        row = approvals.set_status(session, tac, status, actor=actor, note=note)
        typer.echo(f"TAC {row.tac}: {row.status}")


@approval_app.command("show")
def approval_show_cmd(tac: str = typer.Argument(..., help="The 8-digit TAC.")) -> None:
    """Show a TAC's type approval and its history.

    Example: openceir registry approval show 35209900
    """
    from openceir.registry import approvals

    with _session() as session:
        row = approvals.get(session, tac)
        typer.echo(
            f"TAC {row.tac}: {row.status}; {row.brand or '?'} {row.model or '?'}, "
            f"{row.sim_slots} SIM slots; {row.body} certificate {row.certificate} "
            f"of {row.approved_on}"
        )
        for change in approvals.history(session, tac):
            typer.echo(
                f"  {change.at:%Y-%m-%d %H:%M} {change.actor}: "
                f"{change.old_status or '-'} -> {change.new_status} ({change.note})"
            )


@request_app.command("create")
def request_create_cmd(
    role: str = typer.Option(..., help="importer, manufacturer, individual or exporter."),
    applicant: str = typer.Option(..., help="Who applies (company or person)."),
    make: str = typer.Option(..., help="The devices' make."),
    model: str = typer.Option(..., help="The devices' model."),
    sim_slots: int = typer.Option(1, help="SIM slots per device."),
    actor: str = ACTOR,
) -> None:
    """Open a registration request; prints its id.

    Example: openceir registry request create --role importer --applicant "Importer Ltd"
    --make Acme --model A1 --sim-slots 2
    """
    from openceir.registry import requests

    with _session() as session:
        req = requests.create_request(
            session,
            role=role,
            applicant=applicant,
            make=make,
            model=model,
            sim_slots=sim_slots,
            actor=actor,
        )
        typer.echo(f"Request {req.id} ({req.state})")


@request_app.command("upload")
def request_upload_cmd(
    request_id: int = typer.Argument(..., help="The request id."),
    file: Path = typer.Argument(..., help="CSV with an `imei` column (and optional `device`)."),
    actor: str = ACTOR,
) -> None:
    """Upload a request's IMEIs (up to the role's quota) and run every check on them.

    Example: openceir registry request upload 1 imeis.csv
    """
    from openceir.registry import requests

    result = requests.upload_imeis(
        _context.engine(), _context.settings(), request_id, file, actor=actor
    )
    typer.echo(
        f"Request {request_id}: {result.imeis} IMEIs, {result.clean} may be approved, "
        f"{result.blocked} have a blocking finding"
    )
    for code, count in sorted(result.findings.items()):
        typer.echo(f"  {code}: {count}")


@request_app.command("show")
def request_show_cmd(
    request_id: int = typer.Argument(..., help="The request id."),
    imeis: int = typer.Option(20, help="How many per-IMEI results to show."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show a request, its per-IMEI findings and its trail.

    Example: openceir registry request show 1 --imeis 50
    """
    from openceir.registry import requests

    with _session() as session:
        req = requests.get_request(session, request_id)
        rows = requests.imeis_of(session, request_id, limit=imeis)
        trail = [
            (e.at.isoformat(), e.actor, e.action, e.new_state, e.note)
            for e in requests.trail(session, request_id)
        ]
    head = {
        "id": req.id,
        "role": req.role,
        "applicant": req.applicant,
        "make": req.make,
        "model": req.model,
        "state": req.state,
        "assigned_to": req.assigned_to,
        "imeis": req.imei_count,
    }
    if as_json:
        typer.echo(json.dumps({**head, "results": rows, "trail": trail}, indent=2))
        return
    typer.echo(" ".join(f"{k}={v}" for k, v in head.items()))
    for r in rows:
        found = "; ".join(f["reason"] for f in r["findings"]) or "no finding"
        typer.echo(f"  line {r['line']} {r['imei']} {r['decision']}: {found}")
    for at, actor, action, state, note in trail:
        typer.echo(f"  {at[:16]} {actor} {action} -> {state} {note or ''}".rstrip())


@request_app.command("move")
def request_move_cmd(
    request_id: int = typer.Argument(..., help="The request id."),
    action: str = typer.Argument(
        ..., help="request_documents, submit, assign, request_information or close."
    ),
    note: str = typer.Option(None, help="A note (required to request information)."),
    assignee: str = typer.Option(None, help="The reviewer (for assign)."),
    actor: str = ACTOR,
) -> None:
    """Move a request through the review workflow.

    Example: openceir registry request move 1 assign --assignee reviewer1
    """
    from openceir.registry import requests

    with _session() as session:
        req = requests.move(session, request_id, action, actor=actor, note=note, assignee=assignee)
        typer.echo(f"Request {req.id}: {req.state}")


@request_app.command("decide")
def request_decide_cmd(
    request_id: int = typer.Argument(..., help="The request id."),
    decision: str = typer.Argument(..., help="approved or rejected."),
    imei: list[str] = typer.Option(None, help="IMEIs to decide (default: every pending one)."),
    reason: str = typer.Option(None, help="Why (required to reject)."),
    actor: str = ACTOR,
) -> None:
    """Approve or reject IMEIs of a request in review.

    Example: openceir registry request decide 1 rejected --imei 352099001761481
    --reason "box label does not match"
    """
    from openceir.registry import requests

    with _session() as session:
        n = requests.decide(session, request_id, imei or None, decision, actor=actor, reason=reason)
    typer.echo(f"{n} IMEIs {decision}")


@request_app.command("finish")
def request_finish_cmd(
    request_id: int = typer.Argument(..., help="The request id."),
    outcome: str = typer.Argument(..., help="approved or rejected."),
    reason: str = typer.Option(None, help="Why (required to reject)."),
    actor: str = ACTOR,
) -> None:
    """Approve (its approved IMEIs join the registration list) or reject a request.

    Example: openceir registry request finish 1 approved
    """
    from openceir.registry import requests

    with _session() as session:
        n = requests.finish(session, request_id, outcome, actor=actor, reason=reason)
    typer.echo(f"Request {request_id} {outcome}; {n} IMEIs added to the registration list")


@traveller_app.command("add")
def traveller_add_cmd(
    imei: str = typer.Argument(..., help="The traveller's IMEI."),
    country: str = typer.Option(..., help="Passport country (ISO 3166 code)."),
    passport: str = typer.Option(..., help="Passport number (kept only as a keyed hash)."),
    actor: str = ACTOR,
) -> None:
    """Register a traveller's phone for the configured number of days.

    Example: openceir registry traveller add 352099001761481 --country GB --passport AB123456
    """
    from openceir.registry.travellers import register_traveller

    settings = _context.settings()
    with _session() as session:
        row = register_traveller(
            session,
            settings.registry,
            country=country,
            passport=passport,
            imei=imei,
            actor=actor,
            today=date.today(),
        )
        typer.echo(f"IMEI {row.imei_raw} registered until {row.end_date} (exclusive)")
