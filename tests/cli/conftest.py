"""Run the real `openceir` command: in a subprocess as a user would (`cli`), or in-process
through the same entry point (`run`, much faster)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def cli(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Call `python -m openceir ARGS` in tmp_path with a clean OPENCEIR_* environment."""

    def call(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith("OPENCEIR_")}
        base["COLUMNS"] = "200"
        base.update(env or {})
        return subprocess.run(
            [sys.executable, "-m", "openceir", *args],
            cwd=tmp_path,
            env=base,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return call


@pytest.fixture
def run(
    cli_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Call `openceir ARGS` in-process (the real entry point, exit codes and all) in cli_home."""
    from openceir.cli.main import run as main

    def call(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)

    return call
