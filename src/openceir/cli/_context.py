"""What every command needs: the settings and the store, opened lazily and once."""

from __future__ import annotations

from functools import cache

from rich.console import Console
from sqlalchemy import Engine

from openceir.settings import Settings, load_settings
from openceir.store.session import connect

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


@cache
def settings() -> Settings:
    """Settings from the environment and config file, read on first use."""
    return load_settings()


def engine() -> Engine:
    """The store's engine; a ConfigError (one line) if it cannot be reached."""
    return connect(settings().sqlalchemy_url)


def reset() -> None:
    """Forget cached settings (the demo writes a config, then reads it back)."""
    settings.cache_clear()
