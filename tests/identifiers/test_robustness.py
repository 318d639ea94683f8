"""Every identifier module takes junk without crashing: is_valid is False, validate raises ours."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import openceir.identifiers as package
from openceir.errors import InvalidIdentifier

IDENTIFIER_MODULES = [
    module
    for info in pkgutil.iter_modules(package.__path__)
    if not info.name.startswith("_")
    and hasattr(module := importlib.import_module(f"{package.__name__}.{info.name}"), "is_valid")
    and hasattr(module, "validate")
]
JUNK = [None, "", "📱📱", "³⁵⁶⁸⁶⁸⁰⁰⁰⁰⁴¹⁴¹⁸", "1" * 10_000_000, b"356868000041418", 42, "IMEI:"]


def test_contract_finds_the_identifier_modules() -> None:
    names = {m.__name__.rsplit(".", 1)[1] for m in IDENTIFIER_MODULES}
    assert {"imei", "imeisv", "meid", "esn", "mac", "imsi", "msisdn", "tac", "pei"} <= names


@pytest.mark.parametrize("module", IDENTIFIER_MODULES, ids=lambda m: m.__name__)
@pytest.mark.parametrize("junk", JUNK, ids=range(len(JUNK)))
def test_junk_is_invalid_and_raises_only_invalid_identifier(module, junk) -> None:
    assert module.is_valid(junk) is False
    with pytest.raises(InvalidIdentifier):
        module.validate(junk)
