"""Registration requests: create, upload IMEIs through the checks, review, approve into the list.

An upload is streamed (`upload.read_batches`), each batch checked in one vectorised pass
(`checks.check_batch`) and its rows inserted in the same transaction, so a bad file or a
crash leaves nothing half-written, and memory holds one batch plus the upload's keys (8
bytes per IMEI). Reviewers decide per IMEI (approve or reject with a reason; an IMEI with a
blocking finding cannot be approved) and then approve or reject the request; approving
copies its approved IMEIs into `registration_list` in one INSERT ... SELECT, opening rows
dated today, which the next classification run and the restrictive EIR mode read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, func, insert, literal, select, text, update
from sqlalchemy.orm import Session

from openceir.errors import InputError, NotFound
from openceir.identifiers.bulk import imei_keys
from openceir.registry import checks, workflow
from openceir.registry.upload import read_batches, sha256_file
from openceir.settings import Settings
from openceir.store import audit
from openceir.store.models import utcnow
from openceir.store.registers import RegistrationRow
from openceir.store.registry import RegistrationRequest, RequestEvent, RequestImei
from openceir.store.session import session_scope

ROLES = ("importer", "manufacturer", "individual", "exporter")
INSERT_CHUNK = 20_000


@dataclass(frozen=True)
class UploadResult:
    """What an upload found: IMEIs read, how many may be approved, findings by code."""

    request_id: int
    imeis: int
    clean: int
    blocked: int
    findings: dict[str, int]


def create_request(
    session: Session,
    *,
    role: str,
    applicant: str,
    make: str,
    model: str,
    actor: str,
    sim_slots: int = 1,
) -> RegistrationRequest:
    """A new request (state `new`) for one make and model; audited."""
    if role not in ROLES:
        raise InputError(f"{role!r} is not one of {', '.join(ROLES)}", field="role")
    if not applicant.strip() or not make.strip() or not model.strip():
        raise InputError("applicant, make and model are required", field="applicant")
    if not 1 <= sim_slots <= 8:
        raise InputError(f"{sim_slots} SIM slots; expected 1 to 8", field="sim_slots")
    req = RegistrationRequest(
        role=role,
        applicant=applicant.strip(),
        make=make.strip(),
        model=model.strip(),
        sim_slots=sim_slots,
        state=workflow.NEW,
        imei_count=0,
    )
    session.add(req)
    session.flush()
    _event(session, req, actor, "create", None, workflow.NEW, None)
    audit.record(session, actor, "registry.request_create", f"request:{req.id}", role=role)
    return req


def get_request(session: Session, request_id: int) -> RegistrationRequest:
    """A request by id, or NotFound."""
    req = session.get(RegistrationRequest, request_id)
    if req is None:
        raise NotFound(f"registration request {request_id} does not exist")
    return req


def _event(
    session: Session,
    req: RegistrationRequest,
    actor: str,
    action: str,
    old: str | None,
    new: str | None,
    note: str | None,
) -> None:
    session.add(
        RequestEvent(
            request_id=req.id, actor=actor, action=action, old_state=old, new_state=new, note=note
        )
    )


def _keys(session: Session, sql: str, **params: Any) -> np.ndarray:
    rows = session.execute(text(sql), params).scalars().all()
    return np.fromiter((r for r in rows if r is not None), dtype=np.int64)


def load_context(session: Session, *, exclude_request: int | None = None) -> checks.Context:
    """The registers the checks read, as they stand now (see `checks.Context`)."""
    from openceir.registry.approvals import approved_tacs

    approved = approved_tacs(session)
    tacs: dict[str, checks.TacInfo] = {}
    rows = session.execute(
        text("SELECT tac, manufacturer, brand, model FROM tac_catalog WHERE end_date IS NULL")
    ).all()
    for tac, manufacturer, brand, model in rows:
        tacs[tac] = checks.TacInfo(manufacturer, brand, model, tac in approved)
    for tac in approved - tacs.keys():
        tacs[tac] = checks.TacInfo(approved=True)
    final = tuple(workflow.FINAL)
    other = _keys(
        session,
        "SELECT i.imei_key FROM registry_request_imeis i JOIN registry_requests r "
        "ON r.id = i.request_id WHERE r.state NOT IN (:f0, :f1, :f2) AND r.id != :me "
        "AND i.decision != 'rejected'",
        f0=final[0],
        f1=final[1],
        f2=final[2],
        me=exclude_request or -1,
    )
    return checks.Context(
        tacs=tacs,
        registered=_keys(session, "SELECT imei_key FROM registration_list WHERE end_date IS NULL"),
        other_requests=other,
        stolen=_keys(session, "SELECT imei_key FROM stolen_list WHERE end_date IS NULL"),
        duplicated=_keys(
            session,
            "SELECT imei_key FROM classification_state WHERE end_date IS NULL "
            "AND condition = 'duplicate'",
        ),
    )


def upload_imeis(
    engine: Engine, settings: Settings, request_id: int, path: Path, *, actor: str
) -> UploadResult:
    """Read a CSV of IMEIs into a request through every check; all or nothing.

    The request must be `new`, `awaiting_documents` or `information_requested`; an upload
    replaces the request's IMEIs and moves it to `pending_review`.
    """
    reg = settings.registry
    with session_scope(engine) as session:
        req = get_request(session, request_id)
        if req.state not in (
            workflow.NEW,
            workflow.AWAITING_DOCUMENTS,
            workflow.INFORMATION_REQUESTED,
        ):
            raise InputError(f"request {request_id} is {req.state}; IMEIs can no longer change")
        limit = min(reg.max_upload_imeis, reg.quotas.get(req.role, reg.max_upload_imeis))
        context = load_context(session, exclude_request=request_id)
        session.execute(RequestImei.__table__.delete().where(RequestImei.request_id == req.id))
        seen = np.empty(0, dtype=np.int64)
        counts: Counter[str] = Counter()
        total = clean = 0
        for batch in read_batches(path, limit):
            keys, masks = checks.check_batch(
                batch.imeis,
                context,
                make=req.make,
                model=req.model,
                devices=batch.devices,
                sim_slots=req.sim_slots,
                seen=seen,
            )
            seen = np.union1d(seen, keys[keys >= 0])
            total += keys.shape[0]
            clean += int(np.count_nonzero((masks & checks.BLOCKING_MASK) == 0))
            for code in checks.FINDINGS:
                counts[code] += int(np.count_nonzero(masks & checks.bit(code)))
            _insert_rows(session, req.id, batch.first_line, batch.imeis, batch.devices, keys, masks)
        if total == 0:
            raise InputError("the upload holds no IMEI", source=Path(path).name)
        old = req.state
        req.upload_sha256 = sha256_file(path)
        req.imei_count, req.state, req.updated_at = total, workflow.PENDING_REVIEW, utcnow()
        _event(session, req, actor, "upload", old, req.state, f"{total} IMEIs, {clean} clean")
        audit.record(
            session,
            actor,
            "registry.upload",
            f"request:{req.id}",
            imeis=total,
            sha256=req.upload_sha256,
        )
    return UploadResult(
        request_id, total, clean, total - clean, {c: n for c, n in counts.items() if n}
    )


_MASK_TEXT: dict[int, str] = {}


def _mask_text(mask: int) -> str:
    text_ = _MASK_TEXT.get(mask)
    if text_ is None:
        text_ = _MASK_TEXT[mask] = " ".join(checks.codes(mask))
    return text_


def _insert_rows(
    session: Session,
    request_id: int,
    first_line: int,
    imeis: np.ndarray,
    devices: np.ndarray | None,
    keys: np.ndarray,
    masks: np.ndarray,
) -> None:
    """Insert one checked batch (chunks of executemany; the findings text per distinct mask)."""
    uniq, inverse = np.unique(masks, return_inverse=True)
    texts = np.array([_mask_text(int(m)) for m in uniq.tolist()], dtype=object)[inverse.ravel()]
    lines = np.arange(first_line, first_line + keys.shape[0])
    key_list = [None if k < 0 else k for k in keys.tolist()]
    dev_list = [d or None for d in devices.tolist()] if devices is not None else None
    raws = [r[:64] for r in imeis.tolist()]
    table = RequestImei.__table__
    for at in range(0, keys.shape[0], INSERT_CHUNK):
        end = min(at + INSERT_CHUNK, keys.shape[0])
        rows = [
            {
                "request_id": request_id,
                "line": line,
                "imei_raw": raw,
                "imei_key": key,
                "device": dev,
                "mask": mask,
                "findings": found,
                "decision": "pending",
                "reason": None,
            }
            for line, raw, key, dev, mask, found in zip(
                lines[at:end].tolist(),
                raws[at:end],
                key_list[at:end],
                dev_list[at:end] if dev_list is not None else [None] * (end - at),
                masks[at:end].tolist(),
                texts[at:end].tolist(),
                strict=True,
            )
        ]
        session.execute(insert(table), rows)


def move(
    session: Session,
    request_id: int,
    action: str,
    *,
    actor: str,
    note: str | None = None,
    assignee: str | None = None,
) -> RegistrationRequest:
    """Apply a workflow action (see `workflow.MOVES`) other than approve/reject; audited."""
    if action in ("approve", "reject"):
        raise InputError("use `finish` to approve or reject a request", field="action")
    req = get_request(session, request_id)
    new = workflow.next_state(req.state, action)
    if action == "assign":
        if not assignee:
            raise InputError("name the reviewer to assign", field="assignee")
        req.assigned_to = assignee
    if action == "request_information" and not (note and note.strip()):
        raise InputError("say what information is needed", field="note")
    old, req.state, req.updated_at = req.state, new, utcnow()
    _event(session, req, actor, action, old, new, note or assignee)
    audit.record(session, actor, f"registry.{action}", f"request:{req.id}", state=new)
    return req


def decide(
    session: Session,
    request_id: int,
    imeis: Sequence[str] | None,
    decision: str,
    *,
    actor: str,
    reason: str | None = None,
) -> int:
    """Approve or reject IMEIs of a request in review (None: every still-pending IMEI that
    may take the decision); returns how many changed. Rejecting needs a reason; approving an
    IMEI with a blocking finding is an InputError naming it."""
    if decision not in ("approved", "rejected"):
        raise InputError(f"{decision!r} is not approved or rejected", field="decision")
    if decision == "rejected" and not (reason and reason.strip()):
        raise InputError("a rejection needs a reason", field="reason")
    req = get_request(session, request_id)
    if req.state != workflow.IN_REVIEW:
        raise InputError(f"request {request_id} is {req.state}, not in_review; assign it first")
    table = RequestImei.__table__
    where = [table.c.request_id == req.id]
    if imeis is None:
        where.append(table.c.decision == "pending")
        if decision == "approved":
            where.append(table.c.mask.op("&")(checks.BLOCKING_MASK) == 0)
    else:
        keys, valid = imei_keys(list(imeis))
        if not valid.all():
            bad = next(i for i, ok in zip(imeis, valid.tolist(), strict=True) if not ok)
            raise InputError(f"{bad!r} is not a valid IMEI", field="imei")
        found = session.execute(
            select(table.c.imei_key, table.c.mask).where(
                table.c.request_id == req.id, table.c.imei_key.in_(keys.tolist())
            )
        ).all()
        have = {k: m for k, m in found}
        missing = [i for i, k in zip(imeis, keys.tolist(), strict=True) if k not in have]
        if missing:
            raise InputError(f"IMEI {missing[0]} is not in request {request_id}", field="imei")
        if decision == "approved":
            blocked = [
                i
                for i, k in zip(imeis, keys.tolist(), strict=True)
                if have[k] & checks.BLOCKING_MASK
            ]
            if blocked:
                why = ", ".join(checks.codes(have[imei_keys([blocked[0]])[0][0]]))
                raise InputError(f"IMEI {blocked[0]} cannot be approved: {why}", field="imei")
        where.append(table.c.imei_key.in_(keys.tolist()))
    changed = session.execute(
        update(table).where(*where).values(decision=decision, reason=reason)
    ).rowcount
    _event(
        session,
        req,
        actor,
        f"imeis_{decision}",
        req.state,
        req.state,
        f"{changed} IMEIs" + (f": {reason}" if reason else ""),
    )
    audit.record(session, actor, f"registry.imeis_{decision}", f"request:{req.id}", count=changed)
    return int(changed or 0)


def finish(
    session: Session,
    request_id: int,
    outcome: str,
    *,
    actor: str,
    reason: str | None = None,
    today: date | None = None,
) -> int:
    """Approve or reject a request in review; on approval its approved IMEIs join the
    registration list (rows opened `today`). Returns how many IMEIs were registered."""
    action = {"approved": "approve", "rejected": "reject"}.get(outcome)
    if action is None:
        raise InputError(f"{outcome!r} is not approved or rejected", field="outcome")
    req = get_request(session, request_id)
    new = workflow.next_state(req.state, action)
    table = RequestImei.__table__
    registered = 0
    if outcome == "approved":
        pending = session.execute(
            select(func.count()).where(table.c.request_id == req.id, table.c.decision == "pending")
        ).scalar_one()
        if pending:
            raise InputError(f"{pending} IMEIs of request {request_id} are still undecided")
        registered = _register(session, req, today or date.today())
    else:
        if not (reason and reason.strip()):
            raise InputError("a rejection needs a reason", field="reason")
        session.execute(
            update(table)
            .where(table.c.request_id == req.id, table.c.decision == "pending")
            .values(decision="rejected", reason=reason)
        )
    old, req.state, req.updated_at = req.state, new, utcnow()
    _event(session, req, actor, action, old, new, reason or f"{registered} IMEIs registered")
    audit.record(session, actor, f"registry.{action}", f"request:{req.id}", registered=registered)
    return registered


def _register(session: Session, req: RegistrationRequest, today: date) -> int:
    """Open registration_list rows for the request's approved IMEIs (one INSERT ... SELECT)."""
    reg = RegistrationRow.__table__
    imeis = RequestImei.__table__
    values = {
        "make": req.make,
        "model": req.model,
        "status": "approved",
        "device_id": f"request:{req.id}",
        "start_date": today,
    }
    source = select(
        imeis.c.imei_key,
        imeis.c.imei_raw,
        *(literal(v, reg.c[c].type).label(c) for c, v in values.items()),
    ).where(imeis.c.request_id == req.id, imeis.c.decision == "approved")
    cols = ["imei_key", "imei_raw", "make", "model", "status", "device_id", "start_date"]
    count = session.execute(
        select(func.count()).where(imeis.c.request_id == req.id, imeis.c.decision == "approved")
    ).scalar_one()
    session.execute(insert(reg).from_select(cols, source))
    return int(count)


def imeis_of(
    session: Session, request_id: int, *, limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    """Per-IMEI results of a request (line, IMEI, findings with reasons, decision), by line."""
    table = RequestImei.__table__
    rows = session.execute(
        select(table.c.line, table.c.imei_raw, table.c.mask, table.c.decision, table.c.reason)
        .where(table.c.request_id == request_id)
        .order_by(table.c.line)
        .limit(limit)
        .offset(offset)
    ).all()
    return [
        {
            "line": line,
            "imei": raw,
            "decision": decision,
            "reason": reason,
            "findings": [
                {"code": c, "reason": checks.FINDINGS[c][1], "blocking": c in checks.BLOCKING}
                for c in checks.codes(mask)
            ],
        }
        for line, raw, mask, decision, reason in rows
    ]


def trail(session: Session, request_id: int) -> Sequence[RequestEvent]:
    """The request's audit trail, oldest first."""
    query = select(RequestEvent).where(RequestEvent.request_id == request_id)
    return session.scalars(query.order_by(RequestEvent.id)).all()


__all__ = [
    "ROLES",
    "UploadResult",
    "create_request",
    "decide",
    "finish",
    "get_request",
    "imeis_of",
    "load_context",
    "move",
    "trail",
    "upload_imeis",
]
