"""Lost and stolen cases over HTTP: public report/follow/unblock routes, police and staff routes.

Public (no account; rate-limited per client address and per number):

    POST /api/v1/cases/codes                          send a one-time code to an MSISDN or e-mail
    POST /api/v1/cases                                file a report proven by that code (201)
    GET  /api/v1/cases/requests/{request_id}          follow a request (no personal data)
    POST /api/v1/cases/requests/{request_id}/unblock-code   send the owner a code
    POST /api/v1/cases/requests/{request_id}/unblock  unblock with that code
    GET  /api/v1/cases/imei/{imei}                    "why is my phone blocked?"

Police and staff (a token with the `ceir-admin` scope until the portal's roles land):

    GET  /api/v1/cases[?station=&region=&status=&search=]   cases, newest first
    GET  /api/v1/cases/alerts[?station=&region=]            trace alerts, newest first
    GET  /api/v1/cases/{request_id}                         one case (the read is audited)
    POST /api/v1/cases/{request_id}/recover|close|reverse   state changes
    POST /api/v1/cases/bulk                                 a CSV of reports, a result per row

After each change the case changes are published to the EIRs and the ledger and the messages
sent, in the background; the outbox and `openceir cases worker` retry whatever fails.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import JSONResponse
from limits import parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from pydantic import BaseModel, Field

from openceir import cases
from openceir.errors import InputError
from openceir.notify import flush
from openceir.settings import Settings
from openceir.store.session import connect
from openceir.web.auth import SCOPE_ADMIN, principal
from openceir.web.errors import problem

PER_ADDRESS = "10/minute;60/hour"
"""Public requests per client address and route group."""
CODES_PER_NUMBER = "5/hour"
"""Code requests per MSISDN or e-mail, whoever asks."""


class CodeRequest(BaseModel):
    """Where to send a code: an MSISDN or an e-mail address."""

    msisdn: str | None = None
    email: str | None = None
    language: str | None = None


class ReportRequest(BaseModel):
    """A citizen's report (see openceir.cases.rules) and the code proving the number."""

    imei: str
    imei2: str | None = None
    msisdn: str | None = None
    kind: str = "stolen"
    mode: str = "block"
    brand: str | None = None
    model: str | None = None
    incident_date: str | None = None
    place: str | None = None
    complaint_number: str | None = None
    station: str | None = None
    contact_msisdn: str | None = None
    contact_email: str | None = None
    reporter_name: str | None = None
    language: str | None = None
    code_token: str = Field(max_length=64)
    code: str = Field(max_length=16)


class UnblockRequest(BaseModel):
    """The owner's code for unblocking."""

    code_token: str = Field(max_length=64)
    code: str = Field(max_length=16)


class ChangeRequest(BaseModel):
    """A police or staff change: a reason, and for recover whether to unblock at once."""

    reason: str | None = Field(default=None, max_length=500)
    unblock: bool = False


class Limiter:
    """Moving-window rate limits (the `limits` library) keyed by route group and caller."""

    def __init__(self) -> None:
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, rates: str, *key: str) -> None:
        """Count one request against every rate of `rates`; TooMany when one is used up."""
        for rate in parse_many(rates):
            if not self.limiter.hit(rate, *key):
                reset = self.limiter.get_window_stats(rate, *key).reset_time
                raise TooMany(max(1, int(reset - time.time()) + 1))


class TooMany(Exception):
    """A rate limit was reached (429 with Retry-After)."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many requests; try again in {retry_after} s")


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _challenge(ch: Any) -> dict[str, Any]:
    return {
        "code_token": ch.token,
        "expires_at": ch.expires_at.isoformat(),
        "sends_left": ch.sends_left,
    }


def router(settings: Settings) -> APIRouter:
    """The `/api/v1/cases` routes for these settings."""
    api = APIRouter(prefix="/api/v1/cases", tags=["cases"])
    limiter = Limiter()

    def engine() -> Any:
        return connect(settings.sqlalchemy_url)

    def after_change(tasks: BackgroundTasks) -> None:
        def run() -> None:
            cases.publish_pending(engine(), settings)
            flush(engine(), settings)

        tasks.add_task(run)

    def staff(request: Request) -> str:
        return principal(request, SCOPE_ADMIN).actor

    @api.post("/codes", status_code=202)
    def send_code(body: CodeRequest, request: Request, tasks: BackgroundTasks) -> dict[str, Any]:
        """Send a one-time code proving control of an MSISDN (SMS) or an e-mail address."""
        limiter.hit(PER_ADDRESS, "codes", _client(request))
        if bool(body.msisdn) == bool(body.email):
            raise InputError("give exactly one of msisdn and email", field="msisdn")
        kind, address = ("sms", body.msisdn) if body.msisdn else ("email", body.email)
        limiter.hit(CODES_PER_NUMBER, "code-to", str(address))
        ch = cases.request_code(engine(), settings, kind, str(address), language=body.language)
        tasks.add_task(flush, engine(), settings)
        return _challenge(ch)

    @api.post("", status_code=201)
    def report(body: ReportRequest, request: Request, tasks: BackgroundTasks) -> dict[str, Any]:
        """File a report proven by a one-time code; answers the request ID."""
        limiter.hit(PER_ADDRESS, "report", _client(request))
        raw = body.model_dump(exclude={"code_token", "code"}, exclude_none=True)
        filed = cases.file_report(
            engine(),
            settings,
            raw,
            actor="citizen",
            channel="citizen",
            code_token=body.code_token,
            code=body.code,
        )
        after_change(tasks)
        return filed.as_dict()

    @api.get("/requests/{request_id}")
    def follow(request_id: str, request: Request) -> dict[str, Any]:
        """Where a request stands (no personal data)."""
        limiter.hit(PER_ADDRESS, "follow", _client(request))
        return cases.follow(engine(), request_id)

    @api.post("/requests/{request_id}/unblock-code", status_code=202)
    def unblock_code(request_id: str, request: Request, tasks: BackgroundTasks) -> dict[str, Any]:
        """Send the case's owner a code to unblock (to the number the case holds)."""
        limiter.hit(PER_ADDRESS, "codes", _client(request))
        limiter.hit(CODES_PER_NUMBER, "unblock-code", request_id.upper())
        ch = cases.request_unblock_code(engine(), settings, request_id)
        tasks.add_task(flush, engine(), settings)
        return _challenge(ch)

    @api.post("/requests/{request_id}/unblock")
    def unblock(
        request_id: str, body: UnblockRequest, request: Request, tasks: BackgroundTasks
    ) -> dict[str, Any]:
        """Unblock with the owner's code; the case closes."""
        limiter.hit(PER_ADDRESS, "unblock", _client(request))
        cases.unblock(
            engine(), settings, request_id, "owner", code_token=body.code_token, code=body.code
        )
        after_change(tasks)
        return cases.follow(engine(), request_id)

    @api.get("/imei/{imei}")
    def why_blocked(imei: str, request: Request) -> dict[str, Any]:
        """Whether an IMEI is reported stolen here or by a peer CEIR, and since when."""
        limiter.hit(PER_ADDRESS, "imei", _client(request))
        return cases.why_blocked(engine(), imei)

    @api.get("")
    def list_cases(
        request: Request,
        station: str | None = None,
        region: str | None = None,
        status: str | None = None,
        search: str | None = None,
    ) -> list[dict[str, Any]]:
        """Cases, newest first, of a station or region or all."""
        staff(request)
        scope = cases.Scope(station=station, region=region)
        return cases.list_cases(engine(), scope, status=status, search=search)

    @api.get("/alerts")
    def alerts(
        request: Request, station: str | None = None, region: str | None = None
    ) -> list[dict[str, Any]]:
        """Trace alerts, newest first (the read is audited)."""
        actor = staff(request)
        return cases.list_alerts(engine(), actor, cases.Scope(station=station, region=region))

    @api.post("/bulk")
    async def bulk(request: Request, tasks: BackgroundTasks) -> dict[str, Any]:
        """File a CSV of reports (request body, text/csv); a result per row."""
        actor = staff(request)
        data = await request.body()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bulk.csv"
            path.write_bytes(data)
            results = cases.import_bulk(engine(), settings, path, actor=actor, channel="staff")
        after_change(tasks)
        return {"results": [r.as_dict() for r in results]}

    @api.get("/{request_id}")
    def show(request_id: str, request: Request) -> dict[str, Any]:
        """Everything about one case (the read is audited)."""
        return cases.show_case(engine(), request_id, staff(request))

    @api.post("/{request_id}/{action}")
    def change(
        request_id: str,
        action: str,
        body: ChangeRequest,
        request: Request,
        tasks: BackgroundTasks,
    ) -> dict[str, Any]:
        """recover (optionally unblocking), close or reverse a case."""
        actor = staff(request)
        if action == "recover":
            cases.recover(engine(), settings, request_id, actor, unblock=body.unblock)
        elif action == "close":
            cases.close(engine(), settings, request_id, actor, body.reason or "")
        elif action == "reverse":
            cases.reverse(engine(), settings, request_id, actor, body.reason or "")
        else:
            raise InputError(f"{action!r}: use recover, close or reverse", field="action")
        after_change(tasks)
        return cases.show_case(engine(), request_id, actor)

    return api


def install(app: Any, settings: Settings) -> None:
    """Mount the routes and answer rate-limited requests with 429 and Retry-After."""

    @app.exception_handler(TooMany)
    async def _too_many(_request: Request, exc: TooMany) -> JSONResponse:
        response = problem(429, "Too Many Requests", str(exc))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    app.include_router(router(settings))
