"""Know Your Mobile over HTTP: public answers, SMS text and signed receipts; bulk for clients.

    GET  /api/v1/kym/{imei}           the answer (JSON)                        public
    GET  /api/v1/kym/{imei}/sms       the one-SMS answer (text/plain, <= 160)  public
    GET  /api/v1/kym/{imei}/receipt   the signed, offline-verifiable receipt   public
    POST /api/v1/kym/bulk             a CSV with an `imei` column -> CSV rows  OAuth2 client

The public routes never carry subscriber data (the answer holds none) and are logged
(IMEI and outcome, no client address); rate limiting is the web app's middleware. The bulk
body is streamed to a temporary file with a bound (413 above it), then answered row by row.
"""

from __future__ import annotations

import io
import logging
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from openceir.registry import kym
from openceir.registry.bulk import check_file
from openceir.registry.receipt import issue_receipt
from openceir.settings import Settings
from openceir.store.session import connect, session_scope
from openceir.web.auth import principal
from openceir.web.errors import problem

MAX_BULK_BODY = 64 * 1024 * 1024
log = logging.getLogger("openceir.kym")


def router(settings: Settings) -> APIRouter:
    """The `/api/v1/kym` routes over the store of `settings`."""
    api = APIRouter(prefix="/api/v1/kym", tags=["kym"])

    def _answer(imei: str) -> kym.Answer:
        with session_scope(connect(settings.sqlalchemy_url)) as session:
            found = kym.lookup(session, imei, date.today())
        log.info("kym %s valid=%s status=%s", found.imei[:32], found.valid, found.status)
        return found

    @api.post("/bulk", response_class=Response)
    async def bulk(request: Request) -> Response:
        """Answer every IMEI of a CSV body (an `imei` column), one CSV row each."""
        principal(request)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bulk.csv"
            size = 0
            with path.open("wb") as fh:
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > MAX_BULK_BODY:
                        return problem(
                            413, "Content Too Large", f"request body above {MAX_BULK_BODY} bytes"
                        )
                    fh.write(chunk)
            text = await run_in_threadpool(_bulk_file, path)
        return Response(
            text, media_type="text/csv; charset=utf-8", headers={"Cache-Control": "no-store"}
        )

    def _bulk_file(path: Path) -> str:
        with session_scope(connect(settings.sqlalchemy_url)) as session:
            index = kym.KymIndex.load(session, date.today())
        out = io.StringIO()
        count = check_file(index, path, out)
        log.info("kym bulk %d IMEIs", count)
        return out.getvalue()

    @api.get("/{imei}")
    def get_answer(imei: str) -> dict[str, Any]:
        """What the CEIR knows about a phone: model, validity, approval, registration, status."""
        return _answer(imei).as_dict()

    @api.get("/{imei}/sms", response_class=Response)
    def get_sms(imei: str) -> Response:
        """The answer as one SMS of at most 160 characters, for SMS gateways (`KYM <imei>`)."""
        return Response(kym.sms_text(_answer(imei)), media_type="text/plain; charset=utf-8")

    @api.get("/{imei}/receipt")
    def get_receipt(imei: str) -> Response:
        """A signed receipt of the answer, with the ledger proof where one exists."""
        import json

        with session_scope(connect(settings.sqlalchemy_url)) as session:
            receipt = issue_receipt(session, settings, imei)
        return Response(
            json.dumps(receipt),
            media_type="application/json",
            headers={
                "Cache-Control": "no-store",
                "Content-Disposition": 'attachment; filename="kym-receipt.json"',
            },
        )

    return api


__all__ = ["MAX_BULK_BODY", "router"]
