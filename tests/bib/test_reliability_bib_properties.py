"""Property tests: references.bib keeps every byte the editor wrote (DESIGN §2, §9).

Generated files hold Danish letters, LaTeX accents, nested braces, quoted and
bare values, ``@string`` macros with ``#`` concatenation, comments and a
``@preamble``; entries are laid out in several ways.
"""

from __future__ import annotations

import bibtexparser
import pytest
from bibtexparser.model import Entry, Field
from hypothesis import assume, given
from hypothesis import strategies as st

from evidence.bib.references import (
    References,
    load_references,
    parse_references,
    validate_references,
)
from evidence.errors import EvidenceError
from tests.fuzz import PROPERTY
from tests.fuzz.bibtex import GenFile, bib_files, braced_content


def fields_of(refs: References) -> dict[str, list[tuple[str, str]]]:
    return {e.key: [(f.key, f.value) for f in e.fields] for e in refs.library.entries}


def other_blocks(refs: References) -> list[tuple[str, str]]:
    """Comments, @string, @preamble: everything but the entries, verbatim."""
    return [(type(b).__name__, b.raw) for b in refs.library.blocks
            if not isinstance(b, bibtexparser.model.Entry)]


def check_reads_as_generated(refs: References, gen: GenFile):
    assert refs.library.failed_blocks == []
    assert [s.key for s in refs.sources] == [e.key for e in gen.entries]
    assert fields_of(refs) == {e.key: e.expected for e in gen.entries}
    assert refs.strings == {k.lower(): v for k, v in gen.strings.items()}


@PROPERTY
@given(bib_files())
def test_generated_file_reads_as_meant_and_renders_byte_for_byte(gen):
    text = gen.text
    refs = parse_references(text)
    check_reads_as_generated(refs, gen)
    assert refs.changed_keys() == []
    assert refs.render() == text


@PROPERTY
@given(bib_files())
def test_rewriting_every_entry_keeps_every_value_macro_and_comment(gen):
    """parse → write (every entry re-rendered) → parse is the identity."""
    refs = parse_references(gen.text)
    for entry in gen.entries:
        refs.set_field(entry.key, "touched", "yes")
    text = refs.render()
    again = parse_references(text)
    check_reads_as_generated_plus = {e.key: e.expected + [("touched", "yes")]
                                     for e in gen.entries}
    assert again.library.failed_blocks == []
    assert fields_of(again) == check_reads_as_generated_plus
    assert other_blocks(again) == other_blocks(refs)
    assert again.strings == refs.strings
    # And once more: a second render of the re-parsed file changes nothing.
    assert again.render() == text


@st.composite
def one_edit(draw):
    gen = draw(bib_files())
    target = draw(st.sampled_from(gen.entries))
    existing = [name for name, _ in target.fields]
    name = draw(st.sampled_from(existing + ["year", "doi", "newfield"]) if existing
                else st.sampled_from(["year", "doi", "newfield"]))
    value = draw(braced_content())
    return gen, target, name, value


@PROPERTY
@given(one_edit())
def test_set_field_changes_only_that_field_of_that_entry(edit):
    gen, target, name, value = edit
    refs = parse_references(gen.text)
    before = fields_of(refs)
    changed = refs.set_field(target.key, name, value)
    old = dict(before[target.key]).get(name)
    assert changed == (old != value)
    text = refs.render()
    if not changed:
        assert text == gen.text
        return

    # Every byte outside the entry is as it was.
    original_entry = target.text
    start = gen.text.index(original_entry)
    head, tail = gen.text[:start], gen.text[start + len(original_entry):]
    assert text.startswith(head)
    assert text.endswith(tail)
    rewritten = text[len(head):len(text) - len(tail)]

    # Inside the entry: the one field changed, the others kept in order.
    again = parse_references(text)
    assert again.library.failed_blocks == []
    expected = dict(before)
    fields = list(before[target.key])
    if old is None:
        fields.append((name, value))
    else:
        fields = [(k, value if k == name else v) for k, v in fields]
    expected[target.key] = fields
    assert fields_of(again) == expected
    # The type keeps its spelling (@Article stays @Article); in the writer's own
    # layout every untouched field keeps its line byte for byte.
    assert rewritten.startswith("@" + target.entry_type + "{" + target.key + ",")
    if target.canonical:
        for field_name, field_value in target.fields:
            if field_name != name:
                assert f"{target.indent}{field_name} = {field_value.written}" in rewritten


@PROPERTY
@given(bib_files(), st.text(max_size=30))
def test_set_field_never_writes_a_file_that_does_not_read_back(gen, value):
    """Any text given to set_field either reads back exactly or is refused."""
    refs = parse_references(gen.text)
    key = gen.entries[0].key
    try:
        refs.set_field(key, "title", value)
    except EvidenceError as exc:
        assert "title" in str(exc)
        assert refs.render() == gen.text  # the refused value left nothing behind
        return
    again = parse_references(refs.render())
    assert again.library.failed_blocks == []
    assert again.get(key).raw("title") == value
    assert [s.key for s in again.sources] == [s.key for s in refs.sources]


@pytest.mark.parametrize("value", ["a { b", "back\\", "}{", "a } b", "x\n\n@misc{c,}"])
def test_values_that_would_break_the_file_are_refused(value):
    refs = parse_references("@article{a,\n  title = {x},\n  year = 2020\n}\n")
    with pytest.raises(EvidenceError, match="title"):
        refs.set_field("a", "title", value)
    assert refs.get("a").raw("title") == "x"
    assert refs.changed_keys() == []


def test_added_entry_that_would_not_read_back_is_refused():
    refs = parse_references("@article{a, title = {x}}\n")
    with pytest.raises(EvidenceError, match="b"):
        refs.add(Entry("article", "b", [Field("title", "broken {")]))
    assert [s.key for s in refs.sources] == ["a"]
    assert refs.render() == "@article{a, title = {x}}\n"


@PROPERTY
@given(bib_files(min_entries=2))
def test_write_then_load_is_what_was_rendered(tmp_path_factory, gen):
    path = tmp_path_factory.mktemp("bib") / "references.bib"
    path.write_text(gen.text, encoding="utf-8")
    refs = parse_references(gen.text, path)
    assume(refs.library.failed_blocks == [])
    refs.set_field(gen.entries[-1].key, "studydesign", "cohort")
    assert refs.write() is True
    assert path.read_text(encoding="utf-8") == refs.render() == refs.text
    assert refs.write() is False  # the written text is the new baseline


@PROPERTY
@given(one_edit())
def test_an_edit_keeps_the_line_endings_of_a_crlf_file(tmp_path_factory, edit):
    """A file saved with Windows line endings keeps them: every byte outside the
    edited entry, and CRLF inside it too (it used to come back all LF)."""
    gen, target, name, value = edit
    value = value.replace("\n", "\r\n")
    text = gen.text.replace("\n", "\r\n")
    path = tmp_path_factory.mktemp("crlf") / "references.bib"
    path.write_bytes(text.encode("utf-8"))
    refs = load_references(path, validate=False)
    assert refs.render() == text
    if not refs.set_field(target.key, name, value):
        return
    added = refs.add(Entry("article", "zz-new-entry-key", [Field("title", "Ny {\\o}velse")]))
    assert added.key == "zz-new-entry-key"
    refs.write()
    written = path.read_bytes().decode("utf-8")
    assert "\n" not in written.replace("\r\n", "")  # no bare LF
    original_entry = target.text.replace("\n", "\r\n")
    start = text.index(original_entry)
    assert written.startswith(text[:start])
    assert written[start:].index(text[start + len(original_entry):]) >= 0
    again = load_references(path, validate=False)
    assert again.get(target.key).raw(name) == value
    assert again.get("zz-new-entry-key").raw("title") == "Ny {\\o}velse"


def test_crlf_problems_keep_their_line_numbers(tmp_path):
    path = tmp_path / "references.bib"
    path.write_bytes(b"% x\r\n@article{a,\r\n  title = {x},\r\n  doi = {oops}\r\n}\r\n")
    problems = validate_references(load_references(path, validate=False))
    assert [p.line for p in problems] == [4]
