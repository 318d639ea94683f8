"""Output lists (DESIGN §5): blacklist, per-operator notifications and exceptions, signed."""

from openceir.lists.build import csv_table, delta, generate, imei_text
from openceir.lists.keys import init_key, load_signer, load_verifier
from openceir.lists.run import RunInputs, RunResult, lists_dir, runs, verify_run, write_run

__all__ = [
    "RunInputs",
    "RunResult",
    "csv_table",
    "delta",
    "generate",
    "imei_text",
    "init_key",
    "lists_dir",
    "load_signer",
    "load_verifier",
    "runs",
    "verify_run",
    "write_run",
]
