"""What every command needs: the settings and the store, opened lazily and once."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:  # imported on use: `openceir --help` should not load pydantic or SQLAlchemy
    from sqlalchemy import Engine

    from openceir.settings import Settings

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


@cache
def settings() -> Settings:
    """Settings from the environment and config file, read on first use."""
    from openceir.settings import load_settings

    return load_settings()


def engine() -> Engine:
    """The store's engine; a ConfigError (one line) if it cannot be reached."""
    from openceir.store.session import connect

    return connect(settings().sqlalchemy_url)


def reset() -> None:
    """Forget cached settings (the demo writes a config, then reads it back)."""
    settings.cache_clear()
