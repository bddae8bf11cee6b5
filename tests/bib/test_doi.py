"""One DOI index (evidence.bib.doi.DoiIndex): any spelling, aliases, kept up to date."""

from __future__ import annotations

import pytest
from bibtexparser.model import Entry, Field

from evidence.bib.doi import DoiIndex
from evidence.bib.printed import compare_printed_citations, missing_printed_dois
from evidence.bib.references import parse_references
from evidence.bibliography.order import match_printed_references
from evidence.guide.document import parse_guide

BIB = """\
@article{moved2020,
  author = {Holm, Kirsten},
  title = {A tendon study that moved},
  journal = {J Test},
  year = {2020},
  volume = {1},
  pages = {1--2},
  doi = {10.5555/new.2020},
  doialias = {10.5555/old.2020 10.5555/older.2019}
}

@article{plain2021,
  author = {Berg, Hans},
  title = {Another tendon study},
  journal = {J Test},
  year = {2021},
  volume = {2},
  pages = {3--4},
  doi = {10.5555/Plain.2021}
}
"""


@pytest.mark.parametrize(("doi", "key"), [
    ("10.5555/new.2020", "moved2020"),
    ("https://doi.org/10.5555/NEW.2020", "moved2020"),
    ("doi: 10.5555/old.2020", "moved2020"),
    ("10.5555/older.2019", "moved2020"),
    ("http://dx.doi.org/10.5555/plain.2021", "plain2021"),
    ("10.5555/unknown", None),
    ("not a doi", None),
    (None, None),
])
def test_any_spelling_and_every_alias_finds_the_source(doi, key):
    index = parse_references(BIB).doi_index()
    assert index.key(doi) == key
    assert (doi in index) == (key is not None)


def test_a_doi_that_is_one_entrys_doi_and_anothers_alias_belongs_to_the_first():
    bib = BIB + "\n@misc{other, title = {X}, doi = {10.5555/c}, doialias = {10.5555/plain.2021}}\n"
    index = parse_references(bib).doi_index()
    assert index.key("10.5555/plain.2021") == "plain2021"
    assert "10.5555/plain.2021" in index.primary and "10.5555/old.2020" in index.aliases


def test_the_index_follows_added_entries_and_changed_dois():
    refs = parse_references(BIB)
    assert refs.doi_index().key("10.5555/added") is None
    refs.add(Entry("article", "added2022", [Field("title", "New"), Field("doi", "10.5555/added")]))
    assert refs.doi_index().key("10.5555/ADDED") == "added2022"
    refs.set_field("plain2021", "doi", "10.5555/changed")
    assert refs.doi_index().key("10.5555/changed") == "plain2021"
    assert refs.doi_index().key("10.5555/plain.2021") is None


def test_note_records_a_doi_before_its_entry_exists():
    index = DoiIndex.of([])
    index.note("https://doi.org/10.5555/Pending", "pending2026")
    assert index.key("10.5555/pending") == "pending2026"


PRINTED = ("- Holm K. A tendon study that moved. J Test. 2020;1:1-2. "
           "DOI: https://doi.org/10.5555/OLD.2020\n"
           "- Berg H. Another tendon study. J Test. 2021;2:3-4. DOI: 10.5555/PLAIN.2021\n")


def test_printed_list_check_and_numbering_use_the_same_index():
    refs = parse_references(BIB)
    assert missing_printed_dois(PRINTED, refs) == []
    # the alias finds its entry, and the printed list is told the registered DOI
    [alias] = compare_printed_citations(PRINTED, refs)
    assert (alias.field, alias.citekey, alias.registered) == ("doi", "moved2020", "10.5555/new.2020")
    differs = compare_printed_citations(PRINTED.replace("2020;1", "2019;1"), refs)
    assert [(d.field, d.citekey) for d in differs] == [("year", "moved2020"), ("doi", "moved2020")]
    guide = parse_guide("g", "# G\n\nText.\n\n## Kilder\n\n" + PRINTED)
    assert match_printed_references(guide, refs.doi_index(), {}) == ["moved2020", "plain2021"]
