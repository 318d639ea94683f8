"""Radio access technologies as operators report them: 3GPP RAT-Type codes or generation words.

3GPP TS 29.212 / TS 29.274 RAT-Type values used in operator dumps (architecture §5): `001` UTRAN
(3G), `002` GERAN (2G), `006` E-UTRAN (4G), `008` NB-IoT, `009` LTE-M, `010` NR (5G). Some
operators send `2G|3G|4G|5G` words instead; NB-IoT and LTE-M are then reported as `4G`.
Inside the simulator a set of RATs is a bitmask.
"""

from __future__ import annotations

import pyarrow as pa

GERAN, UTRAN, EUTRAN, NR, NBIOT, LTEM = 1, 2, 4, 8, 16, 32
ALL_MASKS = 64

_CODES = {GERAN: "002", UTRAN: "001", EUTRAN: "006", NR: "010", NBIOT: "008", LTEM: "009"}
_WORDS = {GERAN: "2G", UTRAN: "3G", EUTRAN: "4G", NR: "5G", NBIOT: "4G", LTEM: "4G"}
_BANDS = {
    GERAN: "GSM 850,GSM 900,GSM 1800,GSM 1900",
    UTRAN: "WCDMA 900,WCDMA 2100",
    EUTRAN: "LTE FDD BAND 1,LTE FDD BAND 3,LTE FDD BAND 7,LTE FDD BAND 20,LTE TDD BAND 40",
    NR: "NR n1,NR n28,NR n78",
    # NB-IoT and LTE-M run in LTE bands: named as LTE bands, tagged with the technology.
    NBIOT: "LTE FDD BAND 8 (NB-IoT),LTE FDD BAND 20 (NB-IoT)",
    LTEM: "LTE FDD BAND 3 (LTE-M),LTE FDD BAND 20 (LTE-M)",
}
_INTERFACES = {
    GERAN: "GSM",
    UTRAN: "WCDMA",
    EUTRAN: "LTE",
    NR: "NR",
    NBIOT: "NB-IoT",
    LTEM: "LTE-M",
}
_GENERATION_ORDER = (GERAN, UTRAN, EUTRAN, NBIOT, LTEM, NR)


def bits(mask: int) -> list[int]:
    """The single-RAT bits of a mask, 2G first."""
    return [bit for bit in _GENERATION_ORDER if mask & bit]


def codes(mask: int) -> str:
    """`|`-list of 3GPP RAT codes in ascending code order, e.g. `002|006`."""
    return "|".join(sorted(_CODES[bit] for bit in bits(mask)))


def words(mask: int) -> str:
    """`|`-list of generation words without repeats, e.g. `2G|4G`."""
    seen: list[str] = []
    for bit in bits(mask):
        if _WORDS[bit] not in seen:
            seen.append(_WORDS[bit])
    return "|".join(seen)


def bands(mask: int) -> str:
    """GSMA-style band list of a model supporting these RATs."""
    return ",".join(_BANDS[bit] for bit in bits(mask))


def radio_interface(mask: int) -> str:
    """Comma list of radio interfaces (GSM, WCDMA, LTE, NR, NB-IoT, LTE-M)."""
    return ",".join(_INTERFACES[bit] for bit in bits(mask))


def dictionary(use_words: bool) -> pa.Array:
    """Text for every mask 0..63, indexable by mask, in the operator's style."""
    render = words if use_words else codes
    return pa.array([render(mask) for mask in range(ALL_MASKS)])
