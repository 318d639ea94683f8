"""The GSMA TAC catalog: `TAC|Manufacturer|Model_Name|Bands|Allocation_Date|Device_Type|...`.

Also accepts CSV `tac,manufacturer,model,device_type,bands,rats,allocation_date`. Columns
other than the known ones are kept in `extra`. Supported RATs come from `rats` when given,
else from the bands (and GSMA's Radio_Interface) by `rats_from_bands`:

| band text contains                               | RAT |
|--------------------------------------------------|-----|
| GSM, EGSM, DCS, PCS, GPRS, EDGE, CDMA (not 2000) | 2G  |
| WCDMA, UMTS, HSPA, HSDPA, HSUPA, TD-SCDMA, CDMA2000, EV-DO | 3G |
| LTE, E-UTRA                                      | 4G  |
| NR, 5G                                           | 5G  |
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from openceir.ingest import fields
from openceir.ingest.register_import import import_register
from openceir.ingest.source import FieldError, Record, Source

RAT_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("2G", re.compile(r"\b(E?GSM|DCS|PCS|GPRS|EDGE|CDMA(?!\s*2000))", re.I)),
    ("3G", re.compile(r"(WCDMA|UMTS|HS[DU]?PA|TD-?SCDMA|CDMA\s*2000|EV-?DO)", re.I)),
    ("4G", re.compile(r"\b(LTE|E-UTRA)", re.I)),
    ("5G", re.compile(r"(\bNR\b|\b5G\b|\bNR\s*(SA|NSA|band|n\d))", re.I)),
)
RATS = ("2G", "3G", "4G", "5G")


def rats_from_bands(bands: str | None, radio_interface: str | None = None) -> list[str]:
    """The RATs a device supports, judged from its band list and radio interface text.

    >>> rats_from_bands("GSM 900,GSM 1800,WCDMA FDD Band I,LTE FDD BAND 3")
    ['2G', '3G', '4G']
    >>> rats_from_bands("NR n78", "LTE")
    ['4G', '5G']
    """
    text = " ".join(t for t in (bands, radio_interface) if t)
    return [rat for rat, pattern in RAT_PATTERNS if pattern.search(text)]


def parse_rats(value: str) -> list[str]:
    """An explicit RAT list (`2G|3G`, `2G,3G` or `2G 3G`) in canonical order, or a FieldError."""
    tokens = [t.strip().upper() for t in re.split(r"[|,; ]+", value) if t.strip()]
    bad = [t for t in tokens if t not in RATS]
    if bad:
        raise FieldError("rats", f"{bad[0]!r}: expected RATs among 2G, 3G, 4G, 5G")
    return [r for r in RATS if r in tokens]


KNOWN = ("tac", "manufacturer", "model", "brand", "bands", "rats", "device_type", "allocation_date")


def parse_tac(row: Mapping[str, str | None]) -> Record:
    """One catalog row; unknown columns (GSMA's NFC, WLAN, OS, ...) go to `extra`."""
    bands = fields.text(row.get("bands"), "bands", 4000)
    rats_text = fields.text(row.get("rats"), "rats")
    extra = {k: v.strip() for k, v in row.items() if k not in KNOWN and v and v.strip()}
    rats = (
        parse_rats(rats_text) if rats_text else rats_from_bands(bands, extra.get("radio_interface"))
    )
    return {
        "tac": fields.tac(row.get("tac")),
        "manufacturer": fields.text(row.get("manufacturer"), "manufacturer"),
        "model": fields.text(row.get("model"), "model"),
        "brand": fields.text(row.get("brand"), "brand"),
        "bands": bands,
        "rats": rats,
        "device_type": fields.text(row.get("device_type"), "device_type", 100),
        "allocation_date": fields.day(row.get("allocation_date"), "allocation_date"),
        "extra": dict(sorted(extra.items())),
    }


SOURCE = Source(
    kind="tac",
    title="TAC catalog",
    required=("tac",),
    optional=KNOWN[1:],
    aliases={"model_name": "model", "brand_name": "brand"},
    dirbs_kind="gsma_tac",
    delimiters=("|", ","),
    keep_extra=True,
    parse=parse_tac,
    example="openceir import tac gsma_tac_db.txt",
    importer=import_register,
)

__all__ = ["RATS", "SOURCE", "parse_rats", "parse_tac", "rats_from_bands"]
