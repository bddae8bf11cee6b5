"""`repeated_paragraphs` with its set-similarity join finds what comparing every pair finds."""

from __future__ import annotations

from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Indel

from evidence.check import repeats
from evidence.check.repeats import first_near_repeats, nearly_repeats, required_overlap
from evidence.check.text import (
    REPEAT_MIN_WORDS,
    REPEAT_RATIO,
    REPEAT_SHARE,
    _comparable,
    repeated_paragraphs,
)
from evidence.guide.document import parse_guide


def every_pair(guide):
    """The rule by hand: every earlier paragraph compared in order, no index, no filter."""
    found = []
    seen = {}
    earlier = []
    for block in guide.blocks:
        if block.kind != "paragraph":
            continue
        text = _comparable(block.text)
        words = text.split()
        if len(words) < REPEAT_MIN_WORDS:
            continue
        if text in seen:
            found.append((block, seen[text], True))
            continue
        vocabulary = frozenset(words)
        for other_text, other_words, other in earlier:
            if len(vocabulary & other_words) < REPEAT_SHARE * max(len(vocabulary), len(other_words)):
                continue
            if Indel.normalized_similarity(other_text, text) >= REPEAT_RATIO:
                found.append((block, other, False))
                break
        seen[text] = block
        earlier.append((text, vocabulary, block))
    return found


def lines(found):
    return [(block.line, first.line, exact) for block, first, exact in found]


# Common words (many shared words between any two paragraphs) and rare ones
# drawn from Danish letters, so the rarity order and the prefixes vary.
WORDS = ("smerte", "senen", "knæ", "ø", "hælen", "og", "i", "træningen", "er", "en",
         "belastning", "Å", "uger", "ro", "aktivitet", "god", "x")
LETTERS = "abcdefghijklmnopqrstuvwxyzæøåÆØÅ"
rare_word = st.text(alphabet=LETTERS, min_size=1, max_size=9)
word = st.one_of(st.sampled_from(WORDS), rare_word)
sentence = st.one_of(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=30),  # short, all shared words
    st.lists(word, min_size=1, max_size=40),
    st.lists(word, min_size=60, max_size=160),  # long paragraphs
)


@st.composite
def edited(draw, words):
    """``words`` after a few small edits: the near-duplicates the rule is about."""
    words = list(words)
    for _ in range(draw(st.integers(0, 5))):
        edit = draw(st.sampled_from(("swap", "drop", "add", "case", "mark", "letter")))
        at = draw(st.integers(0, len(words) - 1)) if words else 0
        if edit == "swap" and words:
            words[at] = draw(word)
        elif edit == "drop" and len(words) > 1:
            del words[at]
        elif edit == "add":
            words.insert(at, draw(word))
        elif edit == "case" and words:
            words[at] = words[at].upper()
        elif edit == "mark" and words:
            words[at] = draw(st.sampled_from(("**{}**", "{},", "{}.", "({})"))).format(words[at])
        elif edit == "letter" and words:  # a typo inside a word: one letter in, out or changed
            w = words[at]
            i = draw(st.integers(0, len(w)))
            letter = draw(st.sampled_from(LETTERS))
            words[at] = draw(st.sampled_from((w[:i] + letter + w[i:], w[:i] + w[i + 1:],
                                              w[:i] + letter + w[i + 1:]))) or letter
    return words


@st.composite
def guides(draw):
    bases = draw(st.lists(sentence, min_size=1, max_size=6))
    paragraphs = []
    for _ in range(draw(st.integers(1, 25))):
        words = draw(edited(draw(st.sampled_from(bases))))
        paragraphs.append(" ".join(words) or "x")
        if draw(st.booleans()):
            paragraphs.append("## " + draw(word))
    return "# Titel\n\n" + "\n\n".join(paragraphs) + "\n"


# Each way of finding the candidates and of comparing them: the index or every
# earlier paragraph, one by one or in one rapidfuzz call.
WAYS = [{"INDEX_FROM": i, "BATCH_FROM": b} for i in (0, 10**9) for b in (1, 10**9)]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(guides(), st.sampled_from(WAYS))
def test_same_findings_as_every_pair(text, way):
    guide = parse_guide("g", text)
    with mock.patch.multiple(repeats, **way):
        assert lines(repeated_paragraphs(guide)) == lines(every_pair(guide))


@st.composite
def forms(draw):
    """Comparable forms as the join gets them: words of letters joined by single spaces."""
    bases = draw(st.lists(sentence, min_size=1, max_size=4))
    texts = []
    for _ in range(draw(st.integers(1, 30))):
        words = [w.casefold() for w in draw(edited(draw(st.sampled_from(bases))))]
        texts.append(" ".join(w for w in words if w.isalpha()) or "x")
    return texts


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(forms(), st.sampled_from((0.6, 0.5, 0.8, 1.0)), st.sampled_from((0.9, 0.8, 0.95, 1.0)),
       st.sampled_from(WAYS))
def test_join_finds_the_first_pair_every_pair_finds(texts, share, ratio, way):
    expected = [next((j for j in range(i) if nearly_repeats(texts[j], texts[i], ratio=ratio,
                                                             share=share)), None)
                for i in range(len(texts))]
    assert first_near_repeats(texts, ratio=ratio, share=share, index_from=way["INDEX_FROM"],
                              batch_from=way["BATCH_FROM"]) == expected


def near(text):
    """The findings of a guide whose paragraphs are ``text``, as (line, first line, exact),
    the same in each way of finding them."""
    guide = parse_guide("g", "# T\n\n" + "\n\n".join(text) + "\n")
    found = []
    for way in WAYS:
        with mock.patch.multiple(repeats, **way):
            found.append(lines(repeated_paragraphs(guide)))
    assert all(f == found[0] for f in found)
    return found[0]


def test_similarity_exactly_at_the_threshold_is_a_repeat():
    a = "a b c d e f g h æøåæøå"  # 22 characters, 9 words
    at, below = "a b c d e f g h æø", "a b c d e f g h æ"  # 4 and 5 letters fewer
    assert Indel.normalized_similarity(a, at) == REPEAT_RATIO == 1 - 4 / (22 + 18)
    assert Indel.normalized_similarity(a, below) < REPEAT_RATIO
    assert near([a, at]) == [(5, 3, False)]
    assert near([a, below]) == []


def test_share_of_words_exactly_at_the_threshold_is_a_repeat():
    common = "belastningen genoptræningen hasemusklerne akillessenen restitutionen kapaciteten"
    a = common + " ab cd ef gh"  # 10 distinct words, 6 of them in b
    at = common + " ax cx ex gx"
    below = " ".join(common.split()[:5]) + " kapacitetex ax cx ex gx"  # 5 of 10 in common
    assert required_overlap(REPEAT_SHARE, 10) == 6
    assert Indel.normalized_similarity(a, below) >= REPEAT_RATIO  # only the words decide
    assert near([a, at]) == [(5, 3, False)]
    assert near([a, below]) == []


def test_length_ratio_at_the_bound_the_ratio_implies():
    # Similarity of at least 0.9 needs 2 * shorter >= 0.9 * (both): lengths within 11/9.
    a = "hvil knæet og køl det ned i nogle dage efter"  # 44 characters
    a = a + "x"  # 45
    longer = a + " " + "y" * 9  # 55 characters: 55 / 45 = 11 / 9, similarity exactly 0.9
    assert Indel.normalized_similarity(a, longer) == REPEAT_RATIO
    assert near([a, longer]) == [(5, 3, False)]
    assert near([a, longer + "y"]) == []
    assert near([longer, a]) == [(5, 3, False)]  # either order


def test_first_earlier_match_is_reported_not_the_closest():
    base = "løbere med smerter i senen bør øge belastningen gradvist over flere uger"
    close = base.replace("gradvist", "gradvis")
    closer = close.replace("flere", "flere,")  # the same form as close: an exact repeat
    other = close.replace("uger", "ugers")  # nearer close than base, but base comes first
    assert Indel.normalized_similarity(close, other) > Indel.normalized_similarity(base, other)
    assert near([base, close, closer, other]) == [(5, 3, False), (7, 5, True), (9, 3, False)]


def test_exact_repeat_names_its_first_occurrence_before_any_near_one():
    base = "løbere med smerter i senen bør øge belastningen gradvist over flere uger"
    edited_ = base.replace("uger", "ugers")
    assert near([base, edited_, edited_]) == [(5, 3, False), (7, 5, True)]


@pytest.mark.parametrize(("ratio", "share"), [(0.9, 0), (0.9, 1.5), (0, 0.6), (1.1, 0.6)])
def test_share_and_ratio_must_be_shares(ratio, share):
    with pytest.raises(ValueError):
        first_near_repeats(["a b"], ratio=ratio, share=share)


def test_length_bounds_are_exact():
    # Lengths around the bound the similarity implies: the join and every pair agree.
    base = " ".join(["ord"] * 20)  # 79 characters
    for other in (base + " a" * k for k in range(15)):
        text = f"# T\n\n{base}\n\n{other}\n\n{base[:-2]}\n"
        guide = parse_guide("g", text)
        assert lines(repeated_paragraphs(guide)) == lines(every_pair(guide))


def test_corpus_guides(tmp_path):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import corpus

    corpus.generate(tmp_path, guides=5, claims=20, sources=200)
    for path in sorted(tmp_path.glob("claims/*/guide.md")):
        guide = parse_guide(path.parent.name, path.read_text(encoding="utf-8"))
        assert lines(repeated_paragraphs(guide)) == lines(every_pair(guide))


_NOT_WORDS = __import__("re").compile(r"[\W_]+")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",))))
def test_comparable_is_the_substitution(text):
    import unicodedata

    expected = " ".join(_NOT_WORDS.sub(" ", unicodedata.normalize("NFC", text).casefold()).split())
    assert _comparable(text) == expected


def test_comparable_with_unusual_whitespace():
    test_comparable_is_the_substitution.hypothesis.inner_test(
        "a\x1cb\x1dc\x1e d\x1f\x85e\u2028f\u3000g\u00a0h_i**j** Æble-ØL")
