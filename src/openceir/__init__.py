"""openceir: an open-source Central Equipment Identity Register (CEIR).

Validates device identifiers, ingests operators' network data and the national registers,
classifies every IMEI with explainable rules, publishes signed lists to operators' EIRs and
keeps a verifiable ledger of identifier events. See docs/architecture.md for the architecture.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
