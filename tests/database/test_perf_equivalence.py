"""Fast paths written for the scale benchmarks give exactly what the plain code gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.guide.document import (
    _plain_text_by_character,
    normalise_words,
    plain_text,
)

# Letters (Danish and decomposed ones among them), markers and every kind of space.
_TEXT = st.lists(
    st.sampled_from(list("ab æøÅ*_`\t\n\r\x0b\x1c\xa0\u2028\u3000.:-")
                    + ["e\u0301", "\u0301", "n\u0308", "A\u030a", "\u1100\u1161"]),
    max_size=40,
).map("".join)


@settings(max_examples=2000, deadline=None)
@given(text=_TEXT, base=st.sampled_from([0, 7]))
def test_plain_text_by_runs_equals_by_character(text, base):
    expected, offsets = _plain_text_by_character(text)
    assert plain_text(text, base) == (expected, [base + o for o in offsets])
    assert normalise_words(text) == expected


def test_plain_text_examples():
    assert plain_text("  **Hold** i  30\nsek_  ") == (
        "Hold i 30 sek", [4, 5, 6, 7, 10, 11, 13, 14, 15, 16, 17, 18, 19])
    assert normalise_words(" `a`  b ") == "a b"


def test_insert_rows_keeps_every_value_whatever_keys_the_rows_give(tmp_path):
    from evidence.database.write import connect, create_tables, insert_rows

    conn = connect(tmp_path / "t.db")
    base = {"source_id": "s", "update_type": "retraction", "label": "Retraction"}
    rows = [dict(base, notice_doi="10.1/a"), dict(base, notice_doi="10.1/b", origin="publisher"),
            dict(base, updated="2020")]
    create_tables(conn)
    insert_rows(conn, "source_updates", rows)
    insert_rows(conn, "tiers", [{"code": "x", "label": "X", "rank": 1}])
    # A column with a default that the rows leave out takes the model's default.
    insert_rows(conn, "_evidence_build", [{"input_sha256": "h", "built_at": "t",
                                           "evidence_version": "v", "schema_version": "s"}])
    got = conn.execute(
        "select id, notice_doi, updated, origin from source_updates order by id").fetchall()
    tiers = conn.execute("select * from tiers").fetchall()
    build = conn.execute("select errors, problems from _evidence_build").fetchall()
    conn.close()
    assert got == [(1, "10.1/a", None, None), (2, "10.1/b", None, "publisher"),
                   (3, None, "2020", None)]
    assert tiers == [("x", "X", 1)]
    assert build == [(0, None)]


_BRACED = st.lists(st.sampled_from(list("aBz æøÅ{}{}.,:;()/-+=?!*<>@|\"0159\n\t") + [
    "MRI", "{\\o}", "\\'e", "~", "%", "--", "$x$", "''", "[", "&"]), max_size=30).map("".join)


@settings(max_examples=1500, deadline=None)
@given(value=_BRACED)
def test_braces_only_text_decodes_as_the_decoder_does(value):
    from evidence.bib.latex import latex_to_csl, latex_to_text
    from evidence.bib.richtext import strip_markup

    assert latex_to_text(value) == strip_markup(latex_to_csl(value))


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="ab\n\r ", max_size=40), offsets=st.lists(st.integers(-45, 45)))
def test_line_of_counts_newlines_as_before(text, offsets):
    from evidence.guide.document import parse_guide

    guide = parse_guide("g", text)
    for offset in offsets:
        assert guide.line_of(offset) == text.count("\n", 0, offset) + 1
    guide.text = text + "\nmore\n"  # a changed text is not answered from the old one
    assert guide.line_of(len(guide.text)) == guide.text.count("\n") + 1
