"""`repeated_paragraphs` with its pre-filters finds what comparing every pair finds."""

from __future__ import annotations

import difflib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence.check.text import (
    REPEAT_MIN_WORDS,
    REPEAT_RATIO,
    _comparable,
    repeated_paragraphs,
)
from evidence.guide.document import parse_guide


def every_pair(guide):
    """The original: every earlier paragraph compared in order, no bisection, no laziness."""
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
            if not 0.8 <= len(text) / len(other_text) <= 1.25:
                continue
            if len(vocabulary & other_words) < 0.6 * max(len(vocabulary), len(other_words)):
                continue
            matcher = difflib.SequenceMatcher(None, other_text, text, autojunk=False)
            if matcher.ratio() >= REPEAT_RATIO:
                found.append((block, other, False))
                break
        seen[text] = block
        earlier.append((text, vocabulary, block))
    return found


def lines(found):
    return [(block.line, first.line, exact) for block, first, exact in found]


WORDS = ("smerte", "senen", "knæ", "ø", "hælen", "og", "i", "træningen", "er", "en",
         "belastning", "Å", "uger", "ro", "aktivitet", "god", "x")
word = st.sampled_from(WORDS)
sentence = st.lists(word, min_size=1, max_size=30)


@st.composite
def guides(draw):
    bases = draw(st.lists(sentence, min_size=1, max_size=6))
    paragraphs = []
    for _ in range(draw(st.integers(1, 25))):
        words = list(draw(st.sampled_from(bases)))
        for _ in range(draw(st.integers(0, 4))):  # small edits: near-duplicates
            edit = draw(st.sampled_from(("swap", "drop", "add", "case", "mark")))
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
        paragraphs.append(" ".join(words) or "x")
        if draw(st.booleans()):
            paragraphs.append("## " + draw(word))
    return "# Titel\n\n" + "\n\n".join(paragraphs) + "\n"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(guides())
def test_same_findings_as_every_pair(text):
    guide = parse_guide("g", text)
    assert lines(repeated_paragraphs(guide)) == lines(every_pair(guide))


def test_length_bounds_are_exact():
    # Lengths right at 0.8 and 1.25 of each other are compared, just outside are not.
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
