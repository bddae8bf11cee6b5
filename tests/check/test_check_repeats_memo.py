"""The near-repeat results kept between builds: after an edit, a guide is joined
again from its first changed paragraph on, with the result a full join gives."""

from __future__ import annotations

from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence.check import repeats
from evidence.check.repeats import first_near_repeats
from evidence.check.text import (
    REPEAT_RATIO,
    REPEAT_RULE,
    REPEAT_SHARE,
    GuideRepeats,
    RepeatMemo,
    repeated_paragraphs,
)
from evidence.guide.document import parse_guide

from .test_check_repeats import WAYS, forms, guides, lines


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(forms(), st.data(), st.sampled_from(WAYS))
def test_known_first_results_give_the_full_join(texts, data, way):
    """Any prefix of the full join's results, given as known, yields the full
    join's results: a text's result depends only on it and the texts before it."""
    with mock.patch.multiple(repeats, **way):
        full = first_near_repeats(texts, ratio=REPEAT_RATIO, share=REPEAT_SHARE)
        k = data.draw(st.integers(0, len(texts)))
        assert first_near_repeats(texts, ratio=REPEAT_RATIO, share=REPEAT_SHARE,
                                  known=full[:k]) == full


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(guides(), guides(), st.sampled_from(WAYS))
def test_a_guide_edited_anywhere_has_the_findings_of_a_fresh_check(before, after, way):
    """The memo of one version of a guide, used for another (an edit anywhere:
    added, removed or changed paragraphs), changes no finding."""
    with mock.patch.multiple(repeats, **way):
        memo = RepeatMemo()
        repeated_paragraphs(parse_guide("g", before), memo, "g")
        memo = RepeatMemo(previous=memo.found)
        guide = parse_guide("g", after)
        assert lines(repeated_paragraphs(guide, memo, "g")) == lines(repeated_paragraphs(guide))
        fresh = RepeatMemo()
        repeated_paragraphs(guide, fresh, "g")
        assert memo.found == fresh.found


def _guide(paragraphs):
    return parse_guide("g", "# T\n\n" + "\n\n".join(paragraphs) + "\n")


BASE = "løbere med smerter i senen bør øge belastningen gradvist over flere uger"
NEAR = BASE.replace("gradvist", "gradvis")
OTHER = "hvil knæet og køl det ned i nogle dage efter hver lang tur i skoven"


def test_the_results_before_the_first_changed_paragraph_are_taken_from_the_memo():
    """Reuse is real: results the memo holds for unchanged first forms are used
    as they are (here deliberately wrong, to show it), the rest computed."""
    memo = RepeatMemo()
    repeated_paragraphs(_guide([BASE, NEAR, OTHER]), memo, "g")
    found = memo.found["g"]
    assert found.first == (None, 0, None)
    forged = GuideRepeats(found.digests, (None, None, None))  # NEAR said to repeat nothing
    memo = RepeatMemo(previous={"g": forged})
    edited = _guide([BASE, NEAR, OTHER + " igen", NEAR + " senere"])
    assert lines(repeated_paragraphs(edited, memo, "g")) == [(9, 3, False)]
    assert memo.found["g"].first == (None, None, None, 0)  # kept, kept, new, new


def test_a_changed_first_paragraph_reuses_nothing():
    memo = RepeatMemo()
    repeated_paragraphs(_guide([BASE, NEAR, OTHER]), memo, "g")
    forged = GuideRepeats(memo.found["g"].digests, (None, None, None))
    memo = RepeatMemo(previous={"g": forged})
    edited = _guide([BASE + " nu", NEAR, OTHER])
    assert lines(repeated_paragraphs(edited, memo, "g")) == [(5, 3, False)]
    assert forged.known_for(memo.found["g"].digests) == ()
    assert memo.found["g"].first == (None, 0, None)


def test_the_state_round_trip_and_what_it_refuses():
    memo = RepeatMemo()
    repeated_paragraphs(_guide([BASE, NEAR, OTHER]), memo, "g")
    repeated_paragraphs(_guide([OTHER, BASE]), memo, "h")
    state = RepeatMemo.state_of(memo.found)
    assert RepeatMemo.from_state(state).previous == memo.found
    entry, other = state["guides"]["g"], state["guides"]["h"]
    assert entry["first"] == [None, 0, None]
    for bad in (
        None, [], {"rule": [1, 2, 3], "guides": state["guides"]},  # another rule
        {"rule": list(REPEAT_RULE), "guides": []},
    ):
        assert RepeatMemo.from_state(bad).previous == {}
    for forged in (
        {**entry, "first": [None, 0]},  # fewer results than forms
        {**entry, "first": [None, 1, None]},  # a form repeating itself
        {**entry, "first": [None, 5, None]},  # or a later one
        {**entry, "first": [None, "0", None]},
        {**entry, "first": [None, True, None]},
        {**entry, "forms": 3},
        "x",
        # well formed, but not what the join found: the seal no longer matches
        {**entry, "first": [None, None, None]},
        {key: value for key, value in entry.items() if key != "seal"},
        other,  # another guide's entry, moved
    ):
        state_ = {"rule": list(REPEAT_RULE), "guides": {"g": forged, "h": other}}
        assert list(RepeatMemo.from_state(state_).previous) == ["h"]
