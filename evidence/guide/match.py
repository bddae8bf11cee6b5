"""Where a quote's words went: approximate matching, as Hypothesis re-anchors.

When a claim's quote is no longer in its guide (the sentence was reworded),
:func:`best_match` finds the passage most like it, block by block, with
rapidfuzz: the alignment of the quote in the block
(``fuzz.partial_ratio_alignment``), widened to whole words (and to the
sentence's end when the quote was a whole sentence), scored by
``fuzz.ratio`` of the two comparable forms (words, typography folded): 100
is the same words, 0 nothing in common. The quote's prefix/suffix, when
given, and its last place in the guide break ties between passages.

A match is only a proposal: the caller (evidence.edit.reanchor) applies it
only at or above :data:`THRESHOLD`, when no other passage scores about as
well, and when it overlaps no other claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from evidence.guide.anchor import GuideIndex
from evidence.guide.document import comparable, normalise_words

# The least similarity (rapidfuzz's normalised Indel similarity, 0-100) at which
# a quote is moved to new words; below it the claim stays orphaned.
THRESHOLD = 80.0
# Another passage within this many points of the best makes the match a guess.
CLOSE = 3.0
_SENTENCE_END = re.compile(r"[.!?]")


@dataclass(frozen=True)
class Match:
    start: int  # offsets of the words in guide.md
    end: int
    line: int
    words: str  # the guide's words there, as they stand (markers and line breaks aside)
    score: float  # similarity of the quote and the words, 0-100
    runner_up: float  # the best score of any other passage (0 when none)


@dataclass(frozen=True)
class _Candidate:
    begin: int  # in index.plain
    end: int
    score: float
    rank: float


def best_match(index: GuideIndex, quote: str, prefix: str | None = None,
               suffix: str | None = None, near: int | None = None) -> Match | None:
    """The passage of the guide most like ``quote``; None when the guide has no text."""
    wanted = comparable(quote)
    if not wanted:
        return None
    best: list[_Candidate] = []
    for start, end in index.blocks():
        candidate = _in_block(index, wanted, start, end, prefix, suffix, near)
        if candidate is not None:
            best.append(candidate)
    if not best:
        return None
    best.sort(key=lambda c: c.rank, reverse=True)
    top = best[0]
    anchor = index.anchor_at(top.begin, top.end - top.begin)
    words = normalise_words(index.guide.text[anchor.start:anchor.end])
    runner_up = max((c.score for c in best[1:]), default=0.0)
    return Match(anchor.start, anchor.end, anchor.line, words, top.score, runner_up)


def _in_block(index: GuideIndex, wanted: str, start: int, end: int, prefix: str | None,
              suffix: str | None, near: int | None) -> _Candidate | None:
    text = index.plain[start:end]
    if not text.strip():
        return None
    if len(text) <= len(wanted):
        spans = [(0, len(text))]
    else:
        aligned = fuzz.partial_ratio_alignment(wanted, text)
        if aligned is None:  # only with a score_cutoff, never given here
            return None
        begin, finish = _words(text, aligned.dest_start, aligned.dest_end)
        spans = [(begin, finish)]
        if _SENTENCE_END.match(wanted[-1:]):  # a whole sentence: to its end
            found = _SENTENCE_END.search(text, max(begin, finish - 1))
            if found:
                spans.append((begin, found.end()))
    best: _Candidate | None = None
    for begin, finish in spans:
        piece = text[begin:finish]
        lead = len(piece) - len(piece.lstrip())
        begin += lead
        finish = begin + len(piece.strip())
        if finish <= begin:
            continue
        score = fuzz.ratio(wanted, text[begin:finish])
        rank = score + _context(text, begin, finish, prefix, suffix)
        if near is not None:
            distance = abs(index.offsets[start + begin] - near)
            rank += 1.0 / (1.0 + distance / 1000.0)  # at most 1 point: a tie-breaker
        if best is None or rank > best.rank:
            best = _Candidate(start + begin, start + finish, score, rank)
    return best


def _words(text: str, begin: int, end: int) -> tuple[int, int]:
    """The span widened to whole words."""
    while 0 < begin < len(text) and text[begin - 1] != " ":
        begin -= 1
    while 0 < end < len(text) and text[end - 1] != " " and text[end] != " ":
        end += 1
    return begin, min(end, len(text))


def _context(text: str, begin: int, end: int, prefix: str | None, suffix: str | None) -> float:
    """Up to 2 points when the words around the passage are the claim's prefix/suffix."""
    bonus = 0.0
    if prefix:
        wanted = comparable(prefix)
        bonus += fuzz.ratio(wanted, text[max(0, begin - len(wanted) - 1):begin].strip()) / 100
    if suffix:
        wanted = comparable(suffix)
        bonus += fuzz.ratio(wanted, text[end:end + len(wanted) + 1].strip()) / 100
    return bonus
