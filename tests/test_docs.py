"""Docs the code cites exist: no design document the repo lacks, no missing section or page."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ARCHITECTURE = REPO / "docs" / "architecture.md"
SCANNED = ("src", "tests", "docs", "bench")
SUFFIXES = {".py", ".md", ".yaml", ".toml", ".txt", ".html"}

_WORD = "DESIGN"  # this file's own examples are not citations: it is not scanned
_MISSING_DOC = re.compile(rf"\b{_WORD}\b( ?§| in docs|\.md)")
_SECTION = re.compile(r"\barchitecture §(\d+)")
_DOC_PATH = re.compile(r"\bdocs/([\w./-]+\.md)\b")


def _files() -> list[Path]:
    files = [REPO / "README.md", REPO / "CHANGELOG.md"]
    for top in SCANNED:
        files += [p for p in (REPO / top).rglob("*") if p.suffix in SUFFIXES and p.is_file()]
    return [p for p in files if p.exists() and p != Path(__file__).resolve()]


def citation_problems(text: str, sections: set[str], docs: set[str]) -> list[str]:
    """What in `text` cites a document or section the repo does not have."""
    problems = [f"cites {m.group(0)!r}: no such document" for m in _MISSING_DOC.finditer(text)]
    problems += [
        f"cites architecture §{n}: docs/architecture.md has no section {n}"
        for n in _SECTION.findall(text)
        if n not in sections
    ]
    problems += [
        f"cites docs/{name}: no such page" for name in _DOC_PATH.findall(text) if name not in docs
    ]
    return problems


def _sections() -> set[str]:
    return set(re.findall(r"^## (\d+)\. ", ARCHITECTURE.read_text(encoding="utf-8"), re.M))


def _docs() -> set[str]:
    return {p.relative_to(REPO / "docs").as_posix() for p in (REPO / "docs").rglob("*.md")}


def test_no_file_cites_a_document_the_repo_lacks() -> None:
    sections, docs = _sections(), _docs()
    found = []
    for path in _files():
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{path.relative_to(REPO)}: {p}" for p in citation_problems(text, sections, docs)]
    assert found == []


def test_the_architecture_has_its_numbered_sections() -> None:
    assert {"1", "2", "3", "4", "5", "6", "7"} <= _sections()


def test_the_citation_check_catches_each_kind_of_bad_citation() -> None:
    sections, docs = {"4", "5"}, {"architecture.md"}
    assert citation_problems(f"as {_WORD} §5 says", sections, docs)
    assert citation_problems(f"See {_WORD} in docs/ for more", sections, docs)
    assert citation_problems(f"{_WORD}.md", sections, docs)
    assert citation_problems("(architecture §9)", sections, docs)
    assert citation_problems("see docs/nowhere.md", sections, docs)
    assert citation_problems("architecture §5 and docs/architecture.md", sections, docs) == []
