"""Property tests: a quote anchors where its words stand, and only there.

Guides are generated with headings, paragraphs broken over lines, list items,
emphasis and code markers, Danish letters (some decomposed, as some editors
save them) and a small vocabulary so that phrases repeat. The generator knows
where every word stands in guide.md; the tests compare the anchor with that.
"""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from evidence.guide.anchor import Anchor, AnchorFailure, GuideIndex
from evidence.guide.document import comparable, parse_guide
from tests.fuzz import PROPERTY
from tests.fuzz.guide import guides


@st.composite
def guide_and_quote(draw):
    guide = draw(guides())
    index = draw(st.integers(0, len(guide.blocks) - 1))
    block = guide.blocks[index]
    first = draw(st.integers(0, len(block.words) - 1))
    last = draw(st.integers(first, len(block.words) - 1))
    quoted = block.words[first:last + 1]
    # The quote as an editor might copy it: with or without the Markdown
    # markers, precomposed letters, any whitespace between the words.
    keep_markers = draw(st.booleans())
    pieces = [(w.marker + w.plain + w.marker) if keep_markers else w.plain for w in quoted]
    gaps = [draw(st.sampled_from([" ", "\n", "  ", " \n  "])) for _ in pieces[1:]]
    quote = pieces[0] + "".join(g + p for g, p in zip(gaps, pieces[1:], strict=True))
    return guide, index, first, last, quote


def anchor_in(guide, quote, prefix=None, suffix=None):
    parsed = parse_guide("g", guide.text, "guide.md", title="Titel")
    return GuideIndex(parsed).anchor(quote, prefix, suffix)


@PROPERTY
@given(guide_and_quote())
def test_quote_anchors_at_its_words_exactly_when_they_occur_once(case):
    guide, index, first, last, quote = case
    block = guide.blocks[index]
    words = " ".join(w.plain for w in block.words[first:last + 1])
    occurrences = guide.occurrences(words)
    result = anchor_in(guide, quote)
    if len(occurrences) == 1:
        assert isinstance(result, Anchor), result
        start, end = block.words[first].start, block.words[last].end
        assert (result.start, result.end) == (start, end)
        assert result.line == guide.text.count("\n", 0, start) + 1
        assert result.section.position == guide.section_of(index)
        assert result.block.kind == block.kind
        # The anchored text is the quote, Markdown markers and line breaks aside.
        anchored = guide.text[result.start:result.end]
        for marker in "*_`":
            anchored = anchored.replace(marker, "")
        assert " ".join(unicodedata.normalize("NFC", anchored).split()) == words
    else:
        assert isinstance(result, AnchorFailure), result
        assert f"the quote occurs {len(occurrences)} times" in result.message
        assert result.message.count("line ") == len(occurrences)


@PROPERTY
@given(guide_and_quote(), st.integers(1, 3), st.integers(1, 3))
def test_prefix_or_suffix_picks_the_occurrence_they_surround(case, before, after):
    """Context taken from around the chosen occurrence selects it (or every
    occurrence with the same context, which is then reported as ambiguous)."""
    guide, index, first, last, quote = case
    block = guide.blocks[index]
    words = " ".join(w.plain for w in block.words[first:last + 1])
    prefix = " ".join(w.plain for w in block.words[max(0, first - before):first]) or None
    suffix = " ".join(w.plain for w in block.words[last + 1:last + 1 + after]) or None
    joined, starts = guide.joined(" ")
    matching = [
        (b, p) for b, p in guide.occurrences(words)
        if (prefix is None or joined[:starts[b] + p].rstrip().endswith(prefix))
        and (suffix is None or joined[starts[b] + p + len(words):].lstrip().startswith(suffix))
    ]
    assert (index, len(" ".join(w.plain for w in block.words[:first])) + (1 if first else 0)) \
        in matching
    result = anchor_in(guide, quote, prefix, suffix)
    if len(matching) == 1:
        assert isinstance(result, Anchor), result
        assert (result.start, result.end) == (block.words[first].start, block.words[last].end)
    else:
        assert isinstance(result, AnchorFailure)
        assert f"occurs {len(matching)} times" in result.message


@PROPERTY
@given(guides(), st.text(min_size=1, max_size=20))
def test_a_quote_not_in_the_guide_never_anchors(guide, quote):
    words = " ".join(unicodedata.normalize("NFC", quote).replace("*", "").replace("_", "")
                     .replace("`", "").split())
    result = anchor_in(guide, quote)
    if not words or not guide.occurrences(words):
        assert isinstance(result, AnchorFailure)
        assert result.message
    elif len(guide.occurrences(words)) == 1:
        assert isinstance(result, Anchor)


# Regression examples found by the properties above.

def test_a_decomposed_last_letter_is_inside_the_anchor():
    text = "Det er en bla\u030a ting pa\u030a\n"
    result = GuideIndex(parse_guide("g", text)).anchor("ting på")
    assert text[result.start:result.end] == "ting pa\u030a"


def test_marks_that_compose_nothing_do_not_shift_later_offsets():
    # Was an IndexError: "x" + acute has no precomposed form, so composing
    # the block letter by letter lost the offsets' alignment.
    text = "A a\u030a x\u0301 abc\n\nNext para here\n\nLast one\n"
    index = GuideIndex(parse_guide("g", text))
    for quote in ("Next para here", "Last one", "abc", "å x\u0301 abc"):
        result = index.anchor(quote)
        assert isinstance(result, Anchor), quote
        assert unicodedata.normalize("NFC", text[result.start:result.end]) == quote


# Every form a character may take by typography alone (TYPOGRAPHY_RULE 1).
_VARIANTS = {
    "-": "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212",
    '"': '"\u201c\u201d\u201e\u201f\u00ab\u00bb',
    "'": "'\u2018\u2019\u201a\u201b\u2032",
    " ": " \u00a0\u2002\u2003\u2009\u202f\u3000",
}
_PLAIN = {v: k for k, forms in _VARIANTS.items() for v in forms}


@st.composite
def typeset_case(draw):
    """Words joined by typographic characters in the guide, typed in other forms."""
    words = draw(st.lists(st.sampled_from(["senen", "ikke", "bare", "blødt", "det", "er",
                                           "knæ", "løb", "tre"]), min_size=2, max_size=8))
    glue = [draw(st.sampled_from([" ", " - ", ' "', '" ', " '", "' ", "-"]))
            for _ in words[1:]]
    plain = words[0] + "".join(g + w for g, w in zip(glue, words[1:], strict=True))

    def variant(text):
        return "".join(draw(st.sampled_from(_VARIANTS[ch])) if ch in _VARIANTS else ch
                       for ch in text)

    return variant(plain), variant(plain)


@PROPERTY
@given(typeset_case())
def test_typography_never_stops_a_quote_from_anchoring(case):
    typeset, typed = case
    text = f"Indledning.\n\n{typeset}\n"
    parsed = parse_guide("g", text, "guide.md")
    result = GuideIndex(parsed).anchor(typed)
    if typed.strip() and "".join(_PLAIN.get(c, c) for c in typed).split():
        assert isinstance(result, Anchor), (typeset, typed, result)
        words = text[result.start:result.end]
        assert "".join(_PLAIN.get(c, c) for c in words).split() == \
            "".join(_PLAIN.get(c, c) for c in typed).split()


@PROPERTY
@given(typeset_case(), st.integers(0, 1000), st.sampled_from("xzq"))
def test_a_changed_letter_is_named_with_its_code_point(case, where, letter):
    typeset, typed = case
    letters = [i for i, c in enumerate(typed) if c.isalpha() and c != letter]
    position = letters[where % len(letters)]
    wrong = typed[:position] + letter + typed[position + 1:]
    parsed = parse_guide("g", f"{typeset}\n", "guide.md")
    result = GuideIndex(parsed).anchor(wrong)
    if isinstance(result, Anchor):
        return  # the changed words occur elsewhere in the guide
    assert f"the quote has {letter!r} (U+{ord(letter):04X}" in result.message, result


@PROPERTY
@given(guides())
def test_every_character_of_the_index_maps_to_its_place_in_the_guide(guide):
    """``offsets`` (what re-anchoring and stubs use) and the anchors agree on
    where each character of the searchable text stands in guide.md; a block
    separator stands at the next block's start."""
    parsed = parse_guide("g", guide.text, "guide.md", title="Titel")
    index = GuideIndex(parsed)
    assert len(index.offsets) == len(index.plain)
    block = 0
    for position, character in enumerate(index.plain):
        if character == "\x00":
            block += 1
            assert index.offsets[position] == parsed.blocks[block].start
            continue
        anchor = index.anchor_at(position, 1)
        assert anchor.start == index.offsets[position]
        assert anchor.block is parsed.blocks[block]
        assert parsed.blocks[block].start <= anchor.start < parsed.blocks[block].end


@PROPERTY
@given(guides(), st.lists(st.integers(0, 10_000), min_size=1, max_size=12),
       st.lists(st.text(min_size=1, max_size=6), max_size=3))
def test_locating_every_quote_at_once_finds_what_searching_each_finds(guide, picks, others):
    """The automaton of ``locate`` and one search per quote agree on every
    occurrence, overlapping ones and quotes inside other quotes included."""
    parsed = parse_guide("g", guide.text, "guide.md", title="Titel")
    words = [w.plain for block in guide.blocks for w in block.words]
    quotes = [" ".join(words[p % len(words):p % len(words) + 1 + p % 3]) for p in picks] + others
    one_by_one = GuideIndex(parsed)
    at_once = GuideIndex(parsed)
    at_once.locate(quotes, at_once_from=0)
    assert at_once._located  # the automaton ran
    for quote in quotes:
        words_of = comparable(quote)
        assert at_once.occurrences(words_of) == one_by_one.occurrences(words_of)
        assert at_once.anchor(quote) == one_by_one.anchor(quote)
