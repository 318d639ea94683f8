"""Radio access technologies as a bitmask: the one mapping from 3GPP RAT-Type codes to bits.

Operator dumps name RATs either by the 3GPP RAT-Type code (TS 29.274 §8.17 / TS 29.212) or
by generation (`2G`, `3G`, `4G`, `5G`); the lake stores the union seen for a triplet in a
month as `rat_mask` (SMALLINT):

| bit | value | meaning                   | codes accepted               |
|-----|-------|---------------------------|------------------------------|
| 0   | 1     | 2G (GERAN)                | `002`, `2G`                  |
| 1   | 2     | 3G (UTRAN, HSPA evolution)| `001`, `005`, `3G`           |
| 2   | 4     | 4G (E-UTRAN)              | `006`, `4G`                  |
| 3   | 8     | 5G (NR)                   | `010`, `5G`                  |
| 4   | 16    | NB-IoT                    | `008`                        |
| 5   | 32    | LTE-M                     | `009`                        |
| 6   | 64    | GAN (generic access)      | `004`                        |
| 7   | 128   | 3GPP2 (CDMA family)       | `101` to `105`               |

A token not in the table sets no bit; the importer counts such rows (check `unclean_rat`).
"""

from __future__ import annotations

RAT_BITS: dict[str, int] = {
    "002": 1,
    "2G": 1,
    "001": 2,
    "005": 2,
    "3G": 2,
    "006": 4,
    "4G": 4,
    "010": 8,
    "5G": 8,
    "008": 16,
    "009": 32,
    "004": 64,
    "101": 128,
    "102": 128,
    "103": 128,
    "104": 128,
    "105": 128,
}
"""RAT token (3GPP code or generation) -> bit value."""

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


__all__ = ["GENERATIONS", "RAT_BITS", "rat_mask", "rat_mask_sql", "rat_names"]
