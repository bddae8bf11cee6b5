"""The readers: one entry type, field names the project's way, places named on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence.intake.formats import read_entries, reader_for
from evidence.intake.formats.entry import FileProblems
from tests.intake.support import FIXTURES


def by_doi(entries):
    return {e.doi: e for e in entries}


def test_bibtex_zotero_export_reads_fields_the_project_keeps():
    reader, entries = read_entries(FIXTURES / "zotero-bbt.bib")
    assert reader.name == "BibTeX" and len(entries) == 7
    nielsen = next(e for e in entries if e.key == "nielsen_tendon_2023")
    assert nielsen.doi == "10.5555/new.nielsen" and nielsen.entry_type == "article"
    assert nielsen.fields["month"] == "2"  # month = feb, a macro, as a number
    assert nielsen.fields["author"] == "Nielsen, Mette and Jørgensen, Åse"
    assert {"note", "keywords"} <= set(nielsen.dropped)
    aero = entries[0]
    assert aero.doi == "10.5555/evidence.article.1"  # DOI spelled otherwise, normalised
    assert {"abstract", "file", "keywords"} <= set(aero.dropped)
    assert "abstract" not in aero.fields and "language" in aero.fields
    assert entries[1].doi == "10.5555/evidence.corrected.2"  # given as https://doi.org/…
    assert entries[2].fields["publisher"] == r"Lea \& Febiger"  # LaTeX kept as written


def test_bibtex_capitalised_field_names_are_read_without_case():
    _, entries = read_entries(FIXTURES / "jabref.bib")
    petersen, storm = entries
    assert set(petersen.fields) == {"author", "title", "journal", "year", "volume", "number",
                                    "pages", "doi", "issn"}
    assert petersen.key == "Petersen2020" and petersen.entry_type == "article"
    assert petersen.authors[0].full_family == "Petersen" and petersen.year == "2020"
    assert sorted(petersen.dropped) == ["mendeley-tags", "owner", "timestamp"]
    assert storm.doi == "10.5555/evidence.retracted.3"  # "doi:10.5555/EVIDENCE.Retracted.3"


def test_bibtex_macros_are_expanded_and_biblatex_names_renamed(tmp_path):
    path = tmp_path / "refs.bib"
    path.write_text('@string{ts = {Tendon Science}}\n'
                    '@article{a, Author = {A, B}, journaltitle = ts, issue = {4}, '
                    'date = {2020-05-01}, title = {T}}\n', encoding="utf-8")
    (entry,) = read_entries(path)[1]
    assert entry.fields["journal"] == "Tendon Science" and entry.fields["number"] == "4"
    assert entry.fields["year"] == "2020" and entry.year == "2020"


def test_csl_json_zotero_export():
    reader, entries = read_entries(FIXTURES / "zotero.json")
    assert reader.name == "CSL-JSON" and len(entries) == 5
    aero, berg, hansen, gray, who = entries
    assert aero.key is None  # a Zotero item URL is not a citekey
    assert aero.doi == "10.5555/evidence.article.1" and aero.fields["year"] == "2021"
    assert berg.key is None and berg.fields["author"] == "van der Berg, Maria and Holm, Lars"
    assert berg.fields["journal"] == r"Scandinavian Journal of Medicine \& Science in Sports"
    assert berg.fields["shortjournal"] == "Scand J Med Sci Sports"
    assert berg.fields["pages"] == "101--109"  # an en dash in the export
    assert berg.fields["title"] == "Isometric holds for patellar tendinopathy in vivo"
    assert berg.fields["urldate"] == "2024-02-03" and "note" in berg.dropped
    assert hansen.key == "hansen2021" and hansen.entry_type == "incollection"
    assert hansen.fields["booktitle"] == "Textbook of Sports Physiotherapy"
    assert hansen.fields["editor"] == "Dahl, Eva"
    assert gray.fields["year"] == "1918"  # date-parts given as strings
    assert who.fields["author"] == "{World Health Organization}"
    assert who.entry_type == "techreport" and who.doi is None


def test_ris_mendeley_export():
    reader, entries = read_entries(FIXTURES / "mendeley.ris")
    assert reader.name == "RIS" and len(entries) == 5
    lund, ostergaard, gray, berg, smith = entries
    assert lund.doi == "10.5555/evidence.proc.7" and lund.where == "record at line 1"
    assert ostergaard.fields["author"] == "Østergård, Åse and Kim, Bo"
    assert ostergaard.fields["year"] == "2024" and ostergaard.fields["pages"] == "33--41"
    assert ostergaard.fields["journal"] == "Journal of Running Science"
    assert ostergaard.fields["shortjournal"] == "J Run Sci"
    assert ostergaard.fields["month"] == "4"
    assert {"abstract", "keywords", "notes"} <= set(ostergaard.dropped)
    assert gray.entry_type == "book" and gray.fields["publisher"] == r"Lea \& Febiger"
    assert berg.key is None  # EndNote's record number 12 is no citekey
    assert berg.entry_type == "incollection" and berg.fields["isbn"] == "9780000000019"
    assert berg.fields["editor"] == "Dahl, E."
    assert smith.fields["author"] == "Smith, J. and Jones, A. B."  # PubMed's "Jones AB"


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("x.txt", "% a comment\n\n@article{a, title={A}}\n", "BibTeX"),
    ("x", "  [\n]", "CSL-JSON"),
    ("export.txt", "TY  - JOUR\nER  - \n", "RIS"),
    ("refs.RIS", "anything", "RIS"),
])
def test_the_reader_is_chosen_by_suffix_else_by_content(name, text, expected):
    assert reader_for(Path(name), text).name == expected


BAD = [
    ("bad.bib", "@article{a,\n  title = {ok},\n}\n\n@article{b,\n  title = {unbalanced\n}\n"
     "\n@misc{c, title={x}}\n", ["bad.bib:5: BibTeX could not be parsed", "'@article{b,'"]),
    ("dup.bib", "@misc{a, title={x}}\n@misc{a, title={y}}\n",
     ["dup.bib:2: citekey a is given twice"]),
    ("bad.json", '[\n {"id": "a", "type": "book"},\n {"id": "b" "type": "book"}\n]\n',
     ["bad.json:3: not JSON"]),
    ("items.json", '[\n {"id": "a", "type": "book"},\n 3,\n {"id": "c", "author": "Smith"}\n]',
     ["items.json:3: item 2 is not an object", "items.json:4: item 'c' cannot be read"]),
    ("scalar.json", '"hello"', ["scalar.json:1: CSL-JSON is an array"]),
    ("bad.ris", "TY  - JOUR\nTI  - A\nER  - \n\nTY  - JOUR\nTI  - B\n\nTY  - BOOK\nER  - \nx\n",
     ["bad.ris:5: the record has no end", "bad.ris:10: a line outside a record"]),
    ("end.ris", "TY  - JOUR\nTI  - A\n", ["end.ris:1: the record has no end"]),
    ("inside.ris", "TY  - JOUR\nthis line is no tag\nER  - \n", ["inside.ris:2: not a RIS line"]),
    ("empty.ris", "\n", ["empty.ris:1: no RIS record"]),
    ("notes.txt", "hello\n", ["notes.txt:1: neither its suffix nor its first line"]),
]


@pytest.mark.parametrize(("name", "text", "expected"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_names_the_file_and_line(tmp_path, name, text, expected):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FileProblems) as raised:
        read_entries(path)
    message = str(raised.value).replace(str(tmp_path) + "/", "")
    for part in expected:
        assert part in message


def test_a_doi_is_written_in_its_normal_form_and_one_that_is_none_is_refused(tmp_path):
    path = tmp_path / "export.bib"
    path.write_text("@misc{a, DOI = {https://dx.doi.org/10.5555/ABC}, title = {A}}\n"
                    "@misc{b,\n  title = {B},\n  doi = {see the PDF}\n}\n", encoding="utf-8")
    with pytest.raises(FileProblems, match=r"export.bib:2: line 2 \(b\): 'see the PDF' is not a DOI"):
        read_entries(path)
    path.write_text("@misc{a, DOI = {https://dx.doi.org/10.5555/ABC}, title = {A},\n"
                    "  studydesign = {rct}, updates = {retraction}, metadatasource = {crossref}}\n",
                    encoding="utf-8")
    (entry,) = read_entries(path)[1]
    assert entry.fields == {"doi": "10.5555/abc", "title": "A"}  # normalised; grades not taken
    assert {"studydesign", "updates", "metadatasource"} <= set(entry.dropped)


def test_a_file_not_in_utf8_names_its_line(tmp_path):
    path = tmp_path / "latin1.bib"
    path.write_bytes(b"@misc{a,\n title = {\xe6ble}}\n")
    with pytest.raises(FileProblems, match=r"latin1.bib:2: not UTF-8"):
        read_entries(path)
