"""IMEISV: IMEI and Software Version Number (3GPP TS 23.003 §6.2.2).

Structure: 16 digits = TAC (8) + SNR (6) + SVN (2). There is no check digit; the SVN 99 is
reserved. The device identity is the IMEI body (first 14 digits).

>>> validate("IMEISV 35-686800-004141-20")
'3568680000414120'
>>> imei("3568680000414120"), svn("3568680000414120")
('356868000041418', '20')
>>> format("3568680000414120")
'35-686800-004141-20'
>>> validate("35686800004141")
Traceback (most recent call last):
...
openceir.errors.InvalidIdentifier: IMEISV 35686800004141: 14 digits, expected 16
"""

from __future__ import annotations

from openceir.errors import InvalidIdentifier
from openceir.identifiers import _text, luhn
from openceir.identifiers import imei as _imei

__all__ = ["compact", "format", "imei", "is_valid", "svn", "validate"]


def compact(number: str) -> str:
    """Normalise as `imei.compact` does (separators, labels, Unicode digits)."""
    return _imei.compact(number)


def validate(number: str) -> str:
    """The 16-digit IMEISV, or raise InvalidIdentifier saying what is wrong."""
    value = compact(number)
    if not value.isascii() or not value.isdigit():
        raise InvalidIdentifier(f"IMEISV {value!r}: {_text.describe_bad(value, _text.DIGITS)}")
    if len(value) != 16:
        raise InvalidIdentifier(f"IMEISV {value}: {len(value)} digits, expected 16")
    if value[14:] == "99":
        raise InvalidIdentifier(f"IMEISV {value}: software version 99 is reserved")
    return value


is_valid = _text.predicate(validate)


def imei(number: str) -> str:
    """The 15-digit IMEI (with its computed check digit) of an IMEISV."""
    body = validate(number)[:14]
    return body + luhn.calc_check_digit(body)


def svn(number: str) -> str:
    """The 2-digit Software Version Number."""
    return validate(number)[14:]


def format(number: str, separator: str = "-") -> str:
    """The IMEISV written as RBI-rest of TAC-serial-SVN."""
    value = validate(number)
    return separator.join((value[:2], value[2:8], value[8:14], value[14:]))
