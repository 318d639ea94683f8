"""PEI: Permanent Equipment Identifier strings of 5G (3GPP TS 23.003 §6.4, TS 29.571 type Pei).

The SBI writes a PEI as ``imei-`` + 15 digits, ``imeisv-`` + 16 digits, ``mac-`` + 6 hex
octets separated by ``-`` (optionally ``-untrusted``), or ``eui-`` + 8 hex octets.

`parse` is the one PEI parser. For people (the default) it strips surrounding blanks and
judges the IMEI check digit. With ``sbi=True`` it reads a PEI as a network function sends it
(the N5g-eir query): exactly as given, so padding is a wrong form, and an ``imei-`` PEI's 15th
digit is taken as sent, unjudged (a UE sends a spare 0 there, TS 24.008 §10.5.1.4); the value
keeps that digit. Form errors are worded the same in both modes: ``'x' is not imei- with 15
digits`` or ``'x' is not a PEI (imei-, imeisv-, mac- or eui- form)``.

>>> parse("imei-490154203237518")
('imei', '490154203237518')
>>> parse("mac-00-1a-2b-3c-4d-5e-untrusted")
('mac', '00-1a-2b-3c-4d-5e')
>>> to_pei("imei", "49015420323751")
'imei-490154203237518'
>>> parse("imei-490154203237519")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
openceir.errors.InvalidIdentifier: PEI imei-490154203237519: ...check digit...
>>> parse("imei-490154203237510", sbi=True)
('imei', '490154203237510')
>>> parse(" imei-490154203237518", sbi=True)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
openceir.errors.InvalidIdentifier: ' imei-490154203237518' is not a PEI (imei-, ...)
"""

from __future__ import annotations

import re

from openceir.errors import InvalidIdentifier
from openceir.identifiers import _text, imei, imeisv, mac

__all__ = ["KINDS", "is_valid", "parse", "to_pei", "validate"]

#: The kinds of PEI, in the order TS 29.571 lists them.
KINDS = ("imei", "imeisv", "mac", "eui")

_PEI = re.compile(
    r"\A(?:imei-(?P<imei>[0-9]{15})|imeisv-(?P<imeisv>[0-9]{16})"
    r"|mac-(?P<mac>[0-9a-fA-F]{2}(?:-[0-9a-fA-F]{2}){5})(?:-untrusted)?"
    r"|eui-(?P<eui>[0-9a-fA-F]{2}(?:-[0-9a-fA-F]{2}){7}))\Z"
)


_LENGTHS = (("imei-", 15), ("imeisv-", 16))


def _form_error(text: str) -> InvalidIdentifier:
    """The refusal of a string that does not have any PEI form, naming the form it tried."""
    for prefix, length in _LENGTHS:
        if text.startswith(prefix):
            return InvalidIdentifier(f"{text[:40]!r} is not {prefix} with {length} digits")
    return InvalidIdentifier(f"{text[:40]!r} is not a PEI (imei-, imeisv-, mac- or eui- form)")


def parse(pei: str, *, sbi: bool = False) -> tuple[str, str]:
    """(kind, canonical value) of a PEI string, or raise InvalidIdentifier (see the module)."""
    text = _text.as_text(pei, "PEI")
    if not sbi:
        text = text.strip()
    match = _PEI.match(text)
    if match is None:
        raise _form_error(text)
    kind = next(k for k in KINDS if match.group(k))
    value = match.group(kind)
    try:
        if kind == "imei":
            return kind, value if sbi else imei.validate(value)
        if kind == "imeisv":
            return kind, imeisv.validate(value)
        return kind, mac.validate(value)
    except InvalidIdentifier as exc:
        raise InvalidIdentifier(f"PEI {text}: {exc.reason}") from None


def validate(pei: str) -> str:
    """The PEI string in canonical form (lower-case hex), or raise InvalidIdentifier."""
    kind, value = parse(pei)
    return f"{kind}-{value}"


def is_valid(pei: object) -> bool:
    """True when `parse` would succeed (never raises)."""
    try:
        parse(pei)  # type: ignore[arg-type]
    except InvalidIdentifier:
        return False
    return True


def to_pei(kind: str, value: str) -> str:
    """The PEI string for an identifier of `kind` (imei, imeisv, mac or eui)."""
    if kind == "imei":
        return f"imei-{imei.validate(value)}"
    if kind == "imeisv":
        return f"imeisv-{imeisv.validate(value)}"
    if kind in ("mac", "eui"):
        address = mac.validate(value)
        want = 17 if kind == "mac" else 23
        if len(address) != want:
            raise InvalidIdentifier(f"PEI: {value} is not a {kind.upper()} address")
        return f"{kind}-{address}"
    raise InvalidIdentifier(f"PEI kind {kind!r}: expected one of {', '.join(KINDS)}")
