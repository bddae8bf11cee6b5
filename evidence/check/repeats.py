"""Near-repeated paragraphs found without comparing every pair: an exact set-similarity join.

The rule (docs/DESIGN.md, "paragraph-repeated"): a text nearly repeats an
earlier one when their word sets share at least ``share`` of the larger set's
words, and the texts are at least ``ratio`` similar by rapidfuzz's normalised
Indel similarity, ``1 - (insertions + deletions) / (len(a) + len(b))``.

Comparing every pair costs the square of a guide's paragraphs. The share of
common words is a set-overlap threshold, so prefix filtering finds every pair
that can meet it without looking at the others (Chaudhuri et al. 2006; Xiao et
al., PPJoin, 2008): order each set's words by a global order, rarest first; if
two sets must share at least ``t`` words, then the first ``len - t + 1`` words
of one and of the other have a word in common. Indexing only those prefixes
and probing with them gives every candidate pair; the candidates are then
decided by the rule itself. Nothing is estimated (MinHash would be), so the
result is the one comparing every pair gives (tests/check/test_check_repeats.py
holds the two equal).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from operator import itemgetter

from rapidfuzz import process
from rapidfuzz.distance import Indel


def required_overlap(share: float, size: int) -> int:
    """The fewest common words a set of ``size`` words needs with a set no larger.

    ``overlap >= share * size`` for a whole number of words is ``overlap >=
    ceil(share * size)``, computed on the same float, so this is the rule
    exactly and not a rounding of it.
    """
    return math.ceil(share * size)


def shares_words(a: frozenset[str], b: frozenset[str], share: float) -> bool:
    """Whether ``a`` and ``b`` share at least ``share`` of the larger set's words."""
    return len(a & b) >= share * max(len(a), len(b))


def similarity(a: str, b: str) -> float:
    """rapidfuzz's normalised Indel similarity, the same float as
    ``Indel.normalized_similarity(a, b)`` without a cutoff."""
    total = len(a) + len(b)
    return 1 - Indel.distance(a, b) / total if total else 1.0


def nearly_repeats(a: str, b: str, *, ratio: float, share: float) -> bool:
    """The rule on one pair, as the join decides it (``a`` and ``b`` are words joined by spaces)."""
    return (shares_words(frozenset(a.split()), frozenset(b.split()), share)
            and similarity(a, b) >= ratio)


def first_near_repeats(texts: Sequence[str], *, ratio: float,
                       share: float) -> list[int | None]:
    """For each text, the index of the first earlier text it nearly repeats, or None.

    ``texts`` are in guide order, each its words joined by single spaces.
    """
    if not (0 < share <= 1 and 0 < ratio <= 1):
        raise ValueError(f"share and ratio must be in (0, 1], not {share} and {ratio}")
    vocabularies = [frozenset(text.split()) for text in texts]

    # The global order: rarest word first within this guide (ties by the word,
    # so the order never depends on hashing). Rare words make short posting
    # lists, and the prefixes, which hold a set's rarest words, meet seldom.
    frequency = Counter(word for vocabulary in vocabularies for word in vocabulary)
    rank = {word: r for r, word in enumerate(sorted(frequency, key=lambda w: (frequency[w], w)))}

    found: list[int | None] = []
    postings: dict[str, list[int]] = {}  # word -> earlier texts with it in their prefix
    for index, (text, vocabulary) in enumerate(zip(texts, vocabularies, strict=True)):
        ordered = sorted(vocabulary, key=rank.__getitem__)
        # Any partner needs at least required_overlap(len(vocabulary)) common
        # words (the larger set's share is at least this one's), so this
        # prefix is long enough for every pair this text can be part of.
        prefix = ordered[: len(ordered) - required_overlap(share, len(ordered)) + 1]
        candidates: set[int] = set()
        for word in prefix:
            earlier = postings.get(word)
            if earlier is not None:
                candidates.update(earlier)
        found.append(_first_match(text, vocabulary, sorted(candidates), texts, vocabularies,
                                  ratio=ratio, share=share))
        for word in prefix:
            postings.setdefault(word, []).append(index)
    return found


def _first_match(text: str, vocabulary: frozenset[str], candidates: list[int],
                 texts: Sequence[str], vocabularies: Sequence[frozenset[str]], *,
                 ratio: float, share: float) -> int | None:
    """The first candidate (in guide order) that the rule holds for, or None.

    rapidfuzz compares the text with all the candidates in one call (C++, the
    text's bit pattern built once, a candidate too far in length refused
    before any work); only the few it finds near enough are checked against
    the rule in Python, in guide order, so the first match is the one
    reported. No filter runs per candidate in Python: a size or positional
    filter (PPJoin's) would cost more there than rapidfuzz's look at the pair.
    """
    if not candidates:
        return None
    size = len(text)
    slack = 1 - ratio
    # A whole number of edits as the cutoff, which rapidfuzz applies exactly (a
    # similarity cutoff goes through a float and can refuse a pair exactly at
    # it: 1 - 0.8 is 0.19999...). The distance is at least the difference in
    # length, so a partner is at most size * (1 + slack) / (1 - slack) long
    # and at most slack * (both lengths) edits away: one bound for all, with
    # one edit of margin for the float; the rule below decides.
    bound = math.floor(2 * slack * size / (1 - slack)) + 1
    choices = [texts[candidates[0]]] if len(candidates) == 1 else itemgetter(*candidates)(texts)
    within = process.extract(text, choices, scorer=Indel.distance, score_cutoff=bound, limit=None)
    for position in sorted(position for _, _, position in within):
        other = candidates[position]
        if (similarity(texts[other], text) >= ratio
                and shares_words(vocabulary, vocabularies[other], share)):
            return other
    return None
