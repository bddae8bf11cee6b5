"""A Danish guide's bibliography through the real pandoc: locale terms and page
ranges as the locale and the style say.

The locale is the one asked for, else the style's ``default-locale``, else the
guide's language. The house style says en-US, so a Danish guide's list keeps
the English terms of its printed Kilder ("In:", "eds.", "et al.", AMA's
hyphen between pages); a style that names no locale prints the guide's
Danish ("I:", "red.", "m.fl.", the Danish locale's en dash), held equal to
citeproc-py in da-DK.
"""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from evidence.bib.csl import source_to_csl
from evidence.bib.references import load_references
from evidence.cli import cli
from tests.bibliography.citeproc_support import (
    citeproc_py_text,
    normalised,
    original_style_text,
)
from tests.conftest import write_project

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "bibliography" / "entry_types.bib"
CITED = ("chapter", "chaptermany", "inbook", "editedbook", "article", "book", "webpage")

GUIDE = """\
Knæsmerter er almindelige.

## Behandling

Træning hjælper mod knæsmerter.
"""


def claims(style: str | None) -> str:
    evidence = "".join(f"      - source: {key}\n        relation: supports\n" for key in CITED)
    own_style = f"  style: {style}\n" if style else ""
    return (f"guide:\n  title: Knæ\n  language: da\n{own_style}claims:\n"
            f"  - id: k-training\n    quote: \"Træning hjælper mod knæsmerter.\"\n"
            f"    type: treatment\n    evidence:\n{evidence}")


def danish_project(root: Path, style: str | None) -> Path:
    return write_project(root, guide=GUIDE, claims=claims(style),
                         bib=FIXTURE.read_text(encoding="utf-8"), guide_id="knae")


def bibliography(project: Path, *args: str) -> dict[str, str]:
    result = CliRunner().invoke(cli, ["bibliography", "--project", str(project),
                                      "--guide", "knae", "-f", "csl-json"])
    keys = [line.split('"')[3] for line in result.output.splitlines()
            if line.startswith('    "id": ')]
    result = CliRunner().invoke(cli, ["bibliography", "--project", str(project),
                                      "--guide", "knae", *args])
    assert result.exit_code == 0, result.output
    lines = [re.sub(r"^\d+\. ", "", line) for line in result.stdout.splitlines()]
    assert len(lines) == len(CITED) == len(keys)
    return dict(zip(keys, lines, strict=True))


def test_the_house_style_says_en_us_so_a_danish_guide_keeps_english_terms(tmp_path):
    entries = bibliography(danish_project(tmp_path, None))
    assert "In: Kahana MJ, Wagner AD, eds. Handbook of Human Memory." in entries["chapter"]
    assert "Erosheva EA, et al., eds." in entries["chaptermany"]
    assert entries["chapter"].endswith("2022:3-21.")  # AMA's English: a hyphen, expanded
    assert "2020;31(4):1021-1029." in entries["article"]


def test_a_style_without_a_locale_prints_the_guides_danish(tmp_path):
    no_locale = original_style_text("american-medical-association").replace(
        ' default-locale="en-US"', "")
    style = tmp_path / "ama-no-locale.csl"
    style.write_text(no_locale, encoding="utf-8")
    entries = bibliography(danish_project(tmp_path, style.name))
    assert "I: Kahana MJ, Wagner AD, red. Handbook of Human Memory." in entries["chapter"]
    assert "Erosheva EA, m.fl., red." in entries["chaptermany"]
    assert entries["editedbook"].startswith("Kahana MJ, Wagner AD, red. Handbook")
    assert entries["chapter"].endswith("2022:3–21.")  # the Danish locale's en dash
    assert "2. udg." in entries["book"] and "Set 1. maj 2024." in entries["webpage"]
    items = {s.key: source_to_csl(s) for s in load_references(FIXTURE).sources}
    for key, text in entries.items():
        assert normalised(text) == normalised(
            citeproc_py_text(no_locale, items[key], "da-DK")), key
    # --locale still wins over the guide's language
    english = bibliography(danish_project(tmp_path, style.name), "--locale", "en-US")
    assert "In: Kahana MJ, Wagner AD, eds." in english["chapter"]


def test_the_locale_asked_for_then_the_styles_then_the_guides(tmp_path):
    from evidence.bibliography.formatting import bibliography_locale
    from evidence.bibliography.styles import resolve_style

    no_locale = tmp_path / "no-locale.csl"
    no_locale.write_text(original_style_text("american-medical-association").replace(
        ' default-locale="en-US"', ""), encoding="utf-8")
    house, bare = resolve_style("loeberlab"), resolve_style(str(no_locale))
    assert house.default_locale == "en-US" and bare.default_locale is None
    assert bibliography_locale(house, None, "da") is None  # pandoc: the style's en-US
    assert bibliography_locale(bare, None, "da") == "da"
    assert bibliography_locale(house, "da_dk", "en") == "da-DK"
    assert bibliography_locale(bare, None, "xx") is None  # no such locale: pandoc's default
    assert bibliography_locale(bare, None, None) is None
