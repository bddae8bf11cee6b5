"""Field names are case-insensitive (BibTeX's rule): reading, writing, validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence.bib.fieldhashes import FieldHashes, hashes_of, value_hash
from evidence.bib.references import load_references, parse_references, validate_references
from evidence.errors import EvidenceError
from evidence.project import load_project
from tests.conftest import write_project

CDL = Path(__file__).resolve().parents[2].parent / "shared" / "bench" / "cdl.bib"

# As 99.5% of cdl.bib's fields are written: capitalised, tab-indented, the closing
# brace on the last field's line.
CAPITALISED = """\
% Typed in BibDesk.
@article{Rame72,
\tAuthor = {U Ramer},
\tJournal = {Computer Graphics and Image Processing},
\tNumber = {3},
\tPages = {244--256},
\tTitle = {An iterative procedure for the polygonal approximation of plane curves},
\tVolume = {1},
\tDOI = {10.5555/Rame72},
\tStudydesign = {mechanistic},
\tYear = {1972}}

@book{Thor13,
\tAuthor = {E L Thorndike},
\tTitle = {Educational psychology},
\tYear = {1913}}
"""


def test_capitalised_fields_read_as_lower_case_ones():
    refs = parse_references(CAPITALISED)
    source = refs.get("Rame72")
    assert source.raw("author") == source.raw("Author") == source.raw("AUTHOR") == "U Ramer"
    assert source.text("title").startswith("An iterative procedure")
    assert source.doi == "10.5555/rame72"
    assert source.study_design == "mechanistic" and source.tier == "expert"
    assert source.year == 1972 and source.container_title.startswith("Computer Graphics")
    assert source.field_line("doi") == source.field_line("DOI") == 9
    assert [a.family for a in source.authors] == ["Ramer"]
    assert source.find_field("journal").key == "Journal"
    assert validate_references(refs) == []


def test_reading_then_writing_is_byte_identical():
    refs = parse_references(CAPITALISED)
    assert refs.render() == CAPITALISED
    assert refs.set_field("Rame72", "title", refs.get("Rame72").raw("Title")) is False
    assert refs.changed_keys() == [] and refs.render() == CAPITALISED


def test_set_field_edits_in_place_in_its_spelling_and_appends_new_fields_at_the_end():
    refs = parse_references(CAPITALISED)
    keys = [f.key for f in refs.get("Rame72").entry.fields]
    assert refs.set_field("Rame72", "journal", "Comput Graph Image Process")
    assert refs.set_field("Rame72", "metadatasource", "crossref 2026-12-02")
    text = refs.render()
    again = parse_references(text)
    source = again.get("Rame72")
    assert [f.key for f in source.entry.fields] == [*keys, "metadatasource"]
    assert source.raw("journal") == "Comput Graph Image Process"
    assert "\tJournal = {Comput Graph Image Process}," in text
    assert text.count("ournal") == 1  # one copy, in the editor's spelling
    assert validate_references(again) == []
    # the untouched entry and the comment are byte for byte as written
    assert text.startswith("% Typed in BibDesk.\n@article{Rame72,")
    assert text.endswith(CAPITALISED[CAPITALISED.index("@book{Thor13"):])
    # removal finds the field in any case too
    assert again.set_field("Rame72", "number", None)
    assert again.get("Rame72").raw("Number") is None


def test_a_field_given_twice_in_mixed_case_is_an_error_naming_both_lines(tmp_path):
    text = CAPITALISED.replace("\tYear = {1972}}", "\tYear = {1972},\n\tdoi = {10.5555/other}}")
    refs = parse_references(text, tmp_path / "references.bib")
    problems = validate_references(refs)
    assert [(p.code, p.item, p.line) for p in problems] == [("field-duplicate", "Rame72", 12)]
    assert "'DOI' (line 9) is given again as 'doi' (line 12)" in problems[0].message
    # BibTeX's own rule: the first is the one read
    assert refs.get("Rame72").doi == "10.5555/rame72"


def test_a_field_given_twice_in_one_spelling_names_both_lines_too(tmp_path):
    text = CAPITALISED.replace("\tYear = {1913}}", "\tYear = {1913},\n\tTitle = {Again}}")
    problems = validate_references(parse_references(text, tmp_path / "references.bib"))
    assert [(p.code, p.item) for p in problems] == [("field-duplicate", "Thor13")]
    assert "'Title' (line 15) is given again as 'Title' (line 17)" in problems[0].message


def test_a_duplicate_field_takes_down_that_source_only(tmp_path):
    bib = CAPITALISED.replace("\tYear = {1972}}", "\tYear = {1972},\n\tdoi = {10.5555/other}}")
    root = write_project(tmp_path, bib=bib)
    project = load_project(root, strict=False)
    assert "Rame72" in project.bad_sources and "Thor13" not in project.bad_sources
    assert any(p.code == "field-duplicate" for p in project.problems)
    with pytest.raises(EvidenceError):
        load_references(root / "references.bib")  # resolve and add refuse such a file


def test_field_hashes_read_and_write():
    hashes = hashes_of({"Journal": "PM&R", "title": "A  long\n title"}, "Article")
    assert hashes.format() == (f"entrytype:{value_hash('article')} journal:{value_hash('PM&R')} "
                               f"title:{value_hash('A long title')}")
    again = FieldHashes.parse(hashes.format() + " garbage journal2:xyz")
    assert again == hashes  # unreadable items are ignored: those fields are the editor's
    assert again.written("JOURNAL", "PM&R") and not again.written("journal", "PM R")
    assert not again.written("pages", "1--2") and "pages" not in again
    assert FieldHashes.parse(None).format() is None


@pytest.mark.skipif(not CDL.exists(), reason="no ../shared/bench/cdl.bib")
def test_every_field_of_cdl_bib_reads_the_same_in_any_case():
    text = CDL.read_text(encoding="utf-8")
    refs = parse_references(text, CDL)
    assert len(refs) > 6000
    capitalised = 0
    for source in refs:
        first: dict[str, str] = {}
        for f in source.entry.fields:
            first.setdefault(f.key.lower(), str(f.value))
            capitalised += f.key != f.key.lower()
        for name, value in first.items():
            assert source.raw(name) == source.raw(name.upper()) == source.raw(name.title()) \
                == value, (source.key, name)
    assert capitalised > 0.9 * sum(len(s.entry.fields) for s in refs)
    assert refs.render() == text
