"""Run the doctests in every identifiers module (the module docstring is the manual)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import openceir.identifiers as package

MODULES = [
    importlib.import_module(f"{package.__name__}.{info.name}")
    for info in pkgutil.iter_modules(package.__path__)
]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_module_doctests_pass(module) -> None:
    result = doctest.testmod(module)
    assert result.failed == 0
