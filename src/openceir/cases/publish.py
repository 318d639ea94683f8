"""Publishing case changes: block/unblock to the running EIRs, reported/recovered to the ledger.

Changes are queued in `case_changes` in the transaction of the state change, then published
here, after the commit: a crash in between leaves the change queued, and the next
`publish_pending` (the API calls it after each change; `openceir cases publish --loop` runs
it as a worker) sends it. Publication is idempotent: a block already applied is applied
again harmlessly. The EIR side is a `Publisher`: the EIR overlay when the EIR package offers
one; without it, the stolen register rows reach the EIRs with the next list run.
The ledger side signs `reported_stolen` / `recovered` events with `[cases] ledger_key`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Engine, select, update

from openceir.errors import OpenceirError
from openceir.settings import Settings
from openceir.store.cases import CaseChange, CaseRow
from openceir.store.models import utcnow
from openceir.store.session import session_scope


class Publisher(Protocol):
    """Tells the running EIRs that IMEI keys are now blocked or unblocked."""

    name: str

    def publish(self, blocked: Sequence[int], unblocked: Sequence[int], reason: str) -> None:
        """Make the change visible to every EIR worker (raise on failure: it is retried)."""


class RegisterOnly:
    """No live channel to the EIRs: the register rows reach them with the next list run."""

    name = "register-only"

    def publish(self, blocked: Sequence[int], unblocked: Sequence[int], reason: str) -> None:
        """Nothing to do beyond the store."""


def publisher_for(settings: Settings) -> Publisher:
    """The EIR overlay publisher when available, else `RegisterOnly`."""
    return RegisterOnly()


@dataclass
class Published:
    """What one pass published: EIR changes and ledger events, and errors left to retry."""

    changes: int = 0
    ledger_events: int = 0
    errors: int = 0


def _ledger_events(engine: Engine, settings: Settings, rows: list[CaseChange]) -> int:
    key_file = settings.cases.ledger_key
    root = settings.data_dir / "ledger"
    if key_file is None or not (root / "checkpoint").exists():
        return 0
    from openceir.ledger import ImeiLedger, sign_event
    from openceir.tlog import parse_skey

    signer = parse_skey(key_file.read_text().strip())
    ledger = ImeiLedger.open(root)
    with session_scope(engine) as session:
        ids = {r.case_id for r in rows}
        cases = {
            c.id: c.request_id for c in session.scalars(select(CaseRow).where(CaseRow.id.in_(ids)))
        }
    batch = [
        sign_event(
            {"type": r.ledger_event, "imeis": sorted(r.imeis), "case": cases[r.case_id]}, signer
        )
        for r in rows
    ]
    indexes = ledger.append(batch)
    with session_scope(engine) as session:
        for row, index in zip(rows, indexes, strict=True):
            change = session.get(CaseChange, row.id)
            if change is not None:
                change.ledger_index, change.ledger_at = index, utcnow()
    return len(rows)


def publish_pending(
    engine: Engine, settings: Settings, publisher: Publisher | None = None
) -> Published:
    """Publish every queued change, oldest first; failures stay queued with their error."""
    publisher = publisher or publisher_for(settings)
    result = Published()
    with session_scope(engine) as session:
        todo = list(
            session.scalars(
                select(CaseChange).where(CaseChange.published_at.is_(None)).order_by(CaseChange.id)
            )
        )
    outcomes: list[tuple[int, str | None]] = []
    for row in todo:
        keys = sorted({int(i[:14]) for i in row.imeis})
        error = None
        try:
            if row.change == "block":
                publisher.publish(keys, [], "stolen")
            elif row.change == "unblock":
                publisher.publish([], keys, "recovered")
        except (OpenceirError, OSError) as exc:  # recorded and retried
            error = f"{type(exc).__name__}: {exc}"
        outcomes.append((row.id, error))
        result.changes += error is None
        result.errors += error is not None
    if outcomes:
        with session_scope(engine) as session:
            for row_id, error in outcomes:
                values = {"error": error} if error else {"error": None, "published_at": utcnow()}
                session.execute(update(CaseChange).where(CaseChange.id == row_id).values(values))
    with session_scope(engine) as session:
        ledger_todo = list(
            session.scalars(
                select(CaseChange)
                .where(CaseChange.ledger_event.is_not(None), CaseChange.ledger_at.is_(None))
                .order_by(CaseChange.id)
            )
        )
    if ledger_todo:
        try:
            result.ledger_events = _ledger_events(engine, settings, ledger_todo)
        except (OpenceirError, OSError) as exc:  # kept queued; the next pass tries again
            result.errors += 1
            with session_scope(engine) as session:
                for row in ledger_todo:
                    change = session.get(CaseChange, row.id)
                    if change is not None:
                        change.error = f"ledger: {type(exc).__name__}: {exc}"
    return result
