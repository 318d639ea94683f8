"""PEI, SUPI and GPSI as the N5g-eir API carries them (3GPP TS 29.571 §5.3.2, TS 23.003 §6.2).

PEIs are parsed by `openceir.identifiers.pei` (the one parser of every PEI form); this module
only adapts it to the EIR's contract:

- the 15th digit of an `imei-` PEI is accepted whatever it is: a UE sends it as a spare 0
  (TS 24.008 §10.5.1.4), and for list decisions only the key matters, the first 14 digits
  (TAC + serial) as an integer (DESIGN §5);
- every rejection is an InputError on field `pei`, worded as the EIR always worded it (the
  ProblemDetails `detail`), which N5g-eir answers with 400 MANDATORY_IE_INCORRECT
  (TS 29.511 Table 6.1.7.3-1).

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
from openceir.identifiers import luhn as _luhn
from openceir.identifiers import pei as _pei


class Pei(NamedTuple):
    """A parsed PEI: its kind, its value without prefix and, for IMEI forms, the 14-digit key."""

    kind: str
    value: str
    key: int | None


def _with_check_digit(text: str) -> str | None:
    """An `imei-` PEI with its 15th digit replaced by the Luhn digit, or None if not one."""
    if len(text) != 20 or not text.startswith("imei-") or not text.isascii():
        return None
    body, last = text[5:19], text[19]
    if not (body.isdigit() and last.isdigit()):
        return None
    return f"imei-{body}{_luhn.calc_check_digit(body)}"


def _refusal(text: object, exc: InvalidIdentifier) -> InputError:
    """The EIR's wording of a refused PEI (the identifiers' own reason when the form is right)."""
    if not isinstance(text, str):
        return InputError(exc.reason, field="pei")
    for prefix, length in (("imei-", 15), ("imeisv-", 16)):
        if text.startswith(prefix):
            digits = text[len(prefix) :]
            if len(digits) == length and digits.isascii() and digits.isdigit():
                return InputError(exc.reason, field="pei")
            return InputError(f"{text[:40]!r} is not {prefix} with {length} digits", field="pei")
    return InputError(
        f"{text[:40]!r} is not a PEI (imei-, imeisv-, mac- or eui- form)", field="pei"
    )


def parse_pei(text: str) -> Pei:
    """Parse a PEI in any form of TS 29.571, or raise InputError naming the `pei` field."""
    try:
        kind, value = _pei.parse(text)
    except InvalidIdentifier as exc:
        fixed = _with_check_digit(text) if isinstance(text, str) else None
        if fixed is None:
            raise _refusal(text, exc) from None
        kind, _ = _pei.parse(fixed)
        value = text[5:]
    if kind in ("imei", "imeisv"):
        return Pei(kind, value, _imei.key(value))
    return Pei(kind, value, None)


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
