"""N5g-eir Equipment Identity Check (3GPP TS 29.511 §5.2.2) as a lean ASGI application.

`GET /n5g-eir-eic/v1/equipment-status?pei=…[&supi=…][&gpsi=…]` answers `{"status": …}` with an
EquipmentStatus (TS 29.511 §6.1.6.3.2). Errors are `application/problem+json` ProblemDetails
(TS 29.571 §5.2.4.1) with the `cause` of TS 29.500 Table 5.2.7.2-1 / TS 29.511 Table 6.1.7.3-1:
MANDATORY_IE_MISSING, MANDATORY_IE_INCORRECT, OPTIONAL_IE_INCORRECT (400),
ERROR_EQUIPMENT_UNKNOWN (404, restrictive mode when so configured). With an OAuth2 authority,
requests need a Bearer token with scope `n5g-eir-eic` (401 otherwise, RFC 6750 §3), issued by
`POST /oauth2/token` (client credentials). `GET /metrics` is the Prometheus exposition.

Plain ASGI rather than FastAPI on purpose: the hot path is one dict lookup of the route, one
query parse and one searchsorted (see docs/BENCHMARKS.md for the measured difference).
"""

from __future__ import annotations

import asyncio
import json
import signal
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from openceir.access import token_endpoint
from openceir.access.tokens import Authority, TokenError, bearer_challenge
from openceir.eir.check_events import CheckEventLog
from openceir.eir.metrics import Metrics
from openceir.eir.pei import parse_gpsi, parse_pei, parse_supi
from openceir.eir.service import EirService
from openceir.eir.snapshot.format import STATUS_NAMES, UNKNOWN
from openceir.errors import InputError

PATH = "/n5g-eir-eic/v1/equipment-status"
# The whole answer per status, built once: body and headers are never rebuilt per request.
_BODIES = [json.dumps({"status": name}, separators=(",", ":")).encode() for name in STATUS_NAMES]
_HEADERS = [
    [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    for body in _BODIES
]

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def problem(
    status: int, title: str, detail: str, cause: str | None = None, param: str | None = None
) -> bytes:
    """A ProblemDetails body (TS 29.571 §5.2.4.1)."""
    body: dict[str, Any] = {"title": title, "status": status, "detail": detail}
    if cause:
        body["cause"] = cause
    if param:
        body["invalidParams"] = [{"param": param, "reason": detail}]
    return json.dumps(body).encode()


async def _respond(
    send: Send,
    status: int,
    body: bytes,
    headers: list | None = None,
    content_type: bytes = b"application/json",
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def query_params(raw: bytes) -> dict[str, str]:
    """The query string as a dict, as `dict(parse_qsl(...))` has it (last value wins, empty
    values dropped), splitting by hand when nothing is percent-encoded (the usual case)."""
    text = raw.decode("latin-1")
    if "%" in text or "+" in text:
        return dict(parse_qsl(text))
    params = {}
    for pair in text.split("&"):
        name, _, value = pair.partition("=")
        if value:
            params[name] = value
    return params


def pei_key(text: str) -> int | None:
    """The IMEI key of a PEI (None for MAC/EUI forms), or InputError on field `pei`.

    `imei-` with 15 ASCII digits, the form AMFs send most, is read here directly; every other
    form goes to `openceir.eir.pei.parse_pei`, which agrees on that one (tests/eir/test_n5g.py).
    """
    if len(text) == 20 and text.startswith("imei-") and text.isascii() and text[5:].isdigit():
        return int(text[5:19])
    return parse_pei(text).key


async def _read_body(receive: Receive, limit: int = 16384) -> bytes:
    chunks, size = [], 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise InputError("request body too large", field="body")
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


class N5gEirApp:
    """The ASGI app: equipment-status, OAuth2 token endpoint, metrics; lifespan reloads."""

    def __init__(
        self,
        service: EirService,
        *,
        authority: Authority | None = None,
        events: CheckEventLog | None = None,
        metrics: Metrics | None = None,
        flush_interval: float = 5.0,
    ) -> None:
        self.service = service
        self.authority = authority
        self.events = events
        self.metrics = metrics or Metrics()
        self.flush_interval = flush_interval
        self._last_flush = time.monotonic()
        self._flushing = False
        self._task: asyncio.Task | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            path = scope["path"]
            if path == PATH:
                await self.equipment_status(scope, send)
            elif path == "/oauth2/token":
                await self.token(scope, receive, send)
            elif path == "/metrics":
                await self.metrics_page(send)
            else:
                await _respond(
                    send,
                    404,
                    problem(404, "Not Found", f"no resource {path}"),
                    content_type=b"application/problem+json",
                )
        elif kind == "lifespan":
            await self.lifespan(receive, send)

    # ------------------------------------------------------------ equipment status

    async def equipment_status(self, scope: Scope, send: Send) -> None:
        """Answer one equipment check; every outcome is counted in the metrics."""
        started = time.perf_counter()
        self.service.maybe_reload()
        if scope["method"] != "GET":
            await self._problem(send, started, 405, "Method Not Allowed", "use GET", None)
            return
        source = None
        if self.authority is not None:
            try:
                claims = self.authority.verify(_header(scope, b"authorization"))
            except TokenError as exc:
                await self._problem(
                    send,
                    started,
                    401,
                    "Unauthorized",
                    exc.reason,
                    None,
                    headers=[(b"www-authenticate", bearer_challenge(exc.error).encode())],
                )
                return
            source = str(claims.get("operator") or claims.get("sub"))
        query = query_params(scope["query_string"])
        pei_text = query.get("pei")
        if not pei_text:
            await self._problem(
                send,
                started,
                400,
                "Bad Request",
                "query parameter pei is missing",
                "MANDATORY_IE_MISSING",
                "pei",
            )
            return
        try:
            key = pei_key(pei_text)
        except InputError as exc:
            await self._problem(
                send, started, 400, "Bad Request", exc.reason, "MANDATORY_IE_INCORRECT", "pei"
            )
            return
        imsi = msisdn = None
        try:
            if "supi" in query:
                imsi = parse_supi(query["supi"])
            if "gpsi" in query:
                msisdn = parse_gpsi(query["gpsi"])
        except InputError as exc:
            await self._problem(
                send, started, 400, "Bad Request", exc.reason, "OPTIONAL_IE_INCORRECT", exc.field
            )
            return
        status, _reason, _snap = self.service.check(key, imsi)
        if self.events is not None and (imsi or msisdn):
            self._record(source, pei_text, key, imsi, msisdn, STATUS_NAMES[status])
        if status == UNKNOWN:
            await self._problem(
                send,
                started,
                404,
                "Not Found",
                "equipment is not registered",
                "ERROR_EQUIPMENT_UNKNOWN",
            )
            return
        await send({"type": "http.response.start", "status": 200, "headers": _HEADERS[status]})
        await send({"type": "http.response.body", "body": _BODIES[status]})
        self.metrics.observe("n5g", STATUS_NAMES[status], time.perf_counter() - started)

    async def _problem(
        self,
        send: Send,
        started: float,
        status: int,
        title: str,
        detail: str,
        cause: str | None,
        param: str | None = None,
        headers: list | None = None,
    ) -> None:
        await _respond(
            send,
            status,
            problem(status, title, detail, cause, param),
            headers,
            b"application/problem+json",
        )
        self.metrics.observe("n5g", cause or str(status), time.perf_counter() - started)

    def _record(
        self,
        source: str | None,
        pei: str,
        key: int | None,
        imsi: str | None,
        msisdn: str | None,
        status: str,
    ) -> None:
        events = self.events
        assert events is not None
        if events.record(
            when=time.time(),
            source=source,
            interface="n5g",
            imei_key=key,
            pei=pei,
            imsi=imsi,
            msisdn=msisdn,
            status=status,
        ):
            self.metrics.duplicates += 1
        if events.due():
            self._flush_soon()

    def _flush_soon(self) -> None:
        if self.events is None or self._flushing or not self.events.pending:
            return
        self._flushing = True
        self._last_flush = time.monotonic()

        def done(_future: object) -> None:
            self._flushing = False

        try:
            future = asyncio.get_running_loop().run_in_executor(None, self.events.flush)
            future.add_done_callback(done)
        except RuntimeError:
            self.events.flush()
            self._flushing = False

    # ------------------------------------------------------------ token, metrics, lifespan

    async def token(self, scope: Scope, receive: Receive, send: Send) -> None:
        """OAuth2 token endpoint: the one implementation of `openceir.access.token_endpoint`."""
        try:
            body = await _read_body(receive, token_endpoint.MAX_BODY)
        except InputError:
            body = b"x" * (token_endpoint.MAX_BODY + 1)  # answered 413 below, unread rest dropped
        answer = token_endpoint.answer(
            self.authority, scope["method"], _header(scope, b"authorization"), body
        )
        headers = [(k.encode(), v.encode()) for k, v in answer.all_headers().items()]
        payload = answer.json()
        await send(
            {
                "type": "http.response.start",
                "status": answer.status,
                "headers": [*headers, (b"content-length", str(len(payload)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    async def metrics_page(self, send: Send) -> None:
        """Prometheus text exposition of this process."""
        snap = self.service.snapshot
        text = self.metrics.render(
            generation=self.service.generation, run_id=snap.run_id, generated_at=snap.generated_at
        )
        await _respond(send, 200, text.encode(), content_type=b"text/plain; version=0.0.4")

    async def _housekeeping(self) -> None:
        while True:
            await asyncio.sleep(min(1.0, self.flush_interval))
            self.service.maybe_reload()
            if time.monotonic() - self._last_flush >= self.flush_interval:
                self._flush_soon()

    async def lifespan(self, receive: Receive, send: Send) -> None:
        """Start the reload/flush task and the SIGHUP reload; flush events at shutdown."""
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._task = asyncio.create_task(self._housekeeping())
                try:
                    asyncio.get_running_loop().add_signal_handler(
                        signal.SIGHUP, self.service.reload
                    )
                except (NotImplementedError, RuntimeError, ValueError):
                    pass
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._task:
                    self._task.cancel()
                if self.events is not None:
                    await asyncio.get_running_loop().run_in_executor(None, self.events.flush)
                await send({"type": "lifespan.shutdown.complete"})
                return


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


__all__ = ["PATH", "N5gEirApp", "pei_key", "problem", "query_params"]
