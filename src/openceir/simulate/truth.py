"""Ground truth: one CSV per phenomenon under `<out>/truth/`, and their columns.

Dates are YYYYMMDD as in the dumps; IMEIs are the 15-digit form the device carries (a file
that lost leading zeros, or an operator that reports IMEISVs, shows them differently: see
`leading_zero_loss.csv` and `imeisv_as_imei.csv`); several IMSIs in one field are `|`-joined.
"""

from __future__ import annotations

TRUTH_COLUMNS: dict[str, tuple[str, ...]] = {
    "clones": (
        "imei",
        "genuine_imsi",
        "clone_imsis",
        "first_clone_date",
        "genuine_region",
        "clone_regions",
        "variant",
    ),
    "counterfeit_unallocated_tac": ("imei", "tac", "imsi", "first_date", "variant"),
    "brand_new_tac": ("imei", "tac", "imsi", "first_date"),
    "family_sharing": ("imei", "imsi_1", "imsi_2"),
    "rat_mismatch": ("imei", "tac", "supported", "observed", "imsi"),
    "stolen_reused": (
        "imei",
        "original_imsi",
        "new_imsi",
        "reporting_date",
        "first_date_with_new_sim",
    ),
    "null_test_imeis": ("imei", "kind", "imsi"),
    "malformed_imeis": ("imei", "kind", "imsi"),
    "transient_imeis": ("imei", "first_msisdn", "msisdn_step", "msisdn_count"),
    "leading_zero_loss": ("file", "imei", "reported", "imsi"),
    "dual_sim": ("imei_1", "imei_2", "imsi_1", "imsi_2"),
    "roamers": ("imsi", "msisdn", "kind", "home_mcc_mnc", "operator", "first_date", "last_date"),
    "sim_swaps": ("msisdn", "imei", "old_imsi", "new_imsi", "date"),
    "device_changes": ("imsi", "old_imei", "new_imei", "date", "buyer_imsi", "resale_date"),
    "imeisv_as_imei": ("imei", "reported", "operator", "imsi"),
    "imeisv_conflict": ("imei", "genuine_imeisv", "clone_imeisvs", "first_date"),
}
