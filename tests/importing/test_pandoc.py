"""Documents through pandoc: heading levels, lists and emphasis kept, the text verbatim."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence.errors import EvidenceError
from evidence.importing.guidefile import read_input
from tests.importing.support import (
    DANISH_HTML,
    ENGLISH_MD_FOR_DOCX,
    FIXTURES,
    make_docx,
    structure,
)


def test_html_keeps_heading_levels_lists_and_emphasis() -> None:
    text = read_input(DANISH_HTML)
    expected = (FIXTURES / "akillessene-da" / "guide.md").read_text(encoding="utf-8")
    assert structure(text.markdown) == structure(expected)
    assert text.title == "Akillessenesmerter hos løbere"  # the lone h1 opening it
    assert "**Bemærk:**" in text.markdown
    notes = [str(n) for n in text.notes]
    assert "dropped 1 image" in notes and "dropped 1 table" in notes


def test_docx_keeps_heading_levels_lists_and_emphasis(tmp_path: Path) -> None:
    docx = make_docx(ENGLISH_MD_FOR_DOCX, tmp_path / "guide.docx")
    text = read_input(docx)
    expected = (FIXTURES / "patellar-en" / "guide.md").read_text(encoding="utf-8")
    assert structure(text.markdown) == structure(expected)
    assert text.title == "Patellar tendinopathy in jumping athletes"
    assert "*British Journal of Sports Medicine*" in text.markdown
    assert "**well tolerated**" in text.markdown


TYPOGRAPHY = "En – to — tre … “fire” ‘fem’ 5 * 3 = 15, [1] og <3 og a_b, 2022. år"


@pytest.mark.parametrize("kind", ["html", "md", "docx", "odt"])
def test_dashes_quotes_and_ellipses_survive(tmp_path: Path, kind: str) -> None:
    import pypandoc

    md = tmp_path / "in.md"
    md.write_text(f"# Titel\n\n## Afsnit\n\n{TYPOGRAPHY}\n\n- Punkt – med … “citat”\n",
                  encoding="utf-8")
    if kind == "md":
        source = md
    else:
        source = tmp_path / f"in.{kind}"
        pypandoc.convert_file(str(md), kind, format="markdown-smart", outputfile=str(source),
                              extra_args=["--standalone"] if kind == "html" else [])
    markdown = read_input(source).markdown
    assert TYPOGRAPHY in markdown.splitlines()
    assert "- Punkt – med … “citat”" in markdown.splitlines()
    assert "\\" not in markdown  # no backslash escape is left in guide.md


def test_an_unknown_kind_of_file_is_refused(tmp_path: Path) -> None:
    pdf = tmp_path / "guide.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    with pytest.raises(EvidenceError, match="cannot import .pdf"):
        read_input(pdf)
