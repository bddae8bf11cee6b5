"""Anchoring quotes in a guide: offsets, sections, prefix/suffix, failures."""


import pytest

from evidence.guide.anchor import Anchor, AnchorFailure, GuideIndex
from evidence.guide.document import parse_guide

TEXT = """\
Indledning med **fed** tekst
over to linjer.

## Første afsnit

- Hold i 30-45 sekunder
- 3-5 gentagelser

### Underafsnit

Hold i 30-45 sekunder. Derefter 3-5 gentagelser.
"""


def index():
    return GuideIndex(parse_guide("g", TEXT, "guide.md", title="Titel"))


def test_sections_and_blocks_follow_the_headings():
    guide = parse_guide("g", TEXT, "guide.md", title="Titel")
    assert [(s.position, s.heading, s.level) for s in guide.sections] == [
        (0, "Titel", 1), (1, "Første afsnit", 2), (2, "Underafsnit", 3)]
    assert [b.kind for b in guide.blocks] == [
        "paragraph", "heading", "item", "item", "heading", "paragraph"]
    assert guide.sections[1].id == "g--foerste-afsnit"


def test_quote_anchors_across_markdown_and_line_breaks():
    result = index().anchor("Indledning med fed tekst over to linjer.")
    assert isinstance(result, Anchor)
    assert TEXT[result.start:result.end] == "Indledning med **fed** tekst\nover to linjer."
    assert result.line == 1
    assert result.section.heading == "Titel"


def test_offsets_point_into_the_file():
    result = index().anchor("Derefter 3-5 gentagelser.")
    assert TEXT[result.start:result.end] == "Derefter 3-5 gentagelser."
    assert result.section.heading == "Underafsnit"
    assert result.line == 11


def test_ambiguous_quote_lists_its_occurrences():
    result = index().anchor("Hold i 30-45 sekunder")
    assert isinstance(result, AnchorFailure)
    assert "occurs 2 times" in result.message
    assert "line 6" in result.message and "line 11" in result.message
    assert "prefix" in result.hint


def test_prefix_and_suffix_pick_one_occurrence():
    by_suffix = index().anchor("Hold i 30-45 sekunder", suffix=". Derefter")
    assert by_suffix.line == 11
    # The prefix may reach into the block before (the previous list item).
    by_prefix = index().anchor("3-5 gentagelser", prefix="Hold i 30-45 sekunder")
    assert by_prefix.line == 7
    assert index().anchor("3-5 gentagelser", prefix="Derefter").line == 11


def test_wrong_prefix_is_reported():
    result = index().anchor("3-5 gentagelser", prefix="Nej")
    assert isinstance(result, AnchorFailure)
    assert "prefix/suffix" in result.message


def test_missing_quote_suggests_the_closest_passage():
    result = index().anchor("Hold i 30-40 sekunder. Derefter 3-5 gentagelser.")
    assert isinstance(result, AnchorFailure)
    assert result.message == (
        "quote not found in the guide; the first difference is at character 12: the quote has "
        "'0' (U+0030 DIGIT ZERO), the guide '5' (U+0035 DIGIT FIVE)")
    assert "did you mean 'Hold i 30-45 sekunder. Derefter 3-5 gentagelser.'" in result.hint
    assert "line 11" in result.hint


def test_quote_cannot_span_two_blocks():
    assert isinstance(index().anchor("Hold i 30-45 sekunder 3-5 gentagelser"), AnchorFailure)


def test_danish_letters_are_not_folded():
    assert isinstance(index().anchor("Forste afsnit"), AnchorFailure)
    assert isinstance(index().anchor("Første afsnit"), Anchor)


def test_suggestion_is_whole_words_when_a_word_was_changed():
    guide = parse_guide("g", "Det er en relativt sjælden tilstand, men genstridig.\n", "g.md")
    result = GuideIndex(guide).anchor("Det er en meget sjælden tilstand")
    assert "did you mean 'Det er en relativt sjælden tilstand,'" in result.hint


# --- Typography ---------------------------------------------------------------------

TYPESET = "Det er ikke bare \u201cblødt\u201d \u2013 det er senens\u00a0\u2018egen\u2019 reaktion.\n"


@pytest.mark.parametrize("typed", [
    'Det er ikke bare "blødt" - det er senens \'egen\' reaktion.',
    "Det er ikke bare \u201eblødt\u201c \u2014 det er senens\u202f\u2019egen\u2019 reaktion.",
    "Det er ikke bare «blødt» \u2212 det er senens \u2032egen\u2032 reaktion.",
])
def test_dashes_quotes_apostrophes_and_spaces_compare_equal(typed):
    guide = parse_guide("g", TYPESET, "g.md")
    result = GuideIndex(guide).anchor(typed)
    assert isinstance(result, Anchor), result
    assert (result.start, result.end) == (0, len(TYPESET) - 1)
    assert isinstance(GuideIndex(guide).anchor("reaktion.", prefix="senens 'egen'"), Anchor)


def test_a_quote_that_still_fails_names_the_first_differing_character():
    guide = parse_guide("g", TYPESET, "g.md")
    result = GuideIndex(guide).anchor('Det er ikke bare "blødt" - det er senernes egen reaktion.')
    assert isinstance(result, AnchorFailure)
    assert ("the first difference is at character 39: the quote has 'r' (U+0072 LATIN SMALL "
            "LETTER R), the guide 'n' (U+006E LATIN SMALL LETTER N)") in result.message
    # The suggestion shows the guide's own characters, so it can be told from what was typed.
    assert "\u201cblødt\u201d \u2013" in result.hint
