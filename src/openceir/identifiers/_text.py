"""Normalising what people type and networks send, shared by every identifier module.

One table drives the scalar, numpy and SQL forms so that they agree: every Unicode decimal
digit of the Basic Multilingual Plane (category Nd: ASCII, full-width, Arabic-Indic, Eastern
Arabic-Indic, Devanagari, ...) maps to its ASCII digit, and separators (spaces, tabs,
no-break spaces, hyphens and dashes, dots, slashes) are deleted. Superscripts, fractions and
digits outside the BMP (e.g. mathematical bold digits) are left in place so that validation
rejects them by name rather than guessing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from openceir.errors import InvalidIdentifier

#: Longest text any identifier module looks at; longer input is rejected before any work.
MAX_INPUT = 256

#: Characters deleted by `compact` (and by the SQL form): whitespace, dashes, dots, slashes.
SEPARATORS = " \t\r\n\u00a0\u2007\u202f\u3000-\u2010\u2011\u2012\u2013\u2014\u2015\u2212./"

_NON_ASCII_DIGITS = "".join(
    ch for code in range(0x80, 0x10000) if unicodedata.category(ch := chr(code)) == "Nd"
)
_NON_ASCII_VALUES = "".join(str(unicodedata.decimal(ch)) for ch in _NON_ASCII_DIGITS)

_TABLE = str.maketrans(_NON_ASCII_DIGITS, _NON_ASCII_VALUES, SEPARATORS)
_ASCII_TABLE = str.maketrans("", "", SEPARATORS)


def as_text(value: object, what: str) -> str:
    """Return `value` if it is a str of sane length, else raise InvalidIdentifier naming it."""
    if not isinstance(value, str):
        raise InvalidIdentifier(f"{what} must be text, not {type(value).__name__}")
    if len(value) > MAX_INPUT:
        raise InvalidIdentifier(f"{what} is {len(value)} characters long, far too long")
    return value


def clean(value: str) -> str:
    """Delete separators and map non-ASCII decimal digits to ASCII (pure, never raises)."""
    if value.isascii():
        return value.translate(_ASCII_TABLE)
    return value.translate(_TABLE)


def strip_prefix(value: str, pattern: re.Pattern[str]) -> str:
    """Remove a leading label such as `IMEI:` matched by `pattern` (after `clean`)."""
    return pattern.sub("", value, count=1)


def describe_bad(value: str, allowed: str) -> str:
    """Name the first character of `value` not in `allowed`, for a human message."""
    for ch in value:
        if ch not in allowed:
            name = unicodedata.name(ch, f"U+{ord(ch):04X}")
            if unicodedata.category(ch) in ("No", "Nd"):
                return f"{ch!r} ({name}) is not a digit we accept"
            return f"{ch!r} ({name}) is not allowed"
    return "unexpected character"


def sql_clean(column_expr: str) -> str:
    """DuckDB SQL for `clean` applied to `column_expr` (translate maps and deletes alike)."""
    source = _NON_ASCII_DIGITS + SEPARATORS
    return f"translate({column_expr}, {sql_literal(source)}, {sql_literal(_NON_ASCII_VALUES)})"


def sql_literal(text: str) -> str:
    """A SQL string literal for `text` (single quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"


DIGITS = "0123456789"
HEX = "0123456789ABCDEF"


def predicate(validate: Callable[[str], str]) -> Callable[[object], bool]:
    """A module's `is_valid`: True when its `validate` would succeed; never raises."""

    def is_valid(number: object) -> bool:
        """True when `validate` would succeed (never raises)."""
        try:
            validate(number)  # type: ignore[arg-type]
        except InvalidIdentifier:
            return False
        return True

    return is_valid
