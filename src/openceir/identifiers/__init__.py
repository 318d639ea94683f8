"""Device and subscriber identifiers: IMEI, IMEISV, MEID, ESN, MAC/EUI-64, IMSI, MSISDN, PEI.

One module per identifier, each with the verbs `compact`, `validate`, `is_valid`, `format`;
`findings` explains problems as data; `bulk` has the vectorised numpy and DuckDB SQL forms.
"""

from __future__ import annotations

from openceir.identifiers import bulk, findings, imei, luhn
from openceir.identifiers.findings import Finding

__all__ = ["Finding", "bulk", "findings", "imei", "luhn"]
