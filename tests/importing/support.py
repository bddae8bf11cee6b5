"""Helpers of the importing tests: the fixtures and a scratch project."""

from __future__ import annotations

import shutil
from pathlib import Path

import pypandoc

from evidence.guide.document import parse_guide

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DANISH_HTML = FIXTURES / "akillessene-da" / "source.html"
ENGLISH_MD_FOR_DOCX = FIXTURES / "patellar-en" / "source.docx.md"


def make_docx(markdown: Path, target: Path) -> Path:
    """A Word file made by pandoc from Markdown (what an editor's Word file holds)."""
    pypandoc.convert_file(str(markdown), "docx", format="markdown-smart", outputfile=str(target))
    return target


def new_project(root: Path, bib: str = "") -> Path:
    (root / "claims").mkdir(parents=True, exist_ok=True)
    (root / "references.bib").write_text(bib, encoding="utf-8")
    return root


def structure(markdown: str) -> list[tuple[str, int, str]]:
    """(kind, heading level, text) of every block, as the guide parser reads it."""
    guide = parse_guide("g", markdown)
    levels = {s.line: s.level for s in guide.sections}
    return [(b.kind, levels.get(b.line, 0) if b.kind == "heading" else 0, b.text)
            for b in guide.blocks]


def copy_fixture(name: str, target: Path) -> Path:
    shutil.copytree(FIXTURES / name, target)
    return target
