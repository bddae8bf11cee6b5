"""guide.md must be the printed guide, verbatim, with only Markdown structure added."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[2]
GUIDE_MD = REPO / "claims" / "distal-hasetendinopati" / "guide.md"
ORIGINAL = REPO.parent / "shared" / "guide" / "distal-hasetendinopati.txt"

HEADING = re.compile(r"^#{1,6} ")


def _markdown_lines() -> list[str]:
    """guide.md's non-blank lines with heading markers removed.

    List markers (``- ``) are part of the original text and are kept.
    """
    lines = GUIDE_MD.read_text(encoding="utf-8").splitlines()
    return [HEADING.sub("", line, count=1) for line in lines if line.strip()]


def _original_lines() -> list[str]:
    if not ORIGINAL.is_file():
        pytest.skip(f"original guide text not available at {ORIGINAL}")
    return [
        line
        for line in ORIGINAL.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def test_guide_md_has_no_title_and_no_emphasis() -> None:
    text = GUIDE_MD.read_text(encoding="utf-8")
    assert not any(line.startswith("# ") for line in text.splitlines()), (
        "no H1 title in guide.md"
    )
    assert "**" not in text and "__" not in text


def test_guide_md_equals_original_line_for_line() -> None:
    original = _original_lines()
    markdown = _markdown_lines()
    for number, (got, want) in enumerate(zip(markdown, original), start=1):
        assert got == want, (
            f"non-blank line {number} differs:\n  guide.md: {got!r}\n  original: {want!r}"
        )
    assert len(markdown) == len(original), (
        f"guide.md has {len(markdown)} non-blank lines, the original {len(original)}"
    )


def test_guide_md_adds_no_text() -> None:
    original = set(_original_lines())
    extra = [line for line in _markdown_lines() if line not in original]
    assert not extra, f"guide.md has a line that is not in the original: {extra[0]!r}"


def test_blocks_are_separated_by_blank_lines() -> None:
    lines = GUIDE_MD.read_text(encoding="utf-8").splitlines()
    for number, (before, after) in enumerate(itertools.pairwise(lines), start=1):
        if before.strip() and after.strip():
            both_list_items = before.startswith("- ") and after.startswith("- ")
            assert both_list_items, (
                f"line {number + 1} must be separated from the previous block by a blank line"
            )


@given(st.text(alphabet=st.sampled_from("ab æø\u2013\u2014\u201c\u201d\u2019\u00a0\u202f-\"'")))
def test_folding_typography_maps_each_character_to_its_plain_form(text):
    from evidence.guide.document import _TYPOGRAPHY, fold_typography

    folded = fold_typography(text)
    assert folded == "".join(_TYPOGRAPHY.get(ord(c), c) for c in text)
    assert len(folded) == len(text)
