"""Know Your Mobile: the public answer about one IMEI, and the same for many at once.

The answer says what the registers and the last classification say about a device: brand
and model (TAC catalog), valid or not (3GPP TS 23.003 check digit), type-approved,
registered (registration list, exempt list or an active traveller registration), reported
stolen, duplicated (used by several SIMs), and its network status: `allowed`, `grace`
(blocked on DATE unless the cause is fixed) or `blocked` since DATE, with why and what the
owner can do next. It never says anything about subscribers: no IMSI, MSISDN or name is
read into the index.

`KymIndex.load` reads the registers once into sorted key arrays; `answer` is a pure function
of the IMEI text and the `Facts` the index gives for it; `KymIndex.bulk` answers a whole
array with the same rules in numpy column operations (a test proves both agree).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from openceir.identifiers import imei as imei_id
from openceir.identifiers.bulk import imei_keys

ALLOWED, GRACE, BLOCKED = "allowed", "grace", "blocked"
NO_DATE = np.iinfo(np.int64).max

NEXT_STEPS: dict[str, str] = {
    "invalid": "Check the IMEI: dial *#06# on the phone and type the 15 digits it shows.",
    "stolen": "Do not buy this phone. If it is yours and was found, ask the police to report "
    "it recovered.",
    "duplicate": "Another phone uses the same IMEI. If this phone is yours, claim it with the "
    "purchase receipt and the box label before the block date.",
    "not_registered": "Register the phone before the block date (importer, shop or owner "
    "registration).",
    "not_type_approved": "This model is not approved for sale here; ask the seller for an "
    "approved model.",
    "blocked": "Contact the regulator with the reason shown to have the block reviewed.",
    "ok": "Nothing to do: the phone may be used on every network.",
}
"""What the owner can do, per main reason; one short sentence each."""


@dataclass(frozen=True)
class Facts:
    """What the registers say about one IMEI body (14-digit key)."""

    brand: str | None = None
    model: str | None = None
    type_approved: bool = False
    registered: bool = False
    stolen: bool = False
    duplicated: bool = False
    exempt: bool = False
    block_date: date | None = None
    reasons: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    """The public answer about one IMEI (JSON-ready through `as_dict`)."""

    imei: str
    valid: bool
    brand: str | None
    model: str | None
    type_approved: bool
    registered: bool
    stolen: bool
    duplicated: bool
    status: str
    since: str | None
    until: str | None
    why: list[str] = field(default_factory=list)
    next: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The answer as a JSON object."""
        return asdict(self)


def answer(imei_text: str, facts: Facts, today: date) -> Answer:
    """The Know Your Mobile answer for an IMEI given its facts on `today` (pure)."""
    written = imei_text.strip()[:32]
    valid = imei_id.is_valid(written) and len(imei_id.compact(written)) == 15
    if not valid:
        return Answer(
            written,
            False,
            None,
            None,
            False,
            False,
            False,
            False,
            ALLOWED,
            None,
            None,
            ["This is not a valid IMEI."],
            NEXT_STEPS["invalid"],
        )
    status, since, until = ALLOWED, None, None
    if facts.block_date is not None and not facts.exempt:
        if facts.block_date <= today:
            status, since = BLOCKED, facts.block_date.isoformat()
        else:
            status, until = GRACE, facts.block_date.isoformat()
    why = list(facts.reasons) if status != ALLOWED else []
    if facts.stolen:
        step = "stolen"
    elif facts.duplicated:
        step = "duplicate"
    elif status != ALLOWED and "not_registered" in " ".join(facts.conditions):
        step = "not_registered"
    elif status == BLOCKED:
        step = "blocked"
    elif status == GRACE:
        step = "not_registered" if not facts.registered else "blocked"
    elif not facts.type_approved and facts.brand is not None:
        step = "not_type_approved"
    else:
        step = "ok"
    return Answer(
        imei_id.compact(written),
        True,
        facts.brand,
        facts.model,
        facts.type_approved,
        facts.registered or facts.exempt,
        facts.stolen,
        facts.duplicated,
        status,
        since,
        until,
        why,
        NEXT_STEPS[step],
    )


def sms_text(a: Answer) -> str:
    """The answer as one SMS of at most 160 characters (GSM 7-bit friendly ASCII)."""
    if not a.valid:
        return f"KYM {a.imei[:20]}: not a valid IMEI. Dial *#06# and send KYM <15 digits>."[:160]
    status = {
        ALLOWED: "allowed",
        GRACE: f"blocked on {a.until} unless fixed",
        BLOCKED: f"BLOCKED since {a.since}",
    }[a.status]
    flags = [
        "type-approved" if a.type_approved else "not type-approved",
        "registered" if a.registered else "not registered",
    ]
    if a.stolen:
        flags.append("REPORTED STOLEN")
    if a.duplicated:
        flags.append("duplicated")
    tail = f" {', '.join(flags)}. Network: {status}."
    device = f"{a.brand or ''} {a.model or ''}".strip() or "unknown model"
    room = 160 - len(f"KYM {a.imei}: .") - len(tail)
    if len(device) > room:
        device = device[: max(0, room - 1)].rstrip() + "~"
    return f"KYM {a.imei}: {device}.{tail}"


def lookup_facts(session: Session, key: int, today: date) -> Facts:
    """The facts about one IMEI body from the store (a few indexed queries, no subscriber data)."""

    def one(sql: str, **params: Any) -> list[Any]:
        return list(session.execute(text(sql), {"k": key, **params}).all())

    tac = f"{key // 1_000_000:08d}"
    cat = one(
        "SELECT brand, manufacturer, model FROM tac_catalog WHERE tac = :t AND end_date IS NULL",
        t=tac,
    )
    approval = one("SELECT status, brand, model FROM registry_type_approvals WHERE tac = :t", t=tac)
    approved = [a for a in approval if a[0] == "approved"]
    day = today.isoformat()
    registered = one("SELECT 1 FROM registration_list WHERE imei_key = :k AND end_date IS NULL")
    traveller = one(
        "SELECT 1 FROM registry_travellers WHERE imei_key = :k AND start_date <= :d "
        "AND end_date > :d",
        d=day,
    )
    state = one(
        "SELECT condition, block_date, blocking, reason FROM classification_state "
        "WHERE imei_key = :k AND end_date IS NULL ORDER BY id"
    )
    blocks = []
    for _, block_date, blocking, _ in state:
        if blocking and block_date is not None:
            blocks.append(
                block_date
                if isinstance(block_date, date)
                else date.fromisoformat(str(block_date)[:10])
            )
    brand, maker, model = cat[0] if cat else (None, None, None)
    if approval and not (brand or maker or model):  # not in the GSMA catalog: the approval's
        brand, model = approval[0][1], approval[0][2]
    return Facts(
        brand=brand or maker,
        model=model,
        type_approved=bool(approved),
        registered=bool(registered or traveller),
        stolen=bool(one("SELECT 1 FROM stolen_list WHERE imei_key = :k AND end_date IS NULL")),
        duplicated=any(c == "duplicate" for c, *_ in state),
        exempt=bool(one("SELECT 1 FROM exempt_list WHERE imei_key = :k AND end_date IS NULL")),
        block_date=min(blocks) if blocks else None,
        reasons=tuple(r for *_, r in state),
        conditions=tuple(c for c, *_ in state),
    )


def lookup(session: Session, imei_text: str, today: date) -> Answer:
    """The answer about one IMEI as written, from the store."""
    key = imei_id.key(imei_text.strip()[:32])
    return answer(
        imei_text, lookup_facts(session, key, today) if key is not None else Facts(), today
    )


def _ints(rows: list[Any]) -> np.ndarray:
    return np.unique(np.fromiter((r[0] for r in rows if r[0] is not None), dtype=np.int64))


@dataclass
class KymIndex:
    """The registers as sorted key arrays, loaded once for many answers (no subscriber data)."""

    today: date
    tacs: Mapping[int, tuple[str | None, str | None]]
    approved: frozenset[int]
    registered: np.ndarray
    exempt: np.ndarray
    stolen: np.ndarray
    duplicated: np.ndarray
    blocked_keys: np.ndarray  # sorted, unique
    block_days: np.ndarray  # earliest block date per blocked key, as a day ordinal
    why: Mapping[int, tuple[tuple[str, ...], tuple[str, ...]]]  # key -> (conditions, reasons)

    @classmethod
    def load(cls, session: Session, today: date) -> KymIndex:
        """Read the current registers and the open classification state."""

        def q(sql: str, **params: Any) -> list[Any]:
            return list(session.execute(text(sql), params).all())

        tacs = {
            int(t): (b or m, model)
            for t, b, m, model in q(
                "SELECT tac, brand, manufacturer, model FROM tac_catalog WHERE end_date IS NULL"
            )
            if str(t).isdigit()
        }
        approvals = q("SELECT tac, status, brand, model FROM registry_type_approvals")
        approved = frozenset(int(t) for t, status, _, _ in approvals if status == "approved")
        for t, _, b, m in approvals:  # a TAC not in the GSMA catalog: the approval's names
            if str(t).isdigit() and not any(tacs.get(int(t), (None, None))):
                tacs[int(t)] = (b, m)
        day = today.isoformat()
        registered = np.union1d(
            _ints(q("SELECT imei_key FROM registration_list WHERE end_date IS NULL")),
            _ints(
                q(
                    "SELECT imei_key FROM registry_travellers WHERE start_date <= :d "
                    "AND end_date > :d",
                    d=day,
                )
            ),
        )
        state = q(
            "SELECT imei_key, condition, block_date, blocking, reason FROM classification_state "
            "WHERE end_date IS NULL AND imei_key IS NOT NULL"
        )
        why: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        first: dict[int, int] = {}
        for key, condition, block_date, blocking, reason in state:
            conds, reasons = why.get(key, ((), ()))
            why[key] = ((*conds, condition), (*reasons, reason))
            if blocking and block_date is not None:
                if isinstance(block_date, str):
                    block_date = date.fromisoformat(block_date[:10])
                ordinal = block_date.toordinal()
                first[key] = min(first.get(key, ordinal), ordinal)
        blocked_keys = np.array(sorted(first), dtype=np.int64)
        block_days = np.array([first[k] for k in blocked_keys.tolist()], dtype=np.int64)
        return cls(
            today=today,
            tacs=tacs,
            approved=approved,
            registered=registered,
            exempt=_ints(q("SELECT imei_key FROM exempt_list WHERE end_date IS NULL")),
            stolen=_ints(q("SELECT imei_key FROM stolen_list WHERE end_date IS NULL")),
            duplicated=_ints(
                [r for r in state if r[1] == "duplicate"]  # condition label of clones
            ),
            blocked_keys=blocked_keys,
            block_days=block_days,
            why=why,
        )

    def facts(self, key: int) -> Facts:
        """The facts about one 14-digit IMEI body."""
        brand, model = self.tacs.get(key // 1_000_000, (None, None))
        at = np.searchsorted(self.blocked_keys, key)
        block = None
        if at < self.blocked_keys.size and self.blocked_keys[at] == key:
            block = date.fromordinal(int(self.block_days[at]))
        conditions, reasons = self.why.get(key, ((), ()))
        return Facts(
            brand=brand,
            model=model,
            type_approved=(key // 1_000_000) in self.approved,
            registered=bool(_member(np.array([key]), self.registered)[0]),
            stolen=bool(_member(np.array([key]), self.stolen)[0]),
            duplicated=bool(_member(np.array([key]), self.duplicated)[0]),
            exempt=bool(_member(np.array([key]), self.exempt)[0]),
            block_date=block,
            reasons=tuple(reasons),
            conditions=tuple(conditions),
        )

    def answer(self, imei_text: str) -> Answer:
        """The answer about one IMEI as written."""
        key = imei_id.key(imei_text)
        return answer(imei_text, self.facts(key) if key is not None else Facts(), self.today)

    def bulk(self, imeis: np.ndarray) -> dict[str, np.ndarray]:
        """Column answers for many IMEIs: valid, registered, stolen, duplicated, type_approved,
        status (allowed/grace/blocked), block_date (ISO or ""); same rules as `answer`."""
        arr = np.asarray(imeis, dtype=str)
        keys, valid = imei_keys(arr)
        plain = written_length(arr) == 15
        for i in np.flatnonzero(valid & ~plain):  # written with separators: the scalar rule
            plain[i] = len(imei_id.compact(str(arr[i]))) == 15
        valid &= plain
        exempt = _member(keys, self.exempt)
        at = np.searchsorted(self.blocked_keys, keys)
        at[at == self.blocked_keys.size] = 0
        hit = (
            (self.blocked_keys[at] == keys) & valid & ~exempt
            if self.blocked_keys.size
            else np.zeros(keys.shape[0], dtype=bool)
        )
        days = np.where(hit, self.block_days[at] if self.block_days.size else 0, NO_DATE)
        today = self.today.toordinal()
        status = np.full(keys.shape[0], ALLOWED, dtype="<U7")
        status[hit & (days > today)] = GRACE
        status[hit & (days <= today)] = BLOCKED
        approved = np.array(sorted(self.approved), dtype=np.int64)
        return {
            "imei": arr,
            "valid": valid,
            "type_approved": valid & _member(keys // 1_000_000, approved),
            "registered": valid & (_member(keys, self.registered) | exempt),
            "stolen": valid & _member(keys, self.stolen),
            "duplicated": valid & _member(keys, self.duplicated),
            "status": status,
            "block_day": days,
        }


def written_length(arr: np.ndarray) -> np.ndarray:
    """The length of each text as written, without surrounding spaces (vectorised)."""
    n, width = arr.shape[0], arr.dtype.itemsize // 4
    if arr.dtype.kind == "U" and 1 <= width <= 16 and n:
        codes = np.ascontiguousarray(arr).view(np.uint32).reshape(n, width)
        length = np.count_nonzero(codes, axis=1)
        if not (codes == 32).any():
            return length
    return np.char.str_len(np.char.strip(arr))


def _member(keys: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    if sorted_keys.size == 0:
        return np.zeros(keys.shape[0], dtype=bool)
    at = np.searchsorted(sorted_keys, keys)
    at[at == sorted_keys.size] = 0
    return sorted_keys[at] == keys


__all__ = [
    "ALLOWED",
    "BLOCKED",
    "GRACE",
    "NEXT_STEPS",
    "Answer",
    "Facts",
    "KymIndex",
    "answer",
    "lookup",
    "lookup_facts",
    "sms_text",
    "written_length",
]
