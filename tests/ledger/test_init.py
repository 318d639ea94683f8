"""The package's public API: every name in __all__ exists, in every ledger module."""

from __future__ import annotations

import importlib
import pkgutil

import openceir.ledger


def test_every_exported_name_exists_in_the_package_and_its_modules() -> None:
    modules = [openceir.ledger] + [
        importlib.import_module(f"openceir.ledger.{m.name}")
        for m in pkgutil.iter_modules(openceir.ledger.__path__)
    ]
    assert len(modules) >= 10
    for module in modules:
        exported = module.__all__
        missing = [name for name in exported if not hasattr(module, name)]
        assert missing == [], module.__name__


def test_package_exports_the_documented_entry_points() -> None:
    for name in (
        "Log",
        "ImeiLedger",
        "verify_log",
        "sign_event",
        "append_event",
        "follow",
        "publish",
    ):
        assert name in openceir.ledger.__all__
