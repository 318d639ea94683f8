"""The layer table of docs/architecture.md, enforced on every module's imports.

A module may import its own package and packages of strictly lower layers: never sideways,
never up, and nothing imports `web` or `cli` (except the few compositions in `SIDEWAYS`).
Every import counts: module level, inside functions, under `TYPE_CHECKING`, relative, and
`importlib.import_module("openceir....")` with a literal name. A top-level package missing
from the table fails, so a new package must be placed in the table first.

Violations that other lanes are removing are in `ALLOWED`, each naming the lane. To see the
list shrink: `python -m tests.test_layers` prints what is still allowed and what is stale.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
ROOT = "openceir"

#: The layer of each top-level package or module of openceir (docs/architecture.md).
LAYERS: dict[str, int] = {
    "errors": 0,
    "tlog": 0,
    "identifiers": 1,
    "settings": 1,
    "fileio": 1,
    "store": 2,
    "lake": 2,
    "access": 3,
    "ingest": 3,
    "simulate": 3,
    "notify": 3,
    "classify": 4,
    "lists": 5,
    "eir": 6,
    "ledger": 6,
    "cases": 7,
    "registry": 7,
    "reports": 7,
    "resolve": 7,
    "evaluate": 7,
    "web": 8,
    "cli": 8,
    "demo": 8,
    "__main__": 8,
}

#: Packages that import nothing of openceir at all (a pure algorithm, as Go's sumdb/tlog).
STANDALONE = {"tlog"}

#: The only imports between packages of one layer: the CLI composes the web app and the demo.
SIDEWAYS = {("cli", "web"), ("cli", "demo"), ("__main__", "cli")}

#: Packages only some others may import: the synthetic-data generator is for the commands
#: and the demo, never a dependency of production code.
ONLY_FOR = {"simulate": {"cli", "demo", "evaluate"}}

#: Modules that have moved to another package: importing them from outside is refused.
MOVED = {"openceir.eir.oauth": "access (roles, principals, OAuth2 clients and tokens)"}

#: Imports the table forbids that a lane is removing now: (importing module, imported
#: package) -> who removes it. Delete an entry once its import is gone (a test says when).
ALLOWED: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Import:
    """One import of an openceir module, where it was found."""

    module: str  # the importing module, e.g. openceir.lists.run
    target: str  # the imported module, e.g. openceir.ledger.events
    line: int

    @property
    def source_package(self) -> str:
        return package_of(self.module)

    @property
    def target_package(self) -> str:
        return package_of(self.target)


def package_of(module: str) -> str:
    """The top-level package of an openceir module name (`openceir.lists.run` -> `lists`)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def module_name(path: Path, src: Path = SRC) -> str:
    """`src/openceir/lists/run.py` -> `openceir.lists.run` (a package is its `__init__`)."""
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(module: str, source: str, is_package: bool = False) -> Iterator[Import]:
    """Every openceir import in `source`, at any depth of the syntax tree."""
    base = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base[: len(base) - node.level + 1]
                name = ".".join([*anchor, *([node.module] if node.module else [])])
            else:
                name = node.module or ""
            if name == ROOT:  # `from openceir import lake` imports the package openceir.lake
                for alias in node.names:
                    dunder = alias.name.startswith("__")  # `__version__`: the root package
                    yield Import(module, ROOT if dunder else f"{ROOT}.{alias.name}", node.lineno)
            else:
                yield Import(module, name, node.lineno)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield Import(module, node.args[0].value, node.lineno)


def _is_openceir(name: str) -> bool:
    return name == ROOT or name.startswith(ROOT + ".")


def problem(imp: Import, layers: dict[str, int] = LAYERS) -> str | None:
    """Why the table forbids `imp`, or None when it is allowed (ignoring `ALLOWED`)."""
    if not _is_openceir(imp.target):
        return None
    source, target = imp.source_package, imp.target_package
    for package in (source, target):
        if package and package not in layers:
            return f"{package!r} is not in the layer table (add it to LAYERS and the docs)"
    if source in STANDALONE and target != source:
        return f"{source} imports nothing of openceir, but imports {imp.target}"
    if not target or source == target:  # the root package (__version__) or its own package
        return None
    moved = next((m for m in MOVED if imp.target == m or imp.target.startswith(m + ".")), None)
    if moved:
        return f"{moved} has moved to {MOVED[moved]}"
    if target in ONLY_FOR and source not in ONLY_FOR[target]:
        return f"only {', '.join(sorted(ONLY_FOR[target]))} may import {target} (test data)"
    if (source, target) in SIDEWAYS:
        return None
    if target in ("web", "cli"):
        return f"nothing imports {target} ({imp.module} imports {imp.target})"
    if layers[target] > layers[source]:
        lower, upper = f"{source} (layer {layers[source]})", f"{target} (layer {layers[target]})"
        return f"upward: {lower} imports {upper}"
    if layers[target] == layers[source]:
        return f"sideways: {source} and {target} share layer {layers[source]}"
    return None


def allowed_key(imp: Import) -> tuple[str, str] | None:
    """The `ALLOWED` entry covering `imp`: by imported module, else by imported package."""
    sub = imp.target.removeprefix(ROOT + ".")
    for key in ((imp.module, sub), (imp.module, imp.target_package)):
        if key in ALLOWED:
            return key
    return None


def scan(src: Path = SRC) -> list[tuple[Import, str]]:
    """Every import under `src/openceir` that the table forbids, with the reason."""
    found = []
    for path in sorted((src / ROOT).rglob("*.py")):
        name = module_name(path, src)
        text = path.read_text(encoding="utf-8")
        for imp in imports(name, text, is_package=path.name == "__init__.py"):
            reason = problem(imp)
            if reason:
                found.append((imp, reason))
    return found


def test_no_import_points_up_or_sideways() -> None:
    bad = [
        f"{imp.module} line {imp.line}: {reason}"
        for imp, reason in scan()
        if allowed_key(imp) is None
    ]
    assert bad == [], "imports the layer table forbids:\n" + "\n".join(bad)


def test_every_allowed_violation_still_exists() -> None:
    used = {allowed_key(imp) for imp, _ in scan()}
    stale = [f"{key}: {lane}" for key, lane in ALLOWED.items() if key not in used]
    assert stale == [], "fixed, delete from ALLOWED in tests/test_layers.py:\n" + "\n".join(stale)


def test_the_docs_table_is_this_table() -> None:
    doc = (SRC.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = {}
    for line in doc.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0].isdigit():
            for name in cells[1].replace("`", "").split(","):
                rows[name.strip()] = int(cells[0])
    assert rows == {k: v for k, v in LAYERS.items() if k != "__main__"}


# The checker itself: each case is a module and a line of source, and must be refused.
def _problems(module: str, source: str, is_package: bool = False) -> list[str]:
    return [r for imp in imports(module, source, is_package) if (r := problem(imp))]


@pytest.mark.parametrize(("module", "imported"), sorted(ALLOWED))
def test_checker_refuses_each_allowed_import(module: str, imported: str) -> None:
    assert _problems(module, f"import openceir.{imported}\n")


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("openceir.lists.run", "from openceir.ledger import events\n", "upward"),
        ("openceir.lists.build", "def f():\n    from openceir.simulate import luhn\n", "only"),
        (
            "openceir.web.auth",
            "import typing\nif typing.TYPE_CHECKING:\n    from openceir.eir.oauth import x\n",
            "moved to access",
        ),
        ("openceir.classify.clones", "from ..ledger.events import ImeiLedger\n", "upward"),
        ("openceir.eir.snapshot", "import openceir.ledger.log\n", "sideways"),
        ("openceir.cases.report", "from openceir.registry import devices\n", "sideways"),
        ("openceir.reports.charts", "from openceir import cases\n", "sideways"),
        ("openceir.web.app", "from openceir.cli import main\n", "nothing imports cli"),
        ("openceir.demo", "from openceir.web import create_app\n", "nothing imports web"),
        ("openceir.tlog.note", "from openceir.errors import IntegrityError\n", "nothing of"),
        ("openceir.store.models", "from openceir.widgets import x\n", "not in the layer table"),
        ("openceir.widgets.x", "from openceir.errors import InputError\n", "not in the layer"),
        ("openceir.ingest.x", "importlib.import_module('openceir.classify.run')\n", "upward"),
    ],
)
def test_checker_refuses(module: str, source: str, expected: str) -> None:
    found = _problems(module, source, is_package=False)
    assert found and expected in found[0], found


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("openceir.lists.run", "from openceir.classify import state\n"),
        ("openceir.lists.run", "from . import build\n"),
        ("openceir.cli.serve", "from openceir.web import create_app\n"),
        ("openceir.cli.main", "from openceir import __version__\n"),
        ("openceir.tlog.note", "from openceir.tlog import tiles\nimport hashlib\n"),
        ("openceir.cases.report", "from openceir.notify import outbox\n"),
    ],
)
def test_checker_allows(module: str, source: str) -> None:
    assert _problems(module, source) == []


def test_relative_imports_resolve_from_a_package_init() -> None:
    [imp] = imports("openceir.lists", "from .run import write_run\n", is_package=True)
    assert imp.target == "openceir.lists.run"
    [imp] = imports("openceir.lists.run", "from ..ledger import note\n")
    assert imp.target == "openceir.ledger"


if __name__ == "__main__":  # python -m tests.test_layers: what is still allowed, what is stale
    found = scan()
    used: dict[tuple[str, str], list[str]] = {}
    for imp, _ in found:
        key = allowed_key(imp)
        if key:
            used.setdefault(key, []).append(f"{imp.module}:{imp.line} -> {imp.target}")
        else:
            print(f"FORBIDDEN {imp.module}:{imp.line} -> {imp.target}")
    for key, lane in ALLOWED.items():
        state = f"{len(used[key])} import(s)" if key in used else "STALE (delete the entry)"
        print(f"{key[0]} -> {key[1]}: {state}; {lane}")
    print(f"{len(used)} allowed violations remain, {len(ALLOWED) - len(used)} stale")
