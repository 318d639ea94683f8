"""The ledger over HTTP: the C2SP tlog-tiles static layout under `/ledger/`, plus IMEI proofs.

    GET /ledger/checkpoint        the signed checkpoint        (text/plain, max-age=5)
    GET /ledger/tile/<L>/<N>      a full hash tile             (immutable, cached a year)
    GET /ledger/tile/.../.p/<W>   a partial tile               (max-age=5)
    GET /ledger/tile/entries/...  entry bundles, same rules
    GET /ledger/log.vkey          the log's public key
    GET /ledger/proof/<imei>      proof JSON for the IMEI's latest event (no-store)
    POST /ledger/witness/add-checkpoint   C2SP tlog-witness, when this CEIR witnesses others

Only these names are served: tile paths are parsed strictly, so no other file of the ledger
directory (the private key above all) can be reached. The add-checkpoint body is read as a
stream and refused with 413 past MAX_WITNESS_BODY (a checkpoint, 63 proof lines and their
signatures fit in a few KiB), so a huge body is never buffered.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from openceir.errors import NotFound
from openceir.ledger.events import OpenLedger
from openceir.ledger.storage import CHECKPOINT, VKEY, LedgerFiles
from openceir.ledger.witness import Witness
from openceir.settings import Settings
from openceir.tlog.tiles import InvalidTilePath, parse_tile_path
from openceir.tlog.witness import SIZE_CONTENT_TYPE, WitnessError
from openceir.web.errors import problem

MAX_WITNESS_BODY = 64 * 1024
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=5"
TEXT = "text/plain; charset=utf-8"
BINARY = "application/octet-stream"


def router(settings: Settings) -> APIRouter:
    """The `/ledger/` routes for the ledger in `<settings.data_dir>/ledger`."""
    path = settings.paths.ledger
    files = LedgerFiles(path)
    cache = OpenLedger(path)
    api = APIRouter(prefix="/ledger", tags=["ledger"])

    def _read(name: str) -> bytes:
        try:
            return files.read(name)
        except NotFound:
            raise NotFound(f"ledger file {name} does not exist") from None

    @api.get("/checkpoint", response_class=Response)
    def get_checkpoint() -> Response:
        """The latest signed checkpoint (C2SP tlog-checkpoint)."""
        return Response(_read(CHECKPOINT), media_type=TEXT, headers={"Cache-Control": SHORT})

    @api.get("/log.vkey", response_class=Response)
    def get_vkey() -> Response:
        """The log's public key (C2SP vkey), to verify checkpoints."""
        return Response(_read(VKEY), media_type=TEXT, headers={"Cache-Control": SHORT})

    @api.get("/tile/{rest:path}", response_class=Response)
    def get_tile(rest: str) -> Response:
        """A hash tile or entry bundle (C2SP tlog-tiles); full tiles never change."""
        name = f"tile/{rest}"
        try:
            tile = parse_tile_path(name)  # strict and bounded: no file is opened before this
        except InvalidTilePath:
            shown = name if len(name) <= 80 else name[:80] + "..."
            raise NotFound(f"{shown} is not a tile path (C2SP tlog-tiles)") from None
        try:
            _, data = files.read_tile(tile)
        except NotFound:
            raise NotFound(f"ledger tile {name} does not exist") from None
        cache_control = IMMUTABLE if tile.full else SHORT
        return Response(data, media_type=BINARY, headers={"Cache-Control": cache_control})

    @api.get("/proof/{imei}")
    def get_proof(imei: str) -> Response:
        """Proof JSON (checkpoint, entry, audit path) for the latest event about an IMEI."""
        ledger = cache.get()
        bundle: dict[str, Any] = ledger.inclusion_bundle(ledger.latest_index(imei))
        return Response(
            json.dumps(bundle), media_type="application/json", headers={"Cache-Control": "no-store"}
        )

    @api.post("/witness/add-checkpoint", response_class=Response)
    async def add_checkpoint(request: Request) -> Response:
        """C2SP tlog-witness add-checkpoint: cosign another log's checkpoint if consistent."""
        body = await _bounded_body(request, MAX_WITNESS_BODY)
        if body is None:
            return problem(
                413,
                "Content Too Large",
                f"request body above {MAX_WITNESS_BODY} bytes; an add-checkpoint request is "
                "a checkpoint and at most 63 proof lines",
            )
        witness = Witness.open(path / "witness")
        try:
            line = await run_in_threadpool(witness.add_checkpoint, body)
        except WitnessError as exc:
            if exc.body is not None:
                return Response(exc.body, status_code=exc.status, media_type=SIZE_CONTENT_TYPE)
            return Response(str(exc) + "\n", status_code=exc.status, media_type=TEXT)
        return Response(line, media_type=TEXT, headers={"Cache-Control": "no-store"})

    return api


async def _bounded_body(request: Request, limit: int) -> bytes | None:
    """The request body, or None as soon as it is known to exceed `limit` bytes.

    A declared Content-Length above the limit is refused unread; otherwise the body is read
    chunk by chunk and reading stops at the first chunk past the limit.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and (len(declared) > 18 or int(declared) > limit):
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


__all__ = ["router"]
