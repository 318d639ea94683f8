"""What the CEIR knows about an IMEI or a TAC, as handle values from independent providers.

A provider is a function `(context, kind, identifier) -> list[HandleValue]`, one per source of
facts (the identifier itself, the TAC catalog, the registers, the ledger). Each owns a block
of indexes so a value keeps its index as sources are added. A record exists when some
provider other than the syntax one knows the identifier; otherwise it is NotFound.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cached_property
from typing import Any

from sqlalchemy import Engine, select

from openceir.errors import InputError, NotFound
from openceir.identifiers import imei as imei_id
from openceir.ledger.events import OpenLedger
from openceir.resolve.handle import HandleValue
from openceir.settings import Settings
from openceir.store.registers import RegistrationRow, StolenRow, TacCatalog
from openceir.store.session import connect, session_scope


@dataclass
class ResolverContext:
    """Settings plus the lazily opened store and ledger, shared by every request of one app."""

    settings: Settings

    @cached_property
    def engine(self) -> Engine:
        return connect(self.settings.sqlalchemy_url)

    @cached_property
    def ledger(self) -> OpenLedger:
        return OpenLedger(self.settings.paths.ledger)


Provider = Callable[[ResolverContext, str, str], list[HandleValue]]


def _stamp(value: date | datetime | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, time(), tzinfo=UTC)


def identifier_values(ctx: ResolverContext, kind: str, ident: str) -> list[HandleValue]:
    """Indexes 1-9: the canonical identifier and its parts, with a link back to this record."""
    if kind == "IMEI":
        canonical = imei_id.validate(ident)
        tac = canonical[:8]
        handle = f"{ctx.settings.handle_prefix}/IMEI.{canonical}"
        return [
            HandleValue(1, "URL", f"{ctx.settings.public_url.rstrip('/')}/api/handles/{handle}"),
            HandleValue(2, "IMEI", canonical),
            HandleValue(3, "TAC", tac),
            HandleValue(4, "SERIAL", canonical[8:14]),
        ]
    if not (len(ident) == 8 and ident.isascii() and ident.isdigit()):
        raise InputError(f"{ident} is not a TAC (8 digits)", field="suffix")
    handle = f"{ctx.settings.handle_prefix}/TAC.{ident}"
    return [
        HandleValue(1, "URL", f"{ctx.settings.public_url.rstrip('/')}/api/handles/{handle}"),
        HandleValue(3, "TAC", ident),
    ]


def tac_values(ctx: ResolverContext, kind: str, ident: str) -> list[HandleValue]:
    """Indexes 10-19: the device model of the TAC, from the TAC catalog."""
    tac = imei_id.validate(ident)[:8] if kind == "IMEI" else ident
    query = select(TacCatalog).where(TacCatalog.tac == tac, TacCatalog.end_date.is_(None))
    with session_scope(ctx.engine) as session:
        row = session.scalars(query).first()
    if row is None:
        return []
    stamp = _stamp(row.allocation_date)
    out = [
        HandleValue(10, "MANUFACTURER", row.manufacturer or "", timestamp=stamp),
        HandleValue(11, "MODEL", row.model or "", timestamp=stamp),
        HandleValue(12, "DEVICE_TYPE", row.device_type or "", timestamp=stamp),
    ]
    if row.rats:
        out.append(HandleValue(13, "RATS", ",".join(row.rats), timestamp=stamp))
    if row.allocation_date:
        out.append(HandleValue(14, "ALLOCATION_DATE", row.allocation_date.isoformat()))
    return out


def _current(ctx: ResolverContext, model: type[Any], key: int) -> Any | None:
    query = select(model).where(model.imei_key == key, model.end_date.is_(None))
    with session_scope(ctx.engine) as session:
        return session.scalars(query).first()


def register_values(ctx: ResolverContext, kind: str, ident: str) -> list[HandleValue]:
    """Indexes 20-29: registration and stolen status from the registers (no personal data)."""
    if kind != "IMEI":
        return []
    key = imei_id.key(ident)
    if key is None:
        return []
    out: list[HandleValue] = []
    registered = _current(ctx, RegistrationRow, key)
    if registered is not None:
        stamp = _stamp(registered.start_date)
        out.append(
            HandleValue(20, "REGISTERED", registered.status or "registered", timestamp=stamp)
        )
    stolen = _current(ctx, StolenRow, key)
    if stolen is not None:
        when = stolen.reporting_date or stolen.start_date
        out.append(HandleValue(21, "REPORTED_STOLEN", when.isoformat(), timestamp=_stamp(when)))
    return out


def ledger_values(ctx: ResolverContext, kind: str, ident: str) -> list[HandleValue]:
    """Indexes 30-39: the IMEI's events on the ledger and a link to the latest one's proof."""
    if kind != "IMEI":
        return []
    canonical = imei_id.validate(ident)
    try:
        events = ctx.ledger.get().events_for(canonical)
    except NotFound:  # no ledger yet
        return []
    if not events:
        return []
    index, latest = events[-1]
    base = ctx.settings.public_url.rstrip("/")
    return [
        HandleValue(30, "LEDGER_EVENTS", str(len(events))),
        HandleValue(31, "LEDGER_LATEST", f"{latest.get('type')} (entry {index})"),
        HandleValue(32, "LEDGER_PROOF", f"{base}/ledger/proof/{canonical}"),
    ]


PROVIDERS: list[Provider] = [identifier_values, tac_values, register_values, ledger_values]


def resolve(ctx: ResolverContext, kind: str, ident: str) -> list[HandleValue]:
    """Every value the providers know; NotFound if only the identifier's syntax is known."""
    values = identifier_values(ctx, kind, ident)
    known = [v for provider in PROVIDERS[1:] for v in provider(ctx, kind, ident)]
    if not known:
        raise NotFound(f"the CEIR has no record of {kind} {ident}")
    return values + known
