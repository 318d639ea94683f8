"""Secret keys kept as small files in the data dir: made once (random, mode 0600), then read."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from openceir.errors import ConfigError


def read_or_create(path: Path) -> bytes:
    """The key in `path`; a new random one is written first if there is none (race-safe)."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32) + "\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(tmp, path)  # atomic, and never replaces a key another process just made
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    key = path.read_text(encoding="ascii").strip().encode()
    if len(key) < 16:
        raise ConfigError(f"{path}: the key is too short; delete the file to make a new one")
    return key


__all__ = ["read_or_create"]
