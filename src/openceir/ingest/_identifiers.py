"""Identifier forms the importers need, taken from `openceir.identifiers` when it provides them.

The fallbacks below exist only until `openceir.identifiers.bulk` / `.imei` land; they follow
DESIGN §5 (an IMEI's key is its first 14 digits; 14-16 ASCII digits, else malformed) and
should be deleted then. TODO(identifiers): move these there.
"""

from __future__ import annotations

try:  # pragma: no cover - depends on the identifiers package being present
    from openceir.identifiers.bulk import imei_key_sql
except ImportError:  # pragma: no cover

    def imei_key_sql(col: str) -> str:
        """DuckDB expression: the BIGINT key (first 14 digits) of an IMEI, NULL if malformed."""
        return (
            f"CASE WHEN regexp_full_match({col}, '[0-9]{{14,16}}') "
            f"THEN CAST(substr({col}, 1, 14) AS BIGINT) END"
        )


try:  # pragma: no cover
    from openceir.identifiers.imei import key as imei_key
except ImportError:  # pragma: no cover

    def imei_key(value: str) -> int | None:
        """The 14-digit key of an IMEI (or IMEISV), None when it is malformed."""
        if 14 <= len(value) <= 16 and value.isascii() and value.isdigit():
            return int(value[:14])
        return None


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
