"""The CEIR's Ed25519 list-signing key (C2SP signed-note keys, reusing openceir.tlog.note)."""

from __future__ import annotations

import os
from pathlib import Path

from openceir.errors import ConfigError, InputError
from openceir.settings import DataPaths
from openceir.tlog.note import Signer, Verifier, generate_key, parse_skey, parse_vkey

PRIVATE = DataPaths(Path()).list_key.name
PUBLIC = DataPaths(Path()).list_vkey.name


def keys_dir(data_dir: Path) -> Path:
    """Where the CEIR key lives: `<data_dir>/keys/`."""
    return DataPaths(Path(data_dir)).keys


def init_key(data_dir: Path, name: str = "ceir", *, force: bool = False) -> Path:
    """Create the signing key (private file mode 0600) and publish `ceir.vkey`; returns it."""
    root = keys_dir(data_dir)
    private, public = root / PRIVATE, root / PUBLIC
    if private.exists() and not force:
        raise InputError(f"{private} already exists (use --force to replace it)", field="key")
    root.mkdir(parents=True, exist_ok=True)
    signer = generate_key(name)
    tmp = root / f".{PRIVATE}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(signer.skey + "\n")
    os.replace(tmp, private)
    public.write_text(signer.verifier.vkey + "\n", encoding="utf-8")
    return public


def load_signer(data_dir: Path) -> Signer:
    """The CEIR signer, or a ConfigError saying to run `openceir keys init`."""
    path = keys_dir(data_dir) / PRIVATE
    if not path.is_file():
        raise ConfigError(f"no list-signing key at {path}: run `openceir keys init`")
    return parse_skey(path.read_text(encoding="utf-8").strip())


def load_verifier(path: Path) -> Verifier:
    """A public key (`ceir.vkey` text file) to verify downloaded lists."""
    if not Path(path).is_file():
        raise InputError(f"public key {path} not found", source=str(path))
    return parse_vkey(Path(path).read_text(encoding="utf-8").strip())


__all__ = ["PRIVATE", "PUBLIC", "init_key", "keys_dir", "load_signer", "load_verifier"]
