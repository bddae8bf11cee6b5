"""Property tests: field names in any case read as one field and are written in
place, in their spelling (BibTeX's rule; DESIGN §14)."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from evidence.bib.references import parse_references, validate_references
from tests.fuzz import PROPERTY
from tests.fuzz.bibtex import GenFile, bib_files, braced_content

CASES = (str.lower, str.upper, str.title, lambda s: s[:1].upper() + s[1:])


@st.composite
def recased_files(draw) -> GenFile:
    """A generated file whose field names are spelled in mixed case, as cdl.bib's are."""
    gen = draw(bib_files())
    blocks = []
    for block in gen.blocks:
        if hasattr(block, "fields"):
            block = replace(block, fields=[(draw(st.sampled_from(CASES))(name), value)
                                           for name, value in block.fields])
        blocks.append(block)
    return replace(gen, blocks=blocks)


@PROPERTY
@given(recased_files())
def test_any_case_reads_the_same_and_renders_byte_for_byte(gen):
    refs = parse_references(gen.text)
    assert refs.render() == gen.text
    assert not [p for p in validate_references(refs) if p.code == "field-duplicate"]
    for entry in gen.entries:
        source = refs.get(entry.key)
        for name, value in entry.fields:
            for case in CASES:
                assert source.raw(case(name)) == value.raw


@st.composite
def recased_edit(draw):
    gen = draw(recased_files())
    target = draw(st.sampled_from(gen.entries))
    names = [name for name, _ in target.fields]
    name = draw(st.sampled_from(names)) if names and draw(st.booleans()) else "newfield"
    asked = draw(st.sampled_from(CASES))(name)  # the name as a caller spells it
    return gen, target, name, asked, draw(braced_content())


@PROPERTY
@given(recased_edit())
def test_set_field_in_any_case_edits_in_place_and_appends_new_fields(edit):
    gen, target, name, asked, value = edit
    refs = parse_references(gen.text)
    old = dict(target.expected).get(name)
    assert refs.set_field(target.key, asked, value) == (old != value)
    text = refs.render()
    again = parse_references(text)
    fields = [(f.key, f.value) for f in again.get(target.key).entry.fields]
    if old is None:
        assert fields == [*target.expected, (asked, value)]  # at the end, spelled as asked
    else:
        assert fields == [(k, value if k == name else v) for k, v in target.expected]
    # every other entry reads as before, byte for byte where it stood
    start = gen.text.index(target.text)
    assert text.startswith(gen.text[:start])
    assert text.endswith(gen.text[start + len(target.text):])
