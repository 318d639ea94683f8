"""List runs over HTTP, for operators' EIRs to download (ITU-T Q Supplement 76 file interface).

    GET /api/v1/lists/key                         the CEIR's public key (public)
    GET /api/v1/lists/runs[?after=RUN&limit=N]    runs, oldest first, cursor-paginated
    GET /api/v1/lists/runs/{run}                  a run's header and the files the caller may read
    GET /api/v1/lists/runs/{run}/manifest         the signed manifest (C2SP note)
    GET /api/v1/lists/runs/{run}/files/{name}     one file, streamed, ETag = its SHA-256

Every route but the key needs a token (see `openceir.web.auth`). The shared lists (blacklist,
barred TACs, tracked, registered) go to every client; `notifications_<op>` and
`exceptions_<op>` (IMSIs, MSISDNs) only to operator `<op>` and to admins, and every such read is
written to the audit log before a byte is sent. Only names the run's manifest lists are served,
and run ids and file names are matched whole against strict patterns: no other path is reachable.
A downloaded run checks with `openceir lists verify --partial DIR`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse

from openceir.errors import NotFound
from openceir.lists.keys import PUBLIC, keys_dir
from openceir.lists.run import (
    MANIFEST,
    SHARED_LISTS,
    has_subscriber_data,
    is_file_name,
    is_run_id,
    lists_dir,
    manifest_files,
    operator_files,
    read_header,
    runs,
)
from openceir.settings import Settings
from openceir.store import audit
from openceir.store.session import connect, session_scope
from openceir.web.auth import AUTH_RESPONSES, Principal, Unauthorized, principal

TEXT = "text/plain; charset=utf-8"
IMMUTABLE = "private, max-age=31536000, immutable"
_TYPES = {".csv": "text/csv; charset=utf-8", ".zip": "application/zip"}


def may_read(who: Principal, name: str) -> bool:
    """Whether `who` may download file `name` of a run (see the module docstring)."""
    if who.role == "admin":
        return True
    if who.role == "operator" and who.operator is not None:
        return name in operator_files(who.operator)
    return name.startswith(SHARED_LISTS) and not has_subscriber_data(name)


def router(settings: Settings) -> APIRouter:
    """The `/api/v1/lists` routes over `<settings.data_dir>/lists`."""
    root = lists_dir(settings.data_dir)
    api = APIRouter(prefix="/api/v1/lists", tags=["lists"])

    def run_dir(run: str):
        if not is_run_id(run) or not (root / run / MANIFEST).is_file():
            raise NotFound(f"list run {run[:40]!r} does not exist")
        return root / run

    def audited(who: Principal, run: str, name: str, request: Request) -> None:
        with session_scope(connect(settings.sqlalchemy_url)) as session:
            audit.record(
                session,
                who.actor,
                "lists.download",
                f"{run}/{name}",
                operator=who.operator,
                role=who.role,
                client=request.client.host if request.client else None,
            )

    @api.get("/key", response_class=Response)
    def get_key() -> Response:
        """The CEIR's Ed25519 public key (C2SP vkey) that signs every run's manifest."""
        path = keys_dir(settings.data_dir) / PUBLIC
        if not path.is_file():
            raise NotFound("this CEIR has no list-signing key yet (`openceir keys init`)")
        return Response(path.read_bytes(), media_type=TEXT, headers={"Cache-Control": "no-cache"})

    @api.get("/runs", responses=AUTH_RESPONSES)
    def list_runs(
        request: Request,
        after: Annotated[str | None, Query(description="Cursor: the last run seen.")] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> dict[str, Any]:
        """Runs on disk, oldest first; `next` is the cursor for the following page."""
        principal(request)
        ids = [r for r in runs(settings.data_dir) if after is None or r > after]
        page = ids[:limit]
        items = []
        for run in page:
            head = read_header(root / run)
            items.append(
                {
                    "run": run,
                    "as_of": head.get("as_of"),
                    "base": None if head.get("base") in (None, "-") else head["base"],
                    "generated": head.get("generated"),
                    "check_digit": head.get("check_digit") == "true",
                    "url": f"/api/v1/lists/runs/{run}",
                }
            )
        return {"runs": items, "next": page[-1] if len(ids) > limit else None}

    @api.get("/runs/{run}", responses=AUTH_RESPONSES)
    def get_run(request: Request, run: str) -> dict[str, Any]:
        """A run's header and the files this caller may download (rows, SHA-256, URL)."""
        who = principal(request)
        path = run_dir(run)
        head = read_header(path)
        files = [
            {
                "name": name,
                "rows": None if rows == "-" else int(rows),
                "sha256": digest,
                "url": f"/api/v1/lists/runs/{run}/files/{name}",
            }
            for name, (rows, digest) in sorted(manifest_files(path).items())
            if may_read(who, name)
        ]
        return {
            "run": run,
            "as_of": head.get("as_of"),
            "base": None if head.get("base") in (None, "-") else head["base"],
            "generated": head.get("generated"),
            "check_digit": head.get("check_digit") == "true",
            "manifest": f"/api/v1/lists/runs/{run}/manifest",
            "files": files,
        }

    @api.get("/runs/{run}/manifest", response_class=Response, responses=AUTH_RESPONSES)
    def get_manifest(request: Request, run: str) -> Response:
        """The run's signed manifest: verify it with the public key, then each file's SHA-256."""
        principal(request)
        data = (run_dir(run) / MANIFEST).read_bytes()
        return Response(data, media_type=TEXT, headers={"Cache-Control": IMMUTABLE})

    @api.get("/runs/{run}/files/{name}", response_class=Response, responses=AUTH_RESPONSES)
    def get_file(request: Request, run: str, name: str) -> Response:
        """One file of a run, streamed; `If-None-Match` with its ETag answers 304."""
        who = principal(request)
        path = run_dir(run)
        listed = manifest_files(path) if is_file_name(name) else {}
        if name not in listed or not (path / name).is_file():
            raise NotFound(f"run {run} has no file {name[:60]!r}")
        if not may_read(who, name):
            raise Unauthorized(403, "insufficient_scope", f"{name} belongs to another operator")
        etag = f'"{listed[name][1]}"'
        headers = {"ETag": etag, "Cache-Control": IMMUTABLE}
        if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
            return Response(status_code=304, headers=headers)
        if has_subscriber_data(name):
            audited(who, run, name, request)
        suffix = name[name.rfind(".") :]
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return FileResponse(path / name, media_type=_TYPES[suffix], headers=headers)

    return api


__all__ = ["may_read", "router"]
