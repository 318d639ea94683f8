"""Run the real `openceir` command in a subprocess, as a user would."""

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
