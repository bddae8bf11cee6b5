"""Printed citations (the guide's Kilder list) read and compared with references.bib."""

from __future__ import annotations

import textwrap
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.bib.printed import (
    compare_printed_citations,
    missing_printed_dois,
    parse_printed_citations,
)
from evidence.bib.references import load_references, parse_references
from evidence.guide.document import parse_guide
from evidence.guide.reference_list import reference_list

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "claims" / "distal-hasetendinopati" / "guide.md"

SEDERBERG = ("Sederberg M, LaMarche L, Skinner L, Cushman DM. Distal semimembranosus "
             "tendinopathy: A narrative review. PM R. 2022;14(8):1010-1017. DOI: 10.1002/pmrj.12667")

BIB = textwrap.dedent("""\
    @article{sederberg2022,
      author = {Sederberg, Michael and LaMarche, Lindsey and Skinner, Luke and Cushman, Daniel M.},
      title = {Distal semimembranosus tendinopathy: A narrative review},
      journal = {PM{\\&}R},
      shortjournal = {PM R},
      year = {2022},
      volume = {14},
      number = {8},
      pages = {1010--1017},
      doi = {10.1002/pmrj.12667}
    }

    @article{owen2018,
      author = {Owen, Claire E. and Poon, Aurora M. T. and Lee, Sze Ting and Yap, Lee-Peng and Zwar, Ronald B. and McArthur, Colin J. and Buchanan, Russell R. C.},
      title = {Fusion of positron emission tomography/computed tomography with magnetic resonance imaging reveals hamstring peritendonitis in polymyalgia rheumatica},
      journal = {Rheumatology},
      shortjournal = {Rheumatology (Oxford)},
      year = {2018},
      volume = {57},
      number = {2},
      pages = {345--353},
      doi = {10.1093/rheumatology/kex411}
    }

    @misc{preprint2024,
      author = {{World Health Organization}},
      title = {Running load},
      year = {2024},
      doi = {10.5555/evidence.preprint.4.v2},
      doialias = {10.5555/evidence.preprint.4}
    }
    """)


def refs():
    return parse_references(BIB)


def test_parses_the_printed_form():
    [c] = parse_printed_citations(f"- {SEDERBERG}\n")
    assert [str(a) for a in c.authors] == ["Sederberg M", "LaMarche L", "Skinner L", "Cushman DM"]
    assert not c.et_al
    assert c.title == "Distal semimembranosus tendinopathy: A narrative review"
    assert (c.journal, c.year, c.volume, c.issue, c.pages) == ("PM R", "2022", "14", "8",
                                                                "1010-1017")
    assert c.doi == "10.1002/pmrj.12667" and not c.problems and c.line == 1


def test_parses_et_al_article_numbers_questions_and_months():
    text = textwrap.dedent("""\
        1. Owen CE, Poon AMT, Lee ST, et al. Fusion of things. Rheumatology (Oxford). 2018;57(2):345-353. doi:10.1093/rheumatology/kex411
        2. Chan W, Walton NP. Calcific tendinitis? An unusual site. BMJ Case Rep. 2016;2016:bcr2016215745. DOI: 10.1136/bcr-2016-215745.
        3. Smith J-P. Knee pain. J Knee. 2020 Aug;3(1):e12. https://doi.org/10.5555/ABC.1
        """)
    owen, chan, smith = parse_printed_citations(text)
    assert owen.et_al and len(owen.authors) == 3 and owen.journal == "Rheumatology (Oxford)"
    assert chan.title == "Calcific tendinitis? An unusual site"
    assert (chan.volume, chan.issue, chan.pages) == ("2016", None, "bcr2016215745")
    assert chan.doi == "10.1136/bcr-2016-215745"
    assert smith.authors[0].initials == "J-P"
    assert (smith.year, smith.volume, smith.issue, smith.pages) == ("2020", "3", "1", "e12")
    assert smith.doi == "10.5555/abc.1"
    assert [c.line for c in (owen, chan, smith)] == [1, 2, 3]


def test_no_differences_when_print_and_record_agree():
    section = f"- {SEDERBERG}\n"
    assert compare_printed_citations(section, refs()) == []


def test_differences_name_field_printed_and_registered_values():
    printed = ("- Sederberg M, LaMarche K, Skinner L. Distal semitendinosus tendinopathy: a "
               "narrative review. PM&R J. 2021;15(9):1010-17. DOI: 10.1002/PMRJ.12667\n")
    diffs = compare_printed_citations(printed, refs())
    found = {(d.field, d.printed, d.registered) for d in diffs}
    assert ("authors", "LaMarche K", "LaMarche L") in found
    assert ("title", "Distal semitendinosus tendinopathy: a narrative review",
            "Distal semimembranosus tendinopathy: A narrative review") in found
    assert ("journal", "PM&R J", "PM R") in found
    assert ("year", "2021", "2022") in found
    assert ("volume", "15", "14") in found
    assert ("issue", "9", "8") in found
    assert not any(d.field == "pages" for d in diffs)  # 1010-17 is 1010--1017
    missing = next(d for d in diffs if d.field == "authors" and "missing" in d.message)
    assert "3 authors printed, 4 registered; missing: Cushman DM" in missing.message
    assert all(d.citekey == "sederberg2022" and d.key == "sederberg2022" for d in diffs)
    assert all(d.number == 1 and d.line == 1 for d in diffs)


def test_case_and_punctuation_aside_in_titles_and_journals():
    printed = ("- Sederberg M, LaMarche L, Skinner L, Cushman DM. DISTAL SEMIMEMBRANOSUS "
               "TENDINOPATHY - A NARRATIVE REVIEW! PM&R. 2022;14(8):1010–1017. DOI: 10.1002/pmrj.12667\n")
    assert compare_printed_citations(printed, refs()) == []


def test_et_al_rules():
    full = ("Owen CE, Poon AMT, Lee ST, Yap LP, Zwar RB, McArthur CJ, Buchanan RRC. Fusion of "
            "positron emission tomography/computed tomography with magnetic resonance imaging "
            "reveals hamstring peritendonitis in polymyalgia rheumatica. Rheumatology (Oxford). "
            "2018;57(2):345-353. DOI: 10.1093/rheumatology/kex411")
    assert compare_printed_citations(f"- {full}", refs()) == []
    three = full.replace("Yap LP, Zwar RB, McArthur CJ, Buchanan RRC.", "et al.")
    assert compare_printed_citations(f"- {three}", refs()) == []  # as printed (AMA)
    six = full.replace("Buchanan RRC.", "et al.")
    assert compare_printed_citations(f"- {six}", refs()) == []  # after the sixth (Vancouver)
    wrong = SEDERBERG.replace("Cushman DM.", "Cushman DM, et al.")
    [diff] = compare_printed_citations(f"- {wrong}", refs())
    assert diff.field == "authors" and "'et al.' printed, but the work has 4 authors" in diff.message
    extra = SEDERBERG.replace("Cushman DM.", "Cushman DM, Doe J.")
    [diff] = compare_printed_citations(f"- {extra}", refs())
    assert "not registered: Doe J" in diff.message


def test_printed_alias_doi_is_matched_and_reported():
    text = "- World Health Organization. Running load. EvidenceRxiv. 2024;1:1. DOI: 10.5555/evidence.preprint.4\n"
    diffs = compare_printed_citations(text, refs())
    assert [(d.field, d.printed, d.registered) for d in diffs if d.field == "doi"] == [
        ("doi", "10.5555/evidence.preprint.4", "10.5555/evidence.preprint.4.v2")]
    assert missing_printed_dois(text, refs()) == []


def test_missing_printed_dois():
    text = f"- {SEDERBERG}\n- Doe J. Something. J X. 2020;1(1):1-2. DOI: 10.5555/NEW.1\n"
    assert missing_printed_dois(text, refs()) == ["10.5555/new.1"]
    # not compared: reported by missing_printed_dois instead
    assert compare_printed_citations(text, refs()) == []


def test_unreadable_citations_are_problems_not_exceptions():
    text = "- just some words\n- Doe J. Title. 2020. DOI: 10.1002/pmrj.12667\n"
    diffs = compare_printed_citations(text, refs())
    assert [d.field for d in diffs[:2]] == ["citation", "citation"]
    assert "no DOI printed" in diffs[0].message
    assert "cannot be checked" in diffs[0].message
    assert "no 'year;volume(issue):pages' part found" in diffs[1].message
    assert diffs[1].line == 2 and diffs[1].citekey == "sederberg2022"
    # what could be read is still compared; what could not is not guessed at
    assert {d.field for d in diffs[2:]} == {"authors", "title"}


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_parser_never_raises(text):
    parse_printed_citations(text)
    compare_printed_citations(text, refs())
    missing_printed_dois(text, refs())
    found = reference_list(parse_guide("g", text))
    if found is not None:
        compare_printed_citations(found.text, refs(), first_line=found.first_line)


def test_the_reference_list_and_guide_line_numbers():
    text = "# Title\n\nText.\n\n## Kilder\n\n- " + SEDERBERG.replace("2022", "2023") + "\n\n## After\n\n- x\n"
    found = reference_list(parse_guide("g", text))
    assert found.first_line == 6 and "## After" not in found.text
    [diff] = compare_printed_citations(found.text, refs(), first_line=found.first_line)
    assert diff.field == "year" and diff.line == 7
    assert reference_list(parse_guide("g", "# No list here\n")) is None


def test_the_real_guide_matches_references_bib():
    text = GUIDE.read_text(encoding="utf-8")
    found = reference_list(parse_guide("distal-hasetendinopati", text))
    section = found.text
    citations = parse_printed_citations(section, first_line=found.first_line)
    assert len(citations) == 6 and not any(c.problems for c in citations)
    assert citations[0].line == text.splitlines().index("- " + SEDERBERG) + 1
    references = load_references(REPO / "references.bib")
    assert missing_printed_dois(section, references) == []
    assert compare_printed_citations(section, references, first_line=found.first_line) == []
