"""Device and subscriber identifiers: IMEI, IMEISV, MEID, ESN, MAC/EUI-64, IMSI, MSISDN, PEI.

One module per identifier, each with the verbs `compact`, `validate`, `is_valid`, `format`;
`findings` explains problems as data; `bulk` has the vectorised numpy and DuckDB SQL forms;
`detect` says what a string is.
"""

from __future__ import annotations

from openceir.identifiers import (
    bulk,
    detect,
    esn,
    findings,
    imei,
    imeisv,
    imsi,
    luhn,
    mac,
    meid,
    msisdn,
    pei,
    tac,
)
from openceir.identifiers.findings import Finding

__all__ = [
    "Finding",
    "bulk",
    "detect",
    "esn",
    "findings",
    "imei",
    "imeisv",
    "imsi",
    "luhn",
    "mac",
    "meid",
    "msisdn",
    "pei",
    "tac",
]
