"""MAC-48 and EUI-64 (IEEE 802 / IEEE EUI guidelines), the 5G PEI forms of non-3GPP devices.

3GPP TS 23.003 §6.4 and TS 29.571 (type Pei) let a device without an IMEI be identified by
its MAC address (``mac-`` + 6 octets, optionally ``-untrusted``) or EUI-64 (``eui-`` + 8
octets). Accepted input: ``AA:BB:CC:DD:EE:FF``, ``aa-bb-cc-dd-ee-ff``, ``aabb.ccdd.eeff``,
``aabbccddeeff`` (and the same with 8 octets). Canonical form: lower-case, hyphen-separated.

>>> validate("00:1A:2B:3C:4D:5E")
'00-1a-2b-3c-4d-5e'
>>> kind("001a.2b3c.4d5e"), kind("00-1a-2b-ff-fe-3c-4d-5e")
('MAC-48', 'EUI-64')
>>> is_multicast("01:00:5e:00:00:01"), is_local("02:00:00:00:00:01")
(True, True)
>>> validate("00:1A:2B:3C:4D")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
openceir.errors.InvalidIdentifier: MAC 001A2B3C4D: 10 hex digits, expected 12 (MAC-48) or 16 (...)
"""

from __future__ import annotations

from openceir.errors import InvalidIdentifier
from openceir.identifiers import _text

__all__ = ["compact", "format", "is_local", "is_multicast", "is_valid", "kind", "validate"]


def compact(number: str) -> str:
    """Normalise: drop separators (including colons), upper-case the hex digits."""
    return _text.clean(_text.as_text(number, "MAC")).replace(":", "").upper()


def validate(number: str) -> str:
    """The address as lower-case hyphen-separated octets, or raise InvalidIdentifier."""
    value = compact(number)
    if not all(ch in _text.HEX for ch in value):
        raise InvalidIdentifier(f"MAC {value!r}: {_text.describe_bad(value, _text.HEX)}")
    if len(value) not in (12, 16):
        raise InvalidIdentifier(
            f"MAC {value}: {len(value)} hex digits, expected 12 (MAC-48) or 16 (EUI-64)"
        )
    return "-".join(value[i : i + 2] for i in range(0, len(value), 2)).lower()


is_valid = _text.predicate(validate)


def kind(number: str) -> str:
    """``MAC-48`` or ``EUI-64`` by the number of octets."""
    return "MAC-48" if len(validate(number)) == 17 else "EUI-64"


def _first_octet(number: str) -> int:
    return int(validate(number)[:2], 16)


def is_multicast(number: str) -> bool:
    """True when the I/G bit is set: a group address, never one device."""
    return bool(_first_octet(number) & 1)


def is_local(number: str) -> bool:
    """True when the U/L bit is set: locally administered (e.g. randomised), not from an OUI."""
    return bool(_first_octet(number) & 2)


def format(number: str, separator: str = ":") -> str:
    """The address with `separator` between octets (upper-case hex)."""
    return validate(number).upper().replace("-", separator)
