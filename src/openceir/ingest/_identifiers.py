"""Identifier forms the importers use: IMEI keys and the IMSI rule from `openceir.identifiers`,
plus the MSISDN shape a architecture §5 file must have (digits only, fixed lengths).

The IMEI and IMSI forms are re-exported, not re-implemented: an IMEI's key is its first 14
digits after the identifiers package's normalisation; an IMSI is 6 to 15 ASCII digits
(`identifiers.imsi.is_well_formed`, the project's one IMSI rule).
"""

from __future__ import annotations

from openceir.identifiers.bulk import imei_key_sql
from openceir.identifiers.imei import key as imei_key
from openceir.identifiers.imsi import is_well_formed as is_imsi
from openceir.identifiers.imsi import well_formed_sql as imsi_sql


def msisdn_sql(col: str) -> str:
    """DuckDB predicate: an MSISDN of 6-15 ASCII digits (E.164 without '+')."""
    return f"regexp_full_match({col}, '[0-9]{{6,15}}')"


def is_msisdn(value: str) -> bool:
    """An MSISDN of 6-15 ASCII digits."""
    return 6 <= len(value) <= 15 and value.isascii() and value.isdigit()


__all__ = ["imei_key", "imei_key_sql", "imsi_sql", "is_imsi", "is_msisdn", "msisdn_sql"]
