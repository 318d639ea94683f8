"""The admin's audit log page: search who did what, when (every change, every read of
subscriber data); the search itself is audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from openceir.access.roles import ADMIN, Principal
from openceir.store import audit
from openceir.store.session import session_scope
from openceir.web.portal.guard import PageError, require_role
from openceir.web.portal.render import render

router = APIRouter(include_in_schema=False)
PAGE = 50


def _day(value: str, field: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise PageError(400, f"{field}: write the date as YYYY-MM-DD, e.g. 2026-12-01") from None


@router.get("/admin/audit")
def audit_page(
    request: Request,
    who: Annotated[Principal, Depends(require_role(ADMIN))],
    actor: str = "",
    action: str = "",
    target: str = "",
    since: str = "",
    until: str = "",
    page: int = 1,
) -> Response:
    """Search the audit log by actor, action, target and date range, newest first."""
    filters = {k: v[:100] for k, v in dict(actor=actor, action=action, target=target).items()}
    start, end = _day(since[:10], "since"), _day(until[:10], "until")
    page = max(1, min(page, 10_000))
    with session_scope(request.app.state.engine) as session:
        rows, total = audit.search(
            session,
            since=start,
            until=end + timedelta(days=1) if end else None,
            limit=PAGE,
            offset=(page - 1) * PAGE,
            **{k: v or None for k, v in filters.items()},
        )
        audit.record(
            session,
            who.actor,
            "audit.search",
            None,
            filters={**filters, "since": since, "until": until},
        )
    context = {
        "rows": rows,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE)),
        "filters": {**filters, "since": since[:10], "until": until[:10]},
    }
    return render(request, "admin_audit.html", context)


__all__ = ["router"]
