"""`openceir identify`: what an identifier is, its parts and findings (filled by identifiers)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the `identify` command to the root app (written with the identifiers package)."""
