"""BibTeX to CSL-JSON (evidence.bib.csl)."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from evidence.bib.csl import (
    TYPES,
    source_to_csl,
)
from evidence.bib.latex import latex_to_csl
from evidence.bib.names import parse_person_names
from evidence.bib.references import load_references, parse_references
from evidence.bib.richtext import strip_markup
from tests.csl_schema import csl_errors

REPO = Path(__file__).resolve().parents[2]
CDL = REPO.parent / "shared" / "bench" / "cdl.bib"


def item(bib: str) -> dict:
    refs = parse_references(bib)
    assert not refs.library.failed_blocks
    [source] = refs.sources
    result = source_to_csl(source)
    assert csl_errors([result]) == []
    return result


def test_the_guide_sources_become_valid_journal_articles():
    refs = load_references(REPO / "references.bib")
    items = [source_to_csl(s) for s in refs.sources]
    assert csl_errors(items) == []
    sederberg = items[0]
    assert sederberg == {
        "id": "sederberg2022",
        "type": "article-journal",
        "author": [{"family": "Sederberg", "given": "M."}, {"family": "LaMarche", "given": "L."},
                   {"family": "Skinner", "given": "L."}, {"family": "Cushman", "given": "D. M."}],
        "title": "Distal semimembranosus tendinopathy: A narrative review",
        "container-title": "PM R",
        "issue": "8",
        "volume": "14",
        "page": "1010-1017",
        "DOI": "10.1002/pmrj.12667",
        "issued": {"date-parts": [[2022]]},
    }
    owen = next(i for i in items if i["id"] == "owen2018")
    # "and others" is no name; the item says its author list is incomplete
    assert [a.get("family") for a in owen["author"]] == ["Owen", "Poon", "Lee"]
    assert owen["custom"] == {"and-others": ["author"]}
    chan = next(i for i in items if i["id"] == "chan2016")
    assert chan["page"] == "bcr2016215745" and "issue" not in chan


def test_latex_accents_are_decoded_for_output_only():
    bib = r"""@article{muller2020,
  author = {M{\"u}ller, J{\o}rn and \AA{}berg, Hans and {\aa}se, B. and Schr\"{o}dinger, E.},
  title = {{\O}strup's {T}endon: {\'e}t\'{e} in K{\o}benhavn},
  journal = {Ugeskr L{\ae}ger},
  year = {2020},
  pages = {1--2},
}"""
    result = item(bib)
    assert [a["family"] for a in result["author"]] == ["Müller", "Åberg", "åse", "Schrödinger"]
    assert result["author"][0]["given"] == "Jørn"
    assert strip_markup(result["title"]) == "Østrup's Tendon: été in København"
    assert result["container-title"] == "Ugeskr Læger"
    # references.bib itself keeps the LaTeX
    refs = parse_references(bib)
    assert refs.sources[0].raw("author").startswith(r"M{\"u}ller")


def test_names_particles_suffixes_organisations_and_others():
    names = parse_person_names(
        r"van der Berg, Jan and Ludwig van Beethoven and Smith, Jr., John and "
        r"{World Health Organization} and R {La Joie} and De La Hoz Polo, M. and "
        r"{{ R Core Team}}"
    )
    from evidence.bib.csl import _csl_name

    assert [_csl_name(n) for n in names] == [
        {"family": "Berg", "given": "Jan", "non-dropping-particle": "van der"},
        {"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"},
        {"family": "Smith", "given": "John", "suffix": "Jr."},
        {"literal": "World Health Organization"},
        {"family": "La Joie", "given": "R"},
        {"family": "De La Hoz Polo", "given": "M."},
        {"literal": "R Core Team"},
    ]


def test_source_authors_keep_organisations_and_particles():
    refs = parse_references(r"""@book{who2020,
  author = {{World Health Organization} and van der Berg, Jan and R {La Joie} and others},
  title = {T}, year = {2020}}""")
    authors = refs.sources[0].authors
    assert [(a.family, a.given) for a in authors] == [
        ("World Health Organization", None), ("van der Berg", "Jan"), ("La Joie", "R")]


def test_rich_text_keeps_case_protection_and_emphasis():
    assert latex_to_csl(r"{YouTube} transcript {API}") == (
        '<span class="nocase">YouTube</span> transcript <span class="nocase">API</span>')
    assert latex_to_csl(r"Effects \emph{in vivo} and \textbf{bold}") == (
        "Effects <i>in vivo</i> and <b>bold</b>")
    assert latex_to_csl(r"Jupyter -- a format---really") == "Jupyter – a format—really"
    assert latex_to_csl(r"Salt & pepper, 50% of {A} \& more") == (
        'Salt & pepper, 50% of <span class="nocase">A</span> & more')
    assert latex_to_csl(r"\href{https://x.org}{the site} \url{https://a.b/c}") == (
        "the site https://a.b/c")


@pytest.mark.parametrize(("bibtex_type", "csl_type"), [
    ("article", "article-journal"), ("inproceedings", "paper-conference"),
    ("conference", "paper-conference"), ("book", "book"), ("incollection", "chapter"),
    ("inbook", "chapter"), ("misc", "document"), ("online", "webpage"),
    ("report", "report"), ("techreport", "report"), ("thesis", "thesis"),
    ("phdthesis", "thesis"), ("mastersthesis", "thesis"), ("manual", "book"),
    ("unpublished", "manuscript"), ("booklet", "pamphlet"), ("proceedings", "book"),
    ("patent", "patent"), ("dataset", "dataset"), ("software", "software"),
    ("somethingelse", "document"),
])
def test_entry_types(bibtex_type, csl_type):
    result = item(f"@{bibtex_type}{{k, author = {{A, B}}, title = {{T}}, year = {{2001}}}}")
    assert result["type"] == csl_type


def test_every_mapped_type_is_a_csl_type():
    assert csl_errors([{"id": k, "type": v} for k, v in TYPES.items()]) == []


def test_fields_of_books_chapters_reports_and_theses():
    chapter = item(r"""@incollection{c, author = {Boyd-Graber, J}, title = {Care and feeding},
      booktitle = {Handbook}, editor = {E M Airoldi and D M Blei}, publisher = {{CRC} Press},
      address = {Boca Raton}, pages = {3--34}, year = {2014}, series = {Series}, number = {7}}""")
    assert chapter["container-title"] == "Handbook"
    assert chapter["editor"] == [{"family": "Airoldi", "given": "E M"},
                                 {"family": "Blei", "given": "D M"}]
    assert chapter["publisher-place"] == "Boca Raton"
    assert strip_markup(chapter["publisher"]) == "CRC Press"
    assert chapter["collection-title"] == "Series" and chapter["collection-number"] == "7"
    assert chapter["page"] == "3-34"

    inbook = item(r"""@inbook{b, author = {D Bordwell}, chapter = {Three dimensions of film
      narrative}, pages = {85--134}, publisher = {Routledge}, title = {Poetics of cinema},
      year = {2008}}""")
    assert inbook["title"] == "Three dimensions of film narrative"
    assert inbook["container-title"] == "Poetics of cinema"

    numbered = item(r"""@inbook{n, author = {A, B}, chapter = {4}, title = {A book},
      year = {2008}}""")
    assert numbered["title"] == "A book" and numbered["chapter-number"] == "4"

    report = item(r"""@techreport{r, author = {S A Alvarez}, institution = {Boston College},
      number = {BCCS-02-01}, type = {Technical Report}, title = {An exact relation},
      year = {2002}}""")
    assert (report["publisher"], report["number"], report["genre"]) == (
        "Boston College", "BCCS-02-01", "Technical Report")

    thesis = item(r"""@phdthesis{t, author = {L {de Broglie}}, school = {Universit\'{e}},
      title = {Recherches}, year = {1924}}""")
    assert thesis["publisher"] == "Université" and thesis["genre"] == "PhD thesis"
    assert thesis["author"] == [{"family": "de Broglie", "given": "L"}]

    misc = item(r"""@misc{m, author = {J Depoix}, howpublished =
      {\url{https://github.com/jdepoix/youtube-transcript-api}}, title = {{YouTube} API},
      year = {2018}}""")
    assert misc["URL"] == "https://github.com/jdepoix/youtube-transcript-api"
    card = item(r"@misc{c, author = {A Singh}, howpublished = {Hugging Face Model Card}, "
                r"title = {Llama 3}, year = {2024}}")
    assert card["publisher"] == "Hugging Face Model Card"


def test_dates_pages_doi_and_short_journal():
    result = item(r"""@article{d, author = {A, B}, title = {T},
  journal = {J Physiother}, shortjournal = {J Phys}, year = {2019}, month = sep, day = {3},
  pages = {1001 -- 1010}, doi = {https://doi.org/10.1000/ABC.1}, issue = {4}}""")
    assert result["issued"] == {"date-parts": [[2019, 9, 3]]}
    assert result["page"] == "1001-1010"
    assert result["DOI"] == "10.1000/abc.1"
    assert result["container-title-short"] == "J Phys"
    assert result["issue"] == "4"
    assert item("@article{e, title = {T}, date = {2020-05/2020-06}}")["issued"] == {
        "date-parts": [[2020, 5], [2020, 6]]}
    press = item("@article{p, title = {T}, year = {in press}}")
    assert press["status"] == "in press" and "issued" not in press
    assert item("@article{q, title = {T}, year = {2020}, month = {May}}")["issued"] == {
        "date-parts": [[2020, 5]]}


def test_string_macros_are_expanded():
    refs = parse_references(r"""@string{jpt = "J Physiother"}
@article{d, author = {A, B}, title = {T}, journal = jpt, year = 2019}""")
    result = source_to_csl(refs.get("d"))
    assert result["container-title"] == "J Physiother"
    assert result["issued"] == {"date-parts": [[2019]]}


@pytest.fixture(scope="module")
def cdl():
    if not CDL.is_file():
        pytest.skip(f"{CDL} is not present")
    return load_references(CDL, validate=False)


def test_every_entry_type_of_cdl_bib_converts_to_valid_csl(cdl):
    items = [source_to_csl(s) for s in cdl.sources]
    assert csl_errors(items) == []
    pairs = collections.Counter((s.entry_type, i["type"]) for s, i in zip(cdl.sources, items))
    expected = {
        "article": "article-journal", "incollection": "chapter", "book": "book",
        "inproceedings": "paper-conference", "inbook": "chapter", "misc": "document",
        "conference": "paper-conference", "techreport": "report", "phdthesis": "thesis",
        "manual": "book", "mastersthesis": "thesis",
    }
    assert {bib for bib, _ in pairs} == set(expected)  # cdl.bib's own types, all covered
    for bib, csl in pairs:
        assert expected[bib] == csl
    by_key = {i["id"]: i for i in items}
    # a sample of each type, field by field
    assert by_key["Rame72"] == {
        "id": "Rame72", "type": "article-journal", "author": [{"family": "Ramer", "given": "U"}],
        "title": "An iterative procedure for the polygonal approximation of plane curves",
        "container-title": "Computer Graphics and Image Processing", "issue": "3",
        "volume": "1", "page": "244-256", "issued": {"date-parts": [[1972]]}}
    assert by_key["ShafGood08"]["container-title"].startswith("Proceedings of the 30th")
    assert by_key["ShafGood08"]["publisher"] == "Cognitive Science Society Austin, TX"
    assert by_key["Mann06"]["genre"] == "Master's thesis"
    assert by_key["RCor12"]["author"] == [{"literal": "R Core Team"}]
    assert by_key["Stan13"]["author"] == [{"literal": "Stan Development Team"}]
    assert by_key["IyyeEtal15"]["author"][-1] == {"family": "Daumé III", "given": "H"}
    assert by_key["LindEtal21"]["author"][2] == {"family": "La Joie", "given": "R"}
    assert by_key["Schr26"]["author"][0]["family"] == "Schrödinger"
    assert by_key["BoydEtal14"]["editor"][0] == {"family": "Airoldi", "given": "E M"}
    assert by_key["Alva02"]["genre"] == "Technical Report"
    assert by_key["Bord08"]["title"] == "Three dimensions of film narrative"
    # no raw LaTeX survives into the output
    leftovers = [i["id"] for i in items
                 if any("\\" in str(v) for k, v in i.items() if k not in ("author", "editor"))]
    assert leftovers == []


def test_a_field_given_twice_in_any_case_is_read_as_bibtex_reads_it(shared):
    refs = parse_references((shared / "bench" / "cdl.bib").read_text(encoding="utf-8")
                            + "\n@article{twice, Title = {First}, title = {Lower}, "
                              "TITLE = {Third}, Note = {a}, NOTE = {b}}\n")
    twice = refs.get("twice")
    assert (twice.raw("title"), twice.raw("TITLE"), twice.raw("note")) == ("First", "First", "a")
    item = source_to_csl(twice)
    assert (item["title"], item["note"]) == ("First", "a")
