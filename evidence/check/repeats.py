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
from itertools import chain
from operator import itemgetter

from rapidfuzz import process
from rapidfuzz.distance import Indel

# Measured with benchmarks/bench_repeats.py on ordinary guides and repetitive
# ones: below this many paragraphs, comparing every pair (the cheap tests first)
# costs less than building the index; from this many candidates on, one
# rapidfuzz call compares them all.
INDEX_FROM = 64
BATCH_FROM = 32


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


def first_near_repeats(texts: Sequence[str], *, ratio: float, share: float,
                       index_from: int | None = None, batch_from: int | None = None,
                       known: Sequence[int | None] = ()) -> list[int | None]:
    """For each text, the index of the first earlier text it nearly repeats, or None.

    ``texts`` are in guide order, each its words joined by single spaces.
    ``index_from``: how many texts make the index worth building (below, every
    earlier text is a candidate); ``batch_from``: how many candidates a text
    needs for rapidfuzz to compare them in one call (by default ``INDEX_FROM``
    and ``BATCH_FROM`` as they are at the call). The result is the same either
    way; tests try both sides of each.

    ``known``: the results of the first texts, as this function gave them for
    the same first texts. A text's result depends only on it and the texts
    before it, so after an edit the texts before the first changed one keep
    theirs: they are indexed, as candidates of the later ones, but not
    compared again.
    """
    if not (0 < share <= 1 and 0 < ratio <= 1):
        raise ValueError(f"share and ratio must be in (0, 1], not {share} and {ratio}")
    if len(known) > len(texts):
        raise ValueError(f"{len(known)} results known for {len(texts)} texts")
    index_from = INDEX_FROM if index_from is None else index_from
    batch_from = BATCH_FROM if batch_from is None else batch_from
    vocabularies = [frozenset(text.split()) for text in texts]
    if len(texts) < index_from:
        return [*known, *(
            _first_match(text, vocabulary, range(index), texts, vocabularies,
                         ratio=ratio, share=share, batch_from=batch_from) if index else None
            for index, (text, vocabulary) in enumerate(zip(texts, vocabularies, strict=True))
            if index >= len(known))]

    # The global order: rarest word first within this guide (ties by the word,
    # so the order never depends on hashing). Rare words make short posting
    # lists, and the prefixes, which hold a set's rarest words, meet seldom.
    # Words are their ranks from here on: ints sort and hash faster.
    frequency = Counter(chain.from_iterable(vocabularies))
    rank = {word: r for r, word in enumerate(sorted(frequency, key=lambda w: (frequency[w], w)))}
    postings: list[list[int]] = [[] for _ in rank]  # rank -> earlier texts with it in their prefix
    # Each vocabulary also as the bits of its ranks: the common words of two
    # texts are counted in C (``&``, ``bit_count``), about five times faster
    # than intersecting the sets, where most candidates fail on that count.
    masks: list[int] = []
    sizes = [len(vocabulary) for vocabulary in vocabularies]
    least = [required_overlap(share, size) for size in range(max(sizes, default=0) + 1)]
    leasts: list[int] = []  # least[len(vocabulary)] of each text so far

    found: list[int | None] = []
    for index, (text, vocabulary) in enumerate(zip(texts, vocabularies, strict=True)):
        ordered = sorted(map(rank.__getitem__, vocabulary))
        mask = sum(1 << word for word in ordered)
        masks.append(mask)
        size = sizes[index]
        leasts.append(least[size])
        # Any partner needs at least required_overlap(len(vocabulary)) common
        # words (the larger set's share is at least this one's), so this
        # prefix is long enough for every pair this text can be part of.
        prefix = ordered[: size - least[size] + 1]
        if index < len(known):  # indexed for the texts after it, its own result known
            for word in prefix:
                postings[word].append(index)
            found.append(known[index])
            continue
        candidates: set[int] = set()
        for word in prefix:
            candidates.update(postings[word])
            postings[word].append(index)  # after the lookup: a text is not its own candidate
        # The share of words exactly, as shares_words() decides it: at least
        # the larger set's least, which is the larger of the two leasts.
        mine = least[size]
        sharing = [other for other in sorted(candidates)
                   if (common := (mask & masks[other]).bit_count()) >= mine
                   and common >= leasts[other]]
        found.append(_first_match(text, vocabulary, sharing, texts, vocabularies,
                                  ratio=ratio, share=share, batch_from=batch_from)
                     if sharing else None)
    return found


def _first_match(text: str, vocabulary: frozenset[str], candidates: Sequence[int],
                 texts: Sequence[str], vocabularies: Sequence[frozenset[str]], *,
                 ratio: float, share: float, batch_from: int) -> int | None:
    """The first candidate (in guide order) that the rule holds for, or None.

    Candidates are looked at in guide order, so the first match is the one
    reported, in chunks that double from ``batch_from``: where there is a
    match it is mostly among the first few (on a 2,000-paragraph guide of
    templated paragraphs, the fifth of some 130), so the rest is never
    compared. A chunk shorter than ``batch_from`` is taken one by one, the
    cheap tests first; a longer one in one rapidfuzz call (C++, the text's
    bit pattern built once), since a call costs about what three comparisons
    do and Python's own tests would then cost more than rapidfuzz's look at
    each pair.
    """
    slack = 1 - ratio
    step = max(batch_from, 1)
    for start in range(0, len(candidates), step):
        chunk = candidates[start:start + step]
        step *= 2
        if len(chunk) < batch_from:
            match = _one_by_one(text, vocabulary, chunk, texts, vocabularies, slack=slack,
                                ratio=ratio, share=share)
        else:
            match = _in_one_call(text, vocabulary, chunk, texts, vocabularies, slack=slack,
                                 ratio=ratio, share=share)
        if match is not None:
            return match
    return None


def _one_by_one(text: str, vocabulary: frozenset[str], candidates: Sequence[int],
                texts: Sequence[str], vocabularies: Sequence[frozenset[str]], *,
                slack: float, ratio: float, share: float) -> int | None:
    size = len(text)
    for other in candidates:
        other_text = texts[other]
        total = size + len(other_text)
        # The distance is at least the difference in length: the cheapest
        # test first (one character of margin for the float).
        if abs(size - len(other_text)) > slack * total + 1:
            continue
        if not shares_words(vocabulary, vocabularies[other], share):
            continue
        cutoff = _edits(slack, total)
        distance = Indel.distance(other_text, text, score_cutoff=cutoff)
        if distance <= cutoff and 1 - distance / total >= ratio:  # as similarity()
            return other
    return None


def _in_one_call(text: str, vocabulary: frozenset[str], candidates: Sequence[int],
                 texts: Sequence[str], vocabularies: Sequence[frozenset[str]], *,
                 slack: float, ratio: float, share: float) -> int | None:
    size = len(text)
    # A partner is at most size * (1 + slack) / (1 - slack) long (the
    # distance is at least the difference in length, at most slack * both
    # lengths): one cutoff for all, that of the longest possible partner.
    cutoff = _edits(slack, math.floor(2 * size / (1 - slack)) + 1)
    choices = [texts[candidates[0]]] if len(candidates) == 1 else itemgetter(*candidates)(texts)
    within = process.extract(text, choices, scorer=Indel.distance, score_cutoff=cutoff, limit=None)
    for position, distance in sorted((position, distance) for _, distance, position in within):
        other = candidates[position]
        if (1 - distance / (size + len(texts[other])) >= ratio  # as similarity()
                and shares_words(vocabulary, vocabularies[other], share)):
            return other
    return None


def _edits(slack: float, total: int) -> int:
    """At least the most edits two texts of ``total`` characters may be apart and pass.

    A whole number of edits, which rapidfuzz applies as a cutoff exactly (a
    similarity cutoff goes through a float and can refuse a pair exactly at
    it: 1 - 0.8 is 0.19999...); one edit of margin for the float.
    """
    return math.floor(slack * total) + 1
