"""Case rules as pure functions: what a report must hold, which transitions exist, what alerts.

A report has one or two IMEIs (dual-SIM), `lost` or `stolen`, `block` or `watch` (trace
without blocking), the MSISDN that was in the phone, and optional brand, model, date, place,
police complaint and station, and the reporter's contact. Statuses:

    open ──recover──> recovered ──unblock/close──> closed
      │                   │
      ├──unblock/close──> closed
      └──reverse (staff, with a reason)──> reversed   (also from recovered)

An IMEI is blocked while its case is open or recovered in `block` mode and not unblocked;
closed and reversed cases block nothing. Tracing raises alerts for open cases only.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from openceir.errors import InputError, InvalidIdentifier
from openceir.identifiers import imei as imei_id
from openceir.identifiers import imsi as imsi_id
from openceir.identifiers import msisdn as msisdn_id

KINDS = ("lost", "stolen")
MODES = ("block", "watch")
OPEN, RECOVERED, CLOSED, REVERSED = "open", "recovered", "closed", "reversed"
LIVE = (OPEN, RECOVERED)
"""Statuses in which a case holds its IMEIs (and blocks them in block mode)."""

TRANSITIONS: dict[str, dict[str, str]] = {
    "recover": {OPEN: RECOVERED},
    "unblock": {OPEN: CLOSED, RECOVERED: CLOSED},
    "close": {OPEN: CLOSED, RECOVERED: CLOSED},
    "reverse": {OPEN: REVERSED, RECOVERED: REVERSED},
}
_ID_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read over the phone


def new_request_id() -> str:
    """A request ID such as `RQ-7K3M-Q9XD`: 40 random bits, unambiguous characters."""
    chars = "".join(secrets.choice(_ID_ALPHABET) for _ in range(8))
    return f"RQ-{chars[:4]}-{chars[4:]}"


def normal_request_id(value: str) -> str:
    """A request ID as typed (any case, spaces, missing dashes) in canonical form."""
    text = "".join(c for c in (value or "").upper() if c.isalnum())
    if text.startswith("RQ"):
        text = text[2:]
    if len(text) != 8 or any(c not in _ID_ALPHABET for c in text):
        raise InputError(f"{value!r} is not a request ID (like RQ-7K3M-Q9XD)", field="request_id")
    return f"RQ-{text[:4]}-{text[4:]}"


def next_status(action: str, status: str, request_id: str) -> str:
    """The status `action` leads to from `status`, or InputError saying it cannot."""
    target = TRANSITIONS[action].get(status)
    if target is None:
        raise InputError(f"case {request_id} is {status}; it cannot be {action}ed now")
    return target


@dataclass
class Report:
    """A checked report, ready to file."""

    imeis: list[str]
    kind: str
    mode: str
    msisdn: str | None = None
    imsi: str | None = None
    brand: str | None = None
    model: str | None = None
    incident_date: date | None = None
    place: str | None = None
    complaint_number: str | None = None
    station: str | None = None
    contact_msisdn: str | None = None
    contact_email: str | None = None
    reporter_name: str | None = None
    language: str = "en"
    warnings: list[str] = field(default_factory=list)

    @property
    def keys(self) -> list[int]:
        """The IMEIs as 14-digit keys."""
        return [int(i[:14]) for i in self.imeis]


def _text(raw: Mapping[str, Any], name: str, limit: int) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    value = str(value).strip()
    if not value:
        return None
    if len(value) > limit or any(ord(c) < 32 for c in value):
        raise InputError(f"at most {limit} printable characters", field=name)
    return value


def _imeis(raw: Mapping[str, Any]) -> list[str]:
    given = raw.get("imeis")
    if given is None:
        given = [raw.get("imei"), raw.get("imei2")]
    if isinstance(given, str):
        given = [given]
    values = [str(v).strip() for v in given if v is not None and str(v).strip()]
    if not values:
        raise InputError("at least one IMEI is needed", field="imei")
    if len(values) > 2:
        raise InputError("at most two IMEIs (a dual-SIM phone)", field="imeis")
    out = []
    for pos, value in enumerate(values):
        name = "imei" if pos == 0 else "imei2"
        try:
            out.append(imei_id.validate(value))
        except InvalidIdentifier as exc:
            raise InputError(str(exc), field=name) from None
    if len(out) == 2 and out[0][:14] == out[1][:14]:
        raise InputError("the two IMEIs are the same", field="imei2")
    return out


def _choice(raw: Mapping[str, Any], name: str, choices: tuple[str, ...], default: str) -> str:
    value = str(raw.get(name) or default).strip().lower()
    if value not in choices:
        raise InputError(f"{value!r}: use one of {', '.join(choices)}", field=name)
    return value


def _msisdn(raw: Mapping[str, Any], name: str, country_code: str) -> str | None:
    value = _text(raw, name, 32)
    if value is None:
        return None
    try:
        return msisdn_id.validate(value, country_code)
    except InvalidIdentifier as exc:
        raise InputError(str(exc), field=name) from None


def _day(raw: Mapping[str, Any], name: str, today: date) -> date | None:
    value = raw.get(name)
    if value in (None, ""):
        return None
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value).strip())
        except ValueError:
            raise InputError(f"{value!r} is not a date (YYYY-MM-DD)", field=name) from None
    if day > today:
        raise InputError(f"{day} is in the future", field=name)
    return day


def check_report(raw: Mapping[str, Any], country_code: str, today: date) -> Report:
    """Validate a report's fields (form, JSON or CSV row); InputError names the first bad one."""
    imeis = _imeis(raw)
    report = Report(
        imeis=imeis,
        kind=_choice(raw, "kind", KINDS, "stolen"),
        mode=_choice(raw, "mode", MODES, "block"),
        msisdn=_msisdn(raw, "msisdn", country_code),
        brand=_text(raw, "brand", 200),
        model=_text(raw, "model", 200),
        incident_date=_day(raw, "incident_date", today),
        place=_text(raw, "place", 200),
        complaint_number=_text(raw, "complaint_number", 100),
        station=_text(raw, "station", 100),
        contact_msisdn=_msisdn(raw, "contact_msisdn", country_code),
        contact_email=_text(raw, "contact_email", 320),
        reporter_name=_text(raw, "reporter_name", 200),
        language=_text(raw, "language", 16) or "en",
    )
    imsi = _text(raw, "imsi", 20)
    if imsi is not None:
        try:
            report.imsi = imsi_id.validate(imsi)
        except InvalidIdentifier as exc:
            raise InputError(str(exc), field="imsi") from None
    if report.contact_email and "@" not in report.contact_email:
        raise InputError("not an e-mail address", field="contact_email")
    if not (report.msisdn or report.contact_msisdn or report.contact_email):
        raise InputError("give the phone's MSISDN or a contact number or e-mail", field="msisdn")
    return report


def model_warnings(report: Report, catalog: Mapping[str, Mapping[str, str | None]]) -> list[str]:
    """Warnings (never refusals): a TAC not in the catalog, a brand or model it contradicts."""
    out = []
    for imei in report.imeis:
        tac = imei[:8]
        entry = catalog.get(tac)
        if entry is None:
            out.append(f"IMEI {imei}: TAC {tac} is not in the TAC catalog")
            continue
        checks = (
            ("brand", report.brand, [entry.get("brand"), entry.get("manufacturer")]),
            ("model", report.model, [entry.get("model")]),
        )
        for name, given, named in checks:
            known = [k for k in named if k]
            if given and known and not any(_same(given, k) for k in known):
                out.append(f"IMEI {imei}: the TAC catalog says {name} {known[0]!r}, not {given!r}")
    return out


def _same(a: str, b: str) -> bool:
    norm = lambda s: "".join(c for c in s.lower() if c.isalnum())  # noqa: E731
    x, y = norm(a), norm(b)
    return bool(x and y) and (x in y or y in x)


def is_new_identity(
    owner_msisdn: str | None, known_imsis: list[str], imsi: str | None, msisdn: str | None
) -> bool:
    """Whether a check or dump row shows a SIM other than the reporter's.

    An MSISDN decides when both sides have one; else an IMSI not known as the owner's does.
    """
    if msisdn and owner_msisdn:
        return msisdn != owner_msisdn
    if imsi:
        return imsi not in known_imsis
    return bool(msisdn)


def alert_key(case_id: int, imsi: str | None, msisdn: str | None) -> str:
    """The de-duplication key of an alert: one per case and new SIM identity."""
    return f"{case_id}:{imsi or '-'}:{msisdn or '-'}"
