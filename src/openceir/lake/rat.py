"""Radio access technologies as a bitmask: the one table from RAT text to bits.

Every radio-technology text the project reads goes through this table: operator dumps (3GPP
RAT-Type codes, TS 29.274 §8.17 / TS 29.212, or generation words), the TAC catalog's `rats`
and registrations' radio interface text (interface names). The lake stores the union seen for a
triplet in a month as `rat_mask` (SMALLINT):

| bit | value | meaning              | codes       | words (any case)                              |
|-----|-------|----------------------|-------------|-----------------------------------------------|
| 0   | 1     | 2G (GERAN)           | `002`       | 2G GSM EGSM GPRS EDGE DCS PCS GERAN           |
| 1   | 2     | 3G (UTRAN, HSPA)     | `001` `005` | 3G WCDMA UMTS HSPA HSDPA HSUPA HSPA+ TD-SCDMA |
| 2   | 4     | 4G (E-UTRAN)         | `006`       | 4G LTE E-UTRA E-UTRAN EUTRAN                  |
| 3   | 8     | 5G (NR)              | `010`       | 5G NR                                         |
| 4   | 16    | NB-IoT               | `008`       | NB-IOT NBIOT                                  |
| 5   | 32    | LTE-M                | `009`       | LTE-M CAT-M CAT-M1 EMTC                       |
| 6   | 64    | GAN (generic access) | `004`       | GAN                                           |
| 7   | 128   | 3GPP2 (CDMA family)  | `101`-`105` |                                               |

Two readers, one table: `rat_mask` (and its DuckDB twin `rat_mask_sql`) reads a dump's strict
`|`-list, where one unknown token makes the value unknown (the importer counts such rows,
check `unclean_rat`); `interface_mask` reads free text (`GSM, WCDMA, LTE`, `2G/3G`,
`LTE FDD BAND 20 (LTE-M)`), ignoring words not in the table, and counts NB-IoT and LTE-M as
supported wherever LTE is (`LTE_VARIANTS`). Both give `2G|3G` the mask 3.
"""

from __future__ import annotations

import re

RAT_CODES: dict[str, int] = {
    "002": 1,
    "001": 2,
    "005": 2,
    "006": 4,
    "010": 8,
    "008": 16,
    "009": 32,
    "004": 64,
    "101": 128,
    "102": 128,
    "103": 128,
    "104": 128,
    "105": 128,
}
"""3GPP RAT-Type code -> bit value."""

RAT_WORDS: dict[str, int] = {
    **dict.fromkeys(("2G", "GSM", "EGSM", "GPRS", "EDGE", "DCS", "PCS", "GERAN"), 1),
    **dict.fromkeys(
        ("3G", "WCDMA", "UMTS", "HSPA", "HSDPA", "HSUPA", "HSPA+", "TD-SCDMA", "TDSCDMA", "UTRAN"),
        2,
    ),
    **dict.fromkeys(("4G", "LTE", "E-UTRA", "E-UTRAN", "EUTRA", "EUTRAN"), 4),
    **dict.fromkeys(("5G", "NR"), 8),
    **dict.fromkeys(("NB-IOT", "NBIOT"), 16),
    **dict.fromkeys(("LTE-M", "CAT-M", "CAT-M1", "EMTC"), 32),
    "GAN": 64,
}
"""Generation word or interface name (upper case) -> bit value."""

RAT_BITS: dict[str, int] = {**RAT_CODES, **RAT_WORDS}
"""Every RAT token (3GPP code, generation word or interface name) -> bit value."""

LTE = 4
LTE_VARIANTS = 16 | 32
"""NB-IoT and LTE-M are E-UTRAN variants: text naming LTE is taken to cover them too."""

_WORD_SPLIT = re.compile(r"[^0-9A-Za-z+-]+")

GENERATIONS: dict[int, str] = {
    1: "2G",
    2: "3G",
    4: "4G",
    8: "5G",
    16: "NB-IoT",
    32: "LTE-M",
    64: "GAN",
    128: "3GPP2",
}
"""Bit value -> the name shown to people."""


def rat_mask(value: str | None) -> int | None:
    """The bitmask of a `|`-separated RAT list; None when any token is unknown or it is empty.

    >>> rat_mask("006|010")
    12
    >>> rat_mask("2G|3G")
    3
    >>> rat_mask("999") is None
    True
    """
    if not value:
        return None
    mask = 0
    for token in value.split("|"):
        bit = RAT_BITS.get(token.strip().upper())
        if bit is None:
            return None
        mask |= bit
    return mask


def interface_mask(text: str | None) -> int | None:
    """The bitmask of free radio-interface text (words of `RAT_WORDS`; others ignored).

    LTE implies its variants NB-IoT and LTE-M; None when no word is known.

    >>> interface_mask("GSM,WCDMA,LTE")
    55
    >>> interface_mask("2G|3G"), interface_mask("NB-IoT"), interface_mask("satellite") is None
    (3, 16, True)
    """
    mask = 0
    for word in _WORD_SPLIT.split(text or ""):
        mask |= RAT_WORDS.get(word.upper(), 0)
    if mask & LTE:
        mask |= LTE_VARIANTS
    return mask or None


def rat_names(mask: int) -> list[str]:
    """The names of the bits set in `mask`, lowest bit first.

    >>> rat_names(12)
    ['4G', '5G']
    """
    return [name for bit, name in GENERATIONS.items() if mask & bit]


def rat_mask_sql(column: str) -> str:
    """A DuckDB expression giving the SMALLINT mask of `column` (NULL if empty or unknown token).

    Agrees with `rat_mask`: each token goes through one CASE (a MAP literal per row is about
    three times slower); one unknown token makes the whole value NULL, so the row is counted
    as unclean rather than silently narrowed.
    """
    case = " ".join(f"WHEN '{k}' THEN {v}" for k, v in RAT_BITS.items())
    tokens = f"string_split(upper(replace({column}, ' ', '')), '|')"
    bits = f"list_transform({tokens}, lambda t: CASE t {case} END)"
    return (
        f"CASE WHEN {column} IS NULL OR {column} = '' THEN NULL "
        f"WHEN list_count({bits}) < len({tokens}) THEN NULL "
        f"ELSE CAST(list_reduce({bits}, lambda a, b: a | b) AS SMALLINT) END"
    )


__all__ = [
    "GENERATIONS",
    "LTE",
    "LTE_VARIANTS",
    "RAT_BITS",
    "RAT_CODES",
    "RAT_WORDS",
    "interface_mask",
    "rat_mask",
    "rat_mask_sql",
    "rat_names",
]
