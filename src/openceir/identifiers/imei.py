"""IMEI: International Mobile Equipment Identity (3GPP TS 23.003 §6.2.1, GSMA TS.06).

Structure: 15 digits = TAC (8 digits: Type Allocation Code, whose first two digits are the
Reporting Body Identifier) + SNR (6-digit serial) + CD (Luhn check digit, not sent over the
air). Networks often report the 14-digit body (TAC + SNR) or the 16-digit IMEISV (TAC + SNR +
2-digit software version). Identity is the body: `key` is its value as an int (architecture §5).

`compact` accepts what people type: separators (spaces, dashes, dots, slashes), a leading
``IMEI``/``IMEI:``/``imei-`` label, full-width and Arabic-Indic digits. `validate` returns the
15-digit canonical IMEI (computing the check digit for a 14-digit body, dropping the software
version of an IMEISV) or raises InvalidIdentifier; `findings` says why, as data.

>>> validate("49-015420-323751-8")
'490154203237518'
>>> validate("IMEI: 49015420323751")
'490154203237518'
>>> validate("٤٩٠١٥٤٢٠٣٢٣٧٥١٨")
'490154203237518'
>>> key("4901542032375100")
49015420323751
>>> tac("490154203237518"), serial("490154203237518"), check_digit("490154203237518")
('49015420', '323751', '8')
>>> format("490154203237518")
'49-015420-323751-8'
>>> validate("490154203237519")
Traceback (most recent call last):
...
openceir.errors.InvalidIdentifier: IMEI 490154203237519: bad check digit 9, expected 8
>>> is_valid("49015420323751²")
False
>>> key("35 2099 ABC 1234")
>>> [f.code for f in findings("490154203237519")]
['bad_check_digit', 'known_null']
>>> [f.code for f in findings("00101000000001")]
['no_check_digit', 'test_tac']
"""

from __future__ import annotations

import re

from openceir.errors import InvalidIdentifier
from openceir.identifiers import _text, luhn
from openceir.identifiers.findings import Finding, body_findings, finding

__all__ = [
    "check_digit",
    "compact",
    "findings",
    "format",
    "is_valid",
    "key",
    "serial",
    "tac",
    "validate",
]

_PREFIX = re.compile(r"^(?:IMEISV|IMEI)[:=#]?", re.IGNORECASE)


def compact(number: str) -> str:
    """Normalise: drop separators and an ``IMEI:`` label, map Unicode digits to ASCII."""
    text = _text.as_text(number, "IMEI")
    return _text.strip_prefix(_text.clean(text), _PREFIX)


def _problem(number: object) -> tuple[str, str | None, list[Finding]]:
    """(compacted, canonical-or-None, findings about form) without raising."""
    try:
        value = compact(number)  # type: ignore[arg-type]
    except InvalidIdentifier as exc:
        return (
            "",
            None,
            [finding("bad_length" if isinstance(number, str) else "non_digit", exc.reason)],
        )
    if not value:
        return value, None, [finding("bad_length", "IMEI is empty: 0 digits, expected 15")]
    if not value.isascii() or not value.isdigit():
        found = [finding("non_digit", f"IMEI {value!r}: {_text.describe_bad(value, _text.DIGITS)}")]
        if len(value) not in (14, 15, 16):
            found.append(finding("bad_length", f"IMEI has {len(value)} characters, not 14-16"))
        return value, None, found
    if len(value) not in (14, 15, 16):
        return (
            value,
            None,
            [finding("bad_length", f"IMEI {value}: {len(value)} digits, expected 15 (or 14/16)")],
        )
    body = value[:14]
    expected = luhn.calc_check_digit(body)
    if len(value) == 15 and value[14] != expected:
        msg = f"IMEI {value}: bad check digit {value[14]}, expected {expected}"
        return value, None, [finding("bad_check_digit", msg)]
    found = []
    if len(value) == 14:
        found.append(finding("no_check_digit", f"14-digit body; check digit {expected} computed"))
    elif len(value) == 16:
        found.append(
            finding("imeisv_given", f"IMEISV given; software version {value[14:]} dropped")
        )
    return value, body + expected, found


def validate(number: str) -> str:
    """The 15-digit canonical IMEI, or raise InvalidIdentifier saying what is wrong."""
    _, canonical, found = _problem(number)
    if canonical is None:
        raise InvalidIdentifier(found[0].message)
    return canonical


def is_valid(number: object) -> bool:
    """True when `validate` would succeed (never raises)."""
    return _problem(number)[1] is not None


def key(number: object) -> int | None:
    """The 14-digit body (TAC + serial) as an int, or None when malformed (check digit ignored)."""
    try:
        value = compact(number)  # type: ignore[arg-type]
    except InvalidIdentifier:
        return None
    if len(value) in (14, 15, 16) and value.isascii() and value.isdigit():
        return int(value[:14])
    return None


def tac(number: str) -> str:
    """The 8-digit Type Allocation Code of a valid IMEI."""
    return validate(number)[:8]


def serial(number: str) -> str:
    """The 6-digit serial number (SNR) of a valid IMEI."""
    return validate(number)[8:14]


def check_digit(number: str) -> str:
    """The Luhn check digit of a valid IMEI (computed when only the body was given)."""
    return validate(number)[14]


def format(number: str, separator: str = "-") -> str:
    """The canonical IMEI written as RBI-rest of TAC-serial-check (e.g. ``49-015420-323751-8``)."""
    value = validate(number)
    return separator.join((value[:2], value[2:8], value[8:14], value[14]))


def findings(number: object) -> list[Finding]:
    """Every finding about `number` as an IMEI: form errors, then test or placeholder warnings."""
    value, canonical, found = _problem(number)
    if canonical is not None or (found and found[0].code == "bad_check_digit"):
        found = found + body_findings(value[:14])
    return found
