"""Fixtures for the ledger tests: the official vectors copied into tests/data/vectors."""

from __future__ import annotations

from pathlib import Path

import pytest

VECTORS = Path(__file__).resolve().parents[1] / "data" / "vectors"


@pytest.fixture
def vectors() -> Path:
    """The copied conformance vectors (see tests/data/vectors/SOURCES.md)."""
    return VECTORS
