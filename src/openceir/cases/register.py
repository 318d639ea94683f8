"""The stolen register rows a case owns: opened when it blocks, closed when it unblocks.

Rows go into `stolen_list` (openceir.store.registers) in the case's transaction, with
`case_id` = the request ID and `status` = lost/stolen, so classification and the list runs
see them like imported rows. A case takes over a row another source holds for the same IMEI
(an import or a peer's report: the local report wins); the row it replaced is returned so
the case can show where the earlier block came from. Unblocking closes only the case's rows.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from openceir.store.registers import StolenRow


def block(
    session: Session, keys: list[int], request_id: str, kind: str, reported: date, today: date
) -> list[dict[str, str | None]]:
    """Put `keys` on the stolen register for this case; returns the rows it took over."""
    replaced = []
    for key in keys:
        current = session.scalars(
            select(StolenRow).where(StolenRow.imei_key == key, StolenRow.end_date.is_(None))
        ).all()
        if any(row.case_id == request_id for row in current):
            continue
        for row in current:
            replaced.append({"imei_key": str(key), "status": row.status, "case_id": row.case_id})
            row.end_date = today
        session.add(
            StolenRow(
                imei_key=key,
                imei_raw=None,
                start_date=today,
                reporting_date=reported,
                status=kind,
                case_id=request_id,
            )
        )
    return replaced


def unblock(session: Session, keys: list[int], request_id: str, today: date) -> int:
    """Close this case's open stolen rows for `keys`; returns how many."""
    done = session.execute(
        update(StolenRow)
        .where(
            StolenRow.imei_key.in_(keys),
            StolenRow.case_id == request_id,
            StolenRow.end_date.is_(None),
        )
        .values(end_date=today)
    )
    return int(done.rowcount or 0)


def on_register(session: Session, key: int) -> StolenRow | None:
    """The current stolen-register row of an IMEI key, if any."""
    return session.scalars(
        select(StolenRow)
        .where(StolenRow.imei_key == key, StolenRow.end_date.is_(None))
        .order_by(StolenRow.id.desc())
        .limit(1)
    ).first()
