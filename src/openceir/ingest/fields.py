"""Field parsers shared by register sources: text, dates, IMEIs, IMSIs, TACs (pure)."""

from __future__ import annotations

from datetime import date, datetime

from openceir.ingest._identifiers import imei_key, is_imsi, is_msisdn
from openceir.ingest.source import FieldError

DATE_FORMATS = ("%Y%m%d", "%Y-%m-%d", "%d-%b-%Y", "%d/%m/%Y", "%Y/%m/%d")
MAX_TEXT = 200


def text(value: str | None, name: str, limit: int = MAX_TEXT) -> str | None:
    """A stripped text value, None when empty; longer than `limit` is a FieldError."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if len(value) > limit:
        raise FieldError(name, f"{len(value)} characters; expected at most {limit}")
    return value


def required(value: str | None, name: str, what: str) -> str:
    """A non-empty stripped value, or a FieldError saying what was expected."""
    out = text(value, name, 1000)
    if out is None:
        raise FieldError(name, f"empty; expected {what}")
    return out


def day(value: str | None, name: str) -> date | None:
    """A date in YYYYMMDD, YYYY-MM-DD (or GSMA's DD-Mon-YYYY); None when empty."""
    raw = text(value, name)
    if raw is None:
        return None
    if raw.isascii():
        for fmt in DATE_FORMATS:
            try:
                return datetime.strptime(raw, fmt).date()
            except ValueError:
                continue
    raise FieldError(name, f"{raw!r} is not a date; expected YYYYMMDD or YYYY-MM-DD")


def imei(value: str | None, name: str = "imei") -> tuple[int | None, str | None]:
    """(key, None) for a normalisable IMEI, else a FieldError: registers are curated lists,
    so a row whose IMEI is not an IMEI (garbage, a spreadsheet formula) is an invalid row."""
    raw = required(value, name, "an IMEI (14 to 16 digits)")
    if len(raw) > 64:
        raise FieldError(name, f"{len(raw)} characters; expected an IMEI of 14 to 16 digits")
    key = imei_key(raw)
    if key is None:
        raise FieldError(name, f"{raw!r} is not an IMEI; expected 14 to 16 digits")
    return key, None


def imsi(value: str | None, name: str = "imsi") -> str:
    """An IMSI of 6-15 ASCII digits (`identifiers.imsi.is_well_formed`), or a FieldError."""
    raw = required(value, name, "an IMSI (14 or 15 digits)")
    if not is_imsi(raw):
        raise FieldError(name, f"{raw!r}: expected an IMSI of 14 or 15 ASCII digits")
    return raw


def msisdn(value: str | None, name: str = "msisdn") -> str | None:
    """An MSISDN of 6-15 ASCII digits (E.164 without '+'), None when empty."""
    raw = text(value, name)
    if raw is None:
        return None
    raw = raw.removeprefix("+")
    if not is_msisdn(raw):
        raise FieldError(name, f"{raw!r}: expected an MSISDN of 6 to 15 ASCII digits")
    return raw


def tac(value: str | None, name: str = "tac") -> str:
    """A TAC of exactly 8 ASCII digits, or a FieldError."""
    raw = required(value, name, "a TAC (8 digits)")
    if not (len(raw) == 8 and raw.isascii() and raw.isdigit()):
        raise FieldError(name, f"{raw!r}: expected a TAC of 8 ASCII digits")
    return raw


__all__ = ["day", "imei", "imsi", "msisdn", "required", "tac", "text"]
