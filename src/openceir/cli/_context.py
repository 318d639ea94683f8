"""What every command needs: the settings and the store, opened lazily once per invocation.

The settings are read on first use and kept on the root click context of the running
command, so each `openceir ...` invocation (and each in-process `CliRunner` call in tests)
reads the environment and config file afresh; there is no module-level cache to reset.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from rich.console import Console

if TYPE_CHECKING:  # imported on use: `openceir --help` should not load pydantic or SQLAlchemy
    from sqlalchemy import Engine

    from openceir.settings import Settings

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

_KEY = "openceir.settings"


def settings() -> Settings:
    """Settings from the environment and config file, read once per command invocation."""
    from openceir.settings import load_settings

    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return load_settings()
    meta = ctx.find_root().meta
    if _KEY not in meta:
        meta[_KEY] = load_settings()
    return meta[_KEY]


def engine() -> Engine:
    """The store's engine; a ConfigError (one line) if it cannot be reached."""
    from openceir.store.session import connect

    return connect(settings().sqlalchemy_url)
