"""The CLI reference (docs/cli.md), generated from every command's --help so it cannot drift."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer.main

HEADER = """# CLI reference

Generated from `openceir COMMAND --help` by `python -m openceir.cli.reference > docs/cli.md`;
a test fails when this page and the commands disagree.
"""


def _walk(command: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
    """Every command under `command`, depth first (Typer vendors click: duck-typed)."""
    yield path, command
    if hasattr(command, "list_commands"):
        ctx = command.context_class(command)
        for name in sorted(command.list_commands(ctx)):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from _walk(sub, [*path, name])


def render(app: typer.Typer) -> str:
    """Markdown with one heading and one help block per command, in sorted order."""
    root = typer.main.get_command(app)
    parts = [HEADER]
    for path, command in _walk(root, ["openceir"]):
        info_name = " ".join(path)
        ctx = command.context_class(
            command, info_name=info_name, terminal_width=100, max_content_width=100
        )
        text = command.get_help(ctx)
        parts.append(f"\n## {info_name}\n\n```text\n{text.rstrip()}\n```\n")
    return "".join(parts)


if __name__ == "__main__":
    from openceir.cli.main import app

    print(render(app), end="")
