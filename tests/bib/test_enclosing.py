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
