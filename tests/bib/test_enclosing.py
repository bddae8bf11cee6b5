"""references.bib's values lose their enclosing braces or quotes exactly as
bibtexparser's RemoveEnclosingMiddleware takes them off (the loader does its
work in place, evidence.bib.references._remove_enclosing)."""

from __future__ import annotations

from pathlib import Path

import bibtexparser
import pytest
from bibtexparser.middlewares import RemoveEnclosingMiddleware
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.bib.references import parse_references

REPO = Path(__file__).resolve().parents[2]
CDL = REPO.parent / "shared" / "bench" / "cdl.bib"


def _blocks(library: bibtexparser.Library) -> list:
    return [(type(b).__name__, getattr(b, "key", None), b.start_line, b.raw,
             getattr(b, "value", None), getattr(b, "enclosing", None),
             [(f.key, f.value, f.enclosing, f.start_line) for f in getattr(b, "fields", [])],
             dict(b.parser_metadata))
            for b in library.blocks]


def _same_as_middleware(text: str) -> None:
    expected = bibtexparser.parse_string(text, parse_stack=[RemoveEnclosingMiddleware()])
    assert _blocks(parse_references(text).library) == _blocks(expected)


@pytest.mark.parametrize("value", [
    "{plain}", "{}", "{a\\}", "{\\}", "{{Nested} words}", "{a} # {b}", '"quoted"', '"a" # "b"',
    '"with {"} inside"', "jan", "2020", "{2020}", "  {padded}  ", "{unbalanced", "x # y",
])
def test_values_lose_the_enclosing_the_middleware_takes_off(value):
    _same_as_middleware("@string{jan = {January}}\n@string{q = \"Q\"}\n"
                        f"@article{{k,\n  title = {value},\n  year = 2020,\n}}\n")


@given(st.lists(st.text(alphabet='{}"\\ a#1,', max_size=12), min_size=1, max_size=4))
@settings(max_examples=500)
def test_any_value_loses_the_enclosing_the_middleware_takes_off(values):
    fields = ",\n".join(f"  f{i} = {v}" for i, v in enumerate(values))
    _same_as_middleware(f"@misc{{k,\n{fields}\n}}\n@string{{s = {values[0]}}}\n")


def test_the_repository_and_the_benchmark_bibliographies_read_alike():
    for path in (REPO / "references.bib", CDL):
        if path.exists():
            _same_as_middleware(path.read_text(encoding="utf-8"))


def test_the_walk_indexes_and_fingerprints_each_entry_as_its_own_walks_would():
    """parse_references primes Source's indexes by name and References' snapshot
    from the one walk; they are what walking the fields again gives."""
    from evidence.bib.references import Source, _fingerprint

    text = ("@string{jama = {JAMA}}\n@article{a,\n  Title = {One},\n  title = {Two},\n"
            "  journal = jama,\n  DOI = {10.1/x},\n  year = 2020,\n}\n"
            "@misc{b,\n  note = \"q\" # jama,\n  pages = {1--2},\n}\n")
    for path in (REPO / "references.bib", CDL):
        if path.exists():
            text += "\n" + path.read_text(encoding="utf-8")
    refs = parse_references(text)
    for source in refs.sources:
        fresh = Source(entry=source.entry, line=source.line, strings=refs.strings)
        assert source._by_name == fresh._by_name
        assert list(source.raw_values.items()) == list(fresh.raw_values.items())
        assert refs._snapshot[id(source.entry)] == _fingerprint(source.entry)
    assert refs.get("a").raw("title") == "One"
