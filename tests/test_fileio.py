"""The one atomic-write, file-lock and spreadsheet-cell helper."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from openceir.errors import ConfigError
from openceir.fileio import atomic_path, is_formula, lock, safe_cell, write_atomic

FORMULAS = ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "  =cmd|' /C calc'!A0"]
PLAIN = ["352099001761481", "stolen", "", "a=b", "'=1", " x", "Reported stolen|Duplicated"]


@pytest.mark.parametrize("text", FORMULAS)
def test_formulas_are_detected_and_neutralised(text: str) -> None:
    assert is_formula(text)
    assert safe_cell(text) == "'" + text
    assert not is_formula(safe_cell(text)) and safe_cell(safe_cell(text)) == safe_cell(text)


@pytest.mark.parametrize("text", PLAIN)
def test_plain_text_is_left_alone(text: str) -> None:
    assert not is_formula(text) and safe_cell(text) == text


def test_write_atomic_replaces_and_keeps_mode(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "key"
    write_atomic(target, "secret\n", mode=0o600)
    assert target.read_text() == "secret\n" and (target.stat().st_mode & 0o777) == 0o600
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two" and sorted(os.listdir(target.parent)) == ["key"]


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "list.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed")
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["list.csv"]


def test_lock_without_wait_refuses_while_another_process_holds_it(tmp_path: Path) -> None:
    path = tmp_path / "locks" / "stolen"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time
                from openceir.fileio import lock
                with lock({str(path)!r}):
                    print("held", flush=True)
                    sys.stdin.read()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        assert holder.stdout.readline() == "held\n"
        with (
            pytest.raises(ConfigError, match="another run holds it"),
            lock(path, wait=False, busy="another run holds it"),
        ):
            pass
    finally:
        holder.kill()
        holder.wait()
    with lock(path, wait=False):  # the OS released the dead holder's lock
        pass
