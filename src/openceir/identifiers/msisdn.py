"""MSISDN: a subscriber's E.164 telephone number (ITU-T E.164, 3GPP TS 23.003 §3.3).

Structure: country calling code (1-3 digits) + national destination code + subscriber number,
at most 15 digits. Numbers written nationally are read with a default country calling code
given as a parameter. Validation uses Google's libphonenumber metadata (`phonenumbers`).
Canonical form: E.164 digits without the ``+``.

>>> validate("+44 7400 123456")
'447400123456'
>>> validate("07400 123456", country_code="44")
'447400123456'
>>> validate("0044 7400 123456")
'447400123456'
>>> validate("12345", country_code="44")
Traceback (most recent call last):
...
openceir.errors.InvalidIdentifier: MSISDN 12345: not a valid number for country code +44
"""

from __future__ import annotations

import phonenumbers

from openceir.errors import InvalidIdentifier
from openceir.identifiers import _text

__all__ = ["compact", "format", "info", "is_valid", "validate"]


def compact(number: str) -> str:
    """Normalise: drop separators and brackets, map Unicode digits, ``00`` becomes ``+``."""
    value = _text.clean(_text.as_text(number, "MSISDN")).replace("(", "").replace(")", "")
    return "+" + value[2:] if value.startswith("00") else value


def _parse(number: str, country_code: str | None) -> phonenumbers.PhoneNumber:
    value = compact(number)
    if not value or not value.lstrip("+").isascii() or not value.lstrip("+").isdigit():
        raise InvalidIdentifier(
            f"MSISDN {value!r}: {_text.describe_bad(value, '+' + _text.DIGITS)}"
        )
    region = None
    if not value.startswith("+"):
        cc = (country_code or "").lstrip("+")
        if not cc.isdigit():
            if len(value) > 8:
                value = "+" + value  # without a country code, assume international digits
            else:
                raise InvalidIdentifier(f"MSISDN {value}: no country code given")
        else:
            region = phonenumbers.region_code_for_country_code(int(cc))
            if region == "ZZ":
                raise InvalidIdentifier(f"MSISDN {value}: unknown country code +{cc}")
            if value.startswith(cc) and len(value) > 10:
                value = "+" + value
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidIdentifier(f"MSISDN {value}: {exc._msg}") from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidIdentifier(
            f"MSISDN {value}: not a valid number for country code +{parsed.country_code}"
        )
    return parsed


def validate(number: str, country_code: str | None = None) -> str:
    """E.164 digits without ``+``; `country_code` (e.g. ``"44"``) reads national numbers."""
    parsed = _parse(number, country_code)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)[1:]


def is_valid(number: object, country_code: str | None = None) -> bool:
    """True when `validate` would succeed (never raises)."""
    try:
        validate(number, country_code)  # type: ignore[arg-type]
    except InvalidIdentifier:
        return False
    return True


def info(number: str, country_code: str | None = None) -> dict[str, str]:
    """Country calling code, region, number type and the international written form."""
    parsed = _parse(number, country_code)
    kind = phonenumbers.number_type(parsed)
    names = {v: k.lower() for k, v in vars(phonenumbers.PhoneNumberType).items() if k.isupper()}
    return {
        "msisdn": validate(number, country_code),
        "country_code": str(parsed.country_code),
        "region": phonenumbers.region_code_for_number(parsed) or "",
        "type": names.get(kind, "unknown"),
        "international": format(number, country_code),
    }


def format(number: str, country_code: str | None = None) -> str:
    """The number in international notation, e.g. ``+44 7400 123456``."""
    parsed = _parse(number, country_code)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
