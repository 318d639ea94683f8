"""Identifier forms the importers use: IMEI keys from `openceir.identifiers`, plus the
narrower IMSI and MSISDN shapes a architecture §5 file must have (digits only, fixed lengths).

The IMEI forms are re-exported, not re-implemented: an IMEI's key is its first 14 digits
after the identifiers package's normalisation (separators, labels, non-ASCII digits).
"""

from __future__ import annotations

from openceir.identifiers.bulk import imei_key_sql
from openceir.identifiers.imei import key as imei_key


def imsi_sql(col: str) -> str:
    """DuckDB predicate: an IMSI of 14-15 ASCII digits (3GPP TS 23.003 §2.2)."""
    return f"regexp_full_match({col}, '[0-9]{{14,15}}')"


def msisdn_sql(col: str) -> str:
    """DuckDB predicate: an MSISDN of 6-15 ASCII digits (E.164 without '+')."""
    return f"regexp_full_match({col}, '[0-9]{{6,15}}')"


def is_imsi(value: str) -> bool:
    """An IMSI of 14-15 ASCII digits."""
    return 14 <= len(value) <= 15 and value.isascii() and value.isdigit()


def is_msisdn(value: str) -> bool:
    """An MSISDN of 6-15 ASCII digits."""
    return 6 <= len(value) <= 15 and value.isascii() and value.isdigit()


__all__ = ["imei_key", "imei_key_sql", "imsi_sql", "is_imsi", "is_msisdn", "msisdn_sql"]
