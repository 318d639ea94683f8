"""The national stolen list on the IMEI ledger: one `reported_stolen` event per open record.

The ledger holds no personal data, not even the national case id: a short hash of the case
and the IMEI key names the case (`case_reference`), so later events of the same case can say
so without revealing it. Publishing is idempotent: an IMEI the ledger already holds is skipped.
The inverse direction, peers' reports into the stolen list, is `foreign_stolen`.

>>> case_reference("C-17", 35209900176148)
'case-pjqy34bvrunxgasg'
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Engine, select

from openceir.identifiers import imei as imei_id
from openceir.ledger.entries import sign_event
from openceir.ledger.events import ImeiLedger
from openceir.store.registers import StolenRow
from openceir.store.session import session_scope
from openceir.tlog.note import Signer

__all__ = ["case_reference", "open_stolen", "publish_stolen", "report_events"]


def case_reference(case_id: str | None, key: int) -> str:
    """A case name for the ledger: a 16-letter hash of the case id and the IMEI key (pure)."""
    digest = hashlib.sha256(f"{case_id}:{key}".encode()).digest()
    return "case-" + base64.b32encode(digest).decode()[:16].lower()


def open_stolen(engine: Engine) -> list[tuple[int, str | None]]:
    """(IMEI key, case id) of every stolen-list record still open; malformed IMEIs left out."""
    with session_scope(engine) as session:
        rows = session.execute(
            select(StolenRow.imei_key, StolenRow.case_id)
            .where(StolenRow.end_date.is_(None), StolenRow.imei_key.is_not(None))
            .order_by(StolenRow.imei_key)
        ).all()
    return [(key, case) for key, case in rows]


def report_events(
    rows: Iterable[tuple[int, str | None]],
    signer: Signer,
    known: Callable[[str], Any] = lambda _imei: None,
) -> list[dict[str, Any]]:
    """Signed `reported_stolen` entries for the rows whose IMEI `known` does not return."""
    batch = []
    for key, case in rows:
        imei = imei_id.validate(f"{key:014d}")
        if not known(imei):
            event = {"type": "reported_stolen", "imeis": [imei], "case": case_reference(case, key)}
            batch.append(sign_event(event, signer))
    return batch


def publish_stolen(ledger: ImeiLedger, engine: Engine, signer: Signer) -> int:
    """Append a report for each open stolen record the ledger lacks; returns how many."""
    batch = report_events(open_stolen(engine), signer, ledger.index.lookup)
    if batch:
        ledger.append(batch)
    return len(batch)
