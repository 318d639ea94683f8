"""PEI, SUPI and GPSI as the N5g-eir API carries them (3GPP TS 29.571 §5.3.2, TS 23.003 §6.2).

PEIs are parsed once, by `openceir.identifiers.pei.parse(text, sbi=True)` (the one parser of
every PEI form), in its network mode: the PEI exactly as sent (a padded PEI is refused), the
15th digit of an `imei-` PEI accepted whatever it is (a UE sends a spare 0, TS 24.008
§10.5.1.4); for list decisions only the key matters, the first 14 digits (TAC + serial) as
an integer (docs/architecture.md). Every rejection is an InputError on field `pei` worded as
the EIR always worded it (the ProblemDetails `detail`), which N5g-eir answers with 400
MANDATORY_IE_INCORRECT (TS 29.511 Table 6.1.7.3-1).

>>> parse_pei("imei-490154203237518")
Pei(kind='imei', value='490154203237518', key=49015420323751)
>>> parse_pei("imei-490154203237510").key
49015420323751
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

from typing import NamedTuple

from openceir.errors import InputError, InvalidIdentifier
from openceir.identifiers import imei as _imei
from openceir.identifiers import imsi as _imsi
from openceir.identifiers import pei as _pei


class Pei(NamedTuple):
    """A parsed PEI: its kind, its value without prefix and, for IMEI forms, the 14-digit key."""

    kind: str
    value: str
    key: int | None


def parse_pei(text: str) -> Pei:
    """Parse a PEI in any form of TS 29.571, or raise InputError naming the `pei` field."""
    try:
        kind, value = _pei.parse(text, sbi=True)
    except InvalidIdentifier as exc:
        raise InputError(exc.reason, field="pei") from None
    return Pei(kind, value, int(value[:14]) if kind in ("imei", "imeisv") else None)


def parse_supi(text: str) -> str | None:
    """The IMSI of an `imsi-` SUPI; None for other SUPI forms (NAI, GCI, GLI).

    The IMSI must pass `identifiers.imsi.is_well_formed` (6 to 15 digits), the project's one
    IMSI rule; its MCC is not checked: a SUPI's MCC is the network's business, an unknown one
    must not turn an equipment check into an error. Raises InputError for an `imsi-` SUPI that
    is not a well-formed IMSI, or an empty value.
    """
    if text.startswith("imsi-"):
        digits = text[5:]
        if _imsi.is_well_formed(digits):
            return digits
        raise InputError(
            f"{text[:40]!r} is not imsi- with {_imsi.MIN_DIGITS} to {_imsi.MAX_DIGITS} digits",
            field="supi",
        )
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
    key = _imei.key(text.strip()) if text.strip().isascii() else None
    if key is None:
        raise InputError(f"{text[:40]!r} is not an IMEI (14 to 16 digits)", field="imei")
    return key


__all__ = ["Pei", "imei_key", "parse_gpsi", "parse_pei", "parse_supi"]
