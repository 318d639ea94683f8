"""PEI, SUPI and GPSI as the N5g-eir API carries them (3GPP TS 29.571 §5.3.2, TS 23.003 §6.2).

A PEI is `imei-` + 15 digits, `imeisv-` + 16 digits, `mac-xx-xx-xx-xx-xx-xx` (optionally
`-untrusted`) or `eui-` + 8 hex pairs. For list decisions only the IMEI key matters: the first
14 digits (TAC + serial) as an integer (DESIGN §5); the check digit and software version are not
identity, so a wrong check digit is accepted as networks report it.

>>> parse_pei("imei-490154203237518")
Pei(kind='imei', value='490154203237518', key=49015420323751)
>>> parse_pei("imeisv-4901542032375181").key
49015420323751
>>> parse_pei("mac-00-11-22-AA-bb-cc").kind
'mac'
>>> parse_pei("imei-12345")
Traceback (most recent call last):
...
openceir.errors.InputError: field pei: 'imei-12345' is not imei- with 15 digits
"""

from __future__ import annotations

import re
from typing import NamedTuple

from openceir.errors import InputError

_MAC = re.compile(r"^mac((-[0-9a-fA-F]{2}){6})(-untrusted)?$")
_EUI = re.compile(r"^eui((-[0-9a-fA-F]{2}){8})$")


class Pei(NamedTuple):
    """A parsed PEI: its kind, its value without prefix and, for IMEI forms, the 14-digit key."""

    kind: str
    value: str
    key: int | None


def _digits(text: str, length: int) -> bool:
    return len(text) == length and text.isascii() and text.isdigit()


def parse_pei(text: str) -> Pei:
    """Parse a PEI in any form of TS 29.571, or raise InputError naming the `pei` field."""
    if text.startswith("imei-"):
        digits = text[5:]
        if _digits(digits, 15):
            return Pei("imei", digits, int(digits[:14]))
        raise InputError(f"{text!r} is not imei- with 15 digits", field="pei")
    if text.startswith("imeisv-"):
        digits = text[7:]
        if _digits(digits, 16):
            return Pei("imeisv", digits, int(digits[:14]))
        raise InputError(f"{text!r} is not imeisv- with 16 digits", field="pei")
    if _MAC.match(text):
        return Pei("mac", text[4:].lower(), None)
    if _EUI.match(text):
        return Pei("eui", text[4:].lower(), None)
    raise InputError(f"{text[:40]!r} is not a PEI (imei-, imeisv-, mac- or eui- form)", field="pei")


def parse_supi(text: str) -> str | None:
    """The IMSI of an `imsi-` SUPI (5 to 15 digits); None for other SUPI forms (NAI, GCI, GLI).

    Raises InputError for an `imsi-` SUPI that is not digits, or an empty value.
    """
    if text.startswith("imsi-"):
        digits = text[5:]
        if 5 <= len(digits) <= 15 and digits.isascii() and digits.isdigit():
            return digits
        raise InputError(f"{text[:40]!r} is not imsi- with 5 to 15 digits", field="supi")
    if not text or "-" not in text:
        raise InputError(f"{text[:40]!r} is not a SUPI (imsi-, nai-, gci- or gli-)", field="supi")
    return None


def parse_gpsi(text: str) -> str | None:
    """The MSISDN of an `msisdn-` GPSI (5 to 15 digits); None for an `extid-` GPSI."""
    if text.startswith("msisdn-"):
        digits = text[7:]
        if 5 <= len(digits) <= 15 and digits.isascii() and digits.isdigit():
            return digits
        raise InputError(f"{text[:40]!r} is not msisdn- with 5 to 15 digits", field="gpsi")
    if text.startswith("extid-") and "@" in text:
        return None
    raise InputError(f"{text[:40]!r} is not a GPSI (msisdn- or extid-)", field="gpsi")


def imei_key(text: str) -> int:
    """The 14-digit key of an IMEI or IMEISV given as bare digits (14 to 16), else InputError."""
    text = text.strip()
    if 14 <= len(text) <= 16 and text.isascii() and text.isdigit():
        return int(text[:14])
    raise InputError(f"{text[:40]!r} is not an IMEI (14 to 16 digits)", field="imei")


__all__ = ["Pei", "imei_key", "parse_gpsi", "parse_pei", "parse_supi"]
