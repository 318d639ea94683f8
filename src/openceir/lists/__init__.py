"""Output lists (architecture §5): blacklist, per-operator notifications and exceptions, and the
lists an EIR needs (barred TACs, tracked, registered); full and delta, signed."""

from openceir.lists.apply import apply_delta
from openceir.lists.build import csv_table, delta, generate, imei_text, register_lists
from openceir.lists.keys import init_key, load_signer, load_verifier
from openceir.lists.run import RunInputs, RunResult, lists_dir, runs, verify_run, write_run

__all__ = [
    "RunInputs",
    "RunResult",
    "apply_delta",
    "csv_table",
    "delta",
    "generate",
    "imei_text",
    "init_key",
    "lists_dir",
    "load_signer",
    "load_verifier",
    "register_lists",
    "runs",
    "verify_run",
    "write_run",
]
