"""The outbox: messages are written with the change that causes them and sent afterwards.

`enqueue` renders a template and adds a pending row to the caller's session, so the message
commits or rolls back with the change (no message without its change, no change without its
message). `flush` sends what is due: each row is first claimed (its next attempt moved a
lease ahead, rows locked by another flusher skipped on PostgreSQL), then sent, then marked
sent, or rescheduled with exponential back-off. Delivery is at least once: a crash between
the send and the mark sends the message again. After `max_attempts` a row is `failed`, kept,
and `retry_failed` puts it back in the queue; rows are never deleted.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from openceir.errors import InputError
from openceir.notify.channels import KINDS, Channel, DeliveryError, Message, channels_for
from openceir.notify.templates import render
from openceir.settings import Settings
from openceir.store.models import utcnow
from openceir.store.notify import OutboxMessage
from openceir.store.session import session_scope

PENDING, SENT, FAILED = "pending", "sent", "failed"
LEASE = timedelta(seconds=120)


def backoff(attempts: int, base: float, cap: float) -> float:
    """Seconds to wait after the `attempts`-th failure: base * 2**(attempts-1), at most cap."""
    return min(cap, base * 2 ** max(0, attempts - 1))


def enqueue(
    session: Session,
    settings: Settings,
    kind: str,
    address: str,
    template: str,
    context: Mapping[str, Any],
    *,
    language: str | None = None,
    reference: str | None = None,
    dedup_key: str | None = None,
) -> OutboxMessage | None:
    """Add a rendered message to the session's transaction; None when `dedup_key` was queued."""
    if kind not in KINDS:
        raise InputError(f"message kind {kind!r}: use one of {', '.join(KINDS)}", field="kind")
    if dedup_key is not None:
        session.flush()
        found = session.scalar(select(OutboxMessage).where(OutboxMessage.dedup_key == dedup_key))
        if found is not None:
            return None
    language = language or settings.notify.language
    subject, body = render(settings, template, language, context)
    row = OutboxMessage(
        kind=kind,
        address=address,
        template=template,
        language=language,
        subject=subject,
        body=body,
        reference=reference,
        dedup_key=dedup_key,
        status=PENDING,
        attempts=0,
        created_at=utcnow(),
        next_attempt_at=utcnow(),
    )
    session.add(row)
    return row


@dataclass
class FlushResult:
    """What one flush did: messages sent, failed this time (to retry), given up."""

    sent: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def tried(self) -> int:
        """How many messages were attempted."""
        return self.sent + self.retried + self.failed


def _claim(engine: Engine, now: datetime, limit: int) -> list[OutboxMessage]:
    with session_scope(engine) as session:
        rows = list(
            session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now)
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        for row in rows:
            row.next_attempt_at = now + LEASE
        return rows


def flush(
    engine: Engine,
    settings: Settings,
    channels: Mapping[str, Channel] | None = None,
    *,
    now: datetime | None = None,
    limit: int = 100,
) -> FlushResult:
    """Send the messages that are due (at most `limit`); failures are rescheduled, not lost."""
    channels = channels or channels_for(settings)
    cfg = settings.notify
    result = FlushResult()
    outcomes: list[tuple[int, dict[str, Any]]] = []
    for row in _claim(engine, now or utcnow(), limit):
        channel = channels[row.kind]
        message = Message(row.kind, row.address, row.subject, row.body, row.id)
        error: str | None = None
        try:
            channel.send(message)
        except DeliveryError as exc:
            error = str(exc)
        done = utcnow()
        attempts = row.attempts + 1
        values: dict[str, Any] = {"attempts": attempts, "channel": channel.name}
        if error is None:
            values |= {"status": SENT, "sent_at": done, "last_error": None}
            result.sent += 1
        elif attempts >= cfg.max_attempts:
            values |= {"status": FAILED, "last_error": error}
            result.failed += 1
        else:
            wait = backoff(attempts, cfg.retry_base_seconds, cfg.retry_max_seconds)
            values |= {"last_error": error, "next_attempt_at": done + timedelta(seconds=wait)}
            result.retried += 1
        outcomes.append((row.id, values))
    if outcomes:  # one transaction for the batch; a crash before it resends (at least once)
        with session_scope(engine) as session:
            for row_id, values in outcomes:
                session.execute(
                    update(OutboxMessage).where(OutboxMessage.id == row_id).values(values)
                )
    return result


def retry_failed(engine: Engine) -> int:
    """Put every failed message back in the queue, due now; returns how many."""
    with session_scope(engine) as session:
        done = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == FAILED)
            .values(status=PENDING, attempts=0, next_attempt_at=utcnow())
        )
        return int(done.rowcount or 0)


def pending(engine: Engine) -> list[OutboxMessage]:
    """Messages not yet sent (pending and failed), oldest first."""
    with session_scope(engine) as session:
        return list(
            session.scalars(
                select(OutboxMessage).where(OutboxMessage.status != SENT).order_by(OutboxMessage.id)
            )
        )


def run_worker(
    engine: Engine,
    settings: Settings,
    *,
    interval: float = 1.0,
    stop: Any = None,
    channels: Mapping[str, Channel] | None = None,
) -> None:
    """Flush every `interval` seconds until `stop` (a threading.Event) is set."""
    channels = channels or channels_for(settings)
    while stop is None or not stop.is_set():
        flush(engine, settings, channels)
        if stop is not None:
            stop.wait(interval)
        else:
            time.sleep(interval)
