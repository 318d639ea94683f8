"""Ledger entries: typed IMEI events as canonical JSON, each a signed note of its participant.

An entry is a C2SP signed note (see `note`) whose text is one line of canonical JSON and a
newline, signed by the participant named in its `participant` field. Canonical JSON is
RFC 8785 (JCS) for the subset allowed here (ASCII keys; strings, integers and lists; no
floats): keys sorted, no insignificant whitespace, UTF-8. Every event has `v` (1), `type`,
`participant` and `time` (RFC 3339 UTC, seconds), plus the fields of its type (optional
ones may be left out):

    tac_allocated        tac, manufacturer, model
    device_manufactured  imeis, serial_hash, model   (binds a device's IMEIs to its serial)
                         optional software_version   (the SVN it left the factory with)
    device_registered    imeis, reference            device_deregistered  imeis, reference
    reported_stolen      imeis, case                 recovered            imeis, case
    blocked              imeis, reason               unblocked            imeis, reason

The ledger carries no personal data: identifiers, hashes and references only. Unknown
fields are rejected, so are fields named like personal data (imsi, msisdn, owner, ...) and
text that looks like a phone number, an IMSI or an e-mail address.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from stdnum import luhn

from openceir.errors import InputError, IntegrityError
from openceir.ledger.participants import EVENT_ROLES, Participants, RoleNotAllowed
from openceir.tlog import note

VERSION = 1
MAX_IMEIS = 4
REASONS = frozenset(
    {"stolen", "lost", "counterfeit", "cloned", "tampered", "duplicate", "court_order",
     "not_type_approved", "recovered", "owner_request", "resolved", "error_correction"}
)  # fmt: skip

_FIELDS: dict[str, dict[str, str]] = {
    "tac_allocated": {"tac": "tac", "manufacturer": "text", "model": "text"},
    "device_manufactured": {"imeis": "imeis", "serial_hash": "sha256", "model": "text"},
    "device_registered": {"imeis": "imeis", "reference": "reference"},
    "device_deregistered": {"imeis": "imeis", "reference": "reference"},
    "reported_stolen": {"imeis": "imeis", "case": "reference"},
    "recovered": {"imeis": "imeis", "case": "reference"},
    "blocked": {"imeis": "imeis", "reason": "reason"},
    "unblocked": {"imeis": "imeis", "reason": "reason"},
}
_OPTIONAL: dict[str, dict[str, str]] = {
    # The manufacturer binding: the software version (SVN, the last two digits of the
    # IMEISV, 3GPP TS 23.003 §6.2.2) the device left the factory with. Clone differentiation
    # reads it (openceir.classify.clones): a SIM whose device reports another version, while
    # another SIM's reports the bound one, is in a different device.
    "device_manufactured": {"software_version": "svn"},
}
_COMMON = {"v", "type", "participant", "time"}
_PERSONAL = re.compile(
    r"imsi|msisdn|phone|mobile_number|e-?mail|name|owner|subscriber|address|passport|"
    r"national_id|birth|person|customer|contact",
    re.IGNORECASE,
)
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_TAC = re.compile(r"[0-9]{8}")
_IMEI = re.compile(r"[0-9]{15}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_SVN = re.compile(r"[0-9]{2}")
_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}")
_PHONE_LIKE = re.compile(r"\+?[0-9][0-9 ().-]{8,}[0-9]")
_DIGIT_RUN = re.compile(r"[0-9]{10,}")
_TEXT = re.compile(r"[^\x00-\x1f\x7f]{1,80}")

Event = dict[str, Any]


def canonical_json(event: Event) -> str:
    """The RFC 8785 form of an event of the allowed subset: sorted keys, no spaces."""
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _bad(field: str, message: str) -> InputError:
    return InputError(message, source="ledger event", field=field)


def _check_text(field: str, value: Any, kind: str) -> None:
    if not isinstance(value, str):
        raise _bad(field, "must be a string")
    if kind == "text":
        if not _TEXT.fullmatch(value):
            raise _bad(field, "must be 1 to 80 printable characters")
        if "@" in value or _PHONE_LIKE.search(value):
            raise _bad(field, "looks like a phone number, IMSI or e-mail: no personal data")
    elif kind == "reference":
        if not _REFERENCE.fullmatch(value):
            raise _bad(field, "must be 1 to 64 of A-Z a-z 0-9 . _ : / -")
        if _DIGIT_RUN.search(value):
            raise _bad(
                field, "holds 10 or more digits in a row (an IMSI or MSISDN?): no personal data"
            )
    elif kind == "reason":
        if value not in REASONS:
            raise _bad(field, f"must be one of {', '.join(sorted(REASONS))}")
    elif kind == "tac":
        if not _TAC.fullmatch(value):
            raise _bad(field, "a TAC is 8 digits")
    elif kind == "sha256" and not _SHA256.fullmatch(value):
        raise _bad(field, "must be a SHA-256 hash as 64 lowercase hex digits")
    elif kind == "svn" and (not _SVN.fullmatch(value) or value == "99"):
        raise _bad(field, "a software version number is 2 digits, 00 to 98 (99 is reserved)")


def validate_imei(value: Any, field: str = "imeis") -> str:
    """A 15-digit IMEI with a valid Luhn check digit (3GPP TS 23.003 §6.2.1), or InputError."""
    if not isinstance(value, str) or not _IMEI.fullmatch(value):
        raise _bad(field, f"IMEI {str(value)[:20]!r} must be 15 digits")
    if not luhn.is_valid(value):
        raise _bad(field, f"IMEI {value} has a wrong check digit")
    return value


def validate_event(event: Any) -> Event:
    """Check an event's type, fields and values; returns it unchanged or raises InputError."""
    if not isinstance(event, dict):
        raise _bad("event", "must be a JSON object")
    kind = event.get("type")
    if kind not in _FIELDS:
        raise _bad("type", f"{kind!r} is not one of {', '.join(sorted(_FIELDS))}")
    fields = _FIELDS[kind]
    optional = _OPTIONAL.get(kind, {})
    for key in event:
        if key in _COMMON or key in fields or key in optional:
            continue
        if _PERSONAL.search(str(key)):
            raise _bad(str(key), "personal data is not allowed on the ledger")
        raise _bad(str(key), f"is not a field of a {kind} event")
    for key in (*sorted(_COMMON), *fields):
        if key not in event:
            raise _bad(key, f"is required in a {kind} event")
    if event["v"] != VERSION or isinstance(event["v"], bool):
        raise _bad("v", f"must be {VERSION}")
    participant = event["participant"]
    if (
        not isinstance(participant, str)
        or not participant
        or "+" in participant
        or " " in participant
    ):
        raise _bad("participant", "must be a key name (no spaces, no '+')")
    if not isinstance(event["time"], str) or not _TIME.fullmatch(event["time"]):
        raise _bad("time", "must be RFC 3339 UTC to the second, e.g. 2026-11-28T12:00:00Z")
    for key, field_kind in fields.items():
        value = event[key]
        if field_kind == "imeis":
            if not isinstance(value, list) or not 1 <= len(value) <= MAX_IMEIS:
                raise _bad(key, f"must be a list of 1 to {MAX_IMEIS} IMEIs")
            for imei in value:
                validate_imei(imei, key)
            if len(set(value)) != len(value):
                raise _bad(key, "lists an IMEI twice")
        else:
            _check_text(key, value, field_kind)
    for key, field_kind in optional.items():
        if key in event:
            _check_text(key, event[key], field_kind)
    return event


def imeis_of(event: Event) -> list[str]:
    """The IMEIs an event is about (none for a TAC allocation)."""
    return list(event.get("imeis", ()))


def now() -> str:
    """The current UTC time in the events' format."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sign_event(event: Event, key: note.Signer) -> bytes:
    """The ledger entry for `event`, signed by the participant's key.

    Fills `v`, `participant` (the key's name) and `time` (now) when absent; a `participant`
    that is not the key's name is an InputError.
    """
    event = {"v": VERSION, "participant": key.name, **event}
    event.setdefault("time", now())
    if event["participant"] != key.name:
        raise _bad("participant", f"{event['participant']!r} is not the signing key {key.name!r}")
    validate_event(event)
    return note.sign(canonical_json(event) + "\n", key)


def parse_entry(entry: bytes) -> Event:
    """The event of a ledger entry, checked for format and canonical form but not signature."""
    try:
        text = note.parse(entry).text
        event = json.loads(text)
    except (note.NoteError, ValueError):
        raise IntegrityError("ledger entry is not a signed JSON event") from None
    if not isinstance(event, dict) or text != canonical_json(event) + "\n":
        raise IntegrityError("ledger entry is not canonical JSON (sorted keys, no spaces)")
    try:
        return validate_event(event)
    except InputError as exc:
        raise IntegrityError(f"ledger entry is not a valid event: {exc}") from None


def check_entry(entry: bytes, participants: Participants) -> Event:
    """The event of an entry whose signature, schema and role all check out.

    Raises IntegrityError (UnknownParticipant, RoleNotAllowed, a bad or missing signature).
    """
    event = parse_entry(entry)
    participant = participants.get(event["participant"])
    try:
        opened = note.open_note(entry, participant.keys)
    except note.NoteError as exc:
        raise IntegrityError(f"ledger entry by {participant.name!r}: {exc}") from None
    if not any(s.name == participant.name for s in opened.sigs):
        raise IntegrityError(f"ledger entry is not signed by {participant.name!r} itself")
    if not participant.may_append(event["type"]):
        allowed = ", ".join(sorted(EVENT_ROLES[event["type"]]))
        raise RoleNotAllowed(
            f"participant {participant.name!r} (roles {', '.join(sorted(participant.roles))}) "
            f"may not append {event['type']} events (needs one of: {allowed})"
        )
    return event


__all__ = [
    "REASONS",
    "Event",
    "canonical_json",
    "check_entry",
    "imeis_of",
    "parse_entry",
    "sign_event",
    "validate_event",
    "validate_imei",
]
