"""`openceir keys`: the CEIR's Ed25519 key that signs published lists."""

from __future__ import annotations

import typer

from openceir.cli import _context
from openceir.lists.keys import init_key

app = typer.Typer(help="The CEIR's list-signing key (Ed25519).", no_args_is_help=True)


@app.command("init")
def init_cmd(
    name: str = typer.Option("ceir", help="The key name written in signatures."),
    force: bool = typer.Option(False, "--force", help="Replace an existing key."),
) -> None:
    """Create the signing key under <data dir>/keys (private key mode 0600) and publish ceir.vkey.

    Example: openceir keys init --name ceir.examplestan.example
    """
    public = init_key(_context.settings().data_dir, name, force=force)
    _context.console.print(f"public key written to {public}:")
    _context.console.print(public.read_text(encoding="utf-8").strip())
