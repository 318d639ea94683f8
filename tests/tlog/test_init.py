"""tlog stands alone: no openceir import outside itself, and its public API is complete."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import openceir.tlog

SRC = Path(openceir.tlog.__file__).parent


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names.append("." * node.level + (node.module or ""))
    return names


def test_tlog_imports_nothing_of_openceir_but_itself() -> None:
    files = sorted(SRC.glob("*.py"))
    assert len(files) >= 8
    outside = {
        f"{path.name}: {name}"
        for path in files
        for name in _imports(path)
        if (name == "openceir" or name.startswith("openceir."))
        and not (name == "openceir.tlog" or name.startswith("openceir.tlog."))
    }
    assert outside == set()


def test_the_import_check_would_catch_an_openceir_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from openceir.errors import IntegrityError\nimport openceir.ledger\n")
    assert _imports(bad) == ["openceir.errors", "openceir.ledger"]


def test_every_exported_name_exists_in_the_package_and_its_modules() -> None:
    modules = [openceir.tlog] + [
        importlib.import_module(f"openceir.tlog.{m.name}")
        for m in pkgutil.iter_modules(openceir.tlog.__path__)
    ]
    for module in modules:
        missing = [name for name in module.__all__ if not hasattr(module, name)]
        assert missing == [], module.__name__


def test_every_tlog_error_has_the_one_root() -> None:
    from openceir.tlog import checkpoint, errors, note, witness

    for cls in (
        errors.ProofError,
        errors.TileError,
        errors.InvalidTilePath,
        note.InvalidSignatureError,
        checkpoint.MalformedCheckpointError,
        witness.WitnessError,
    ):
        assert issubclass(cls, errors.TlogError), cls
    assert not issubclass(errors.TlogError, ImportError)
