"""Anchoring a claim's quote in its guide (a W3C TextQuoteSelector).

A quote matches the guide's words whitespace-, Markdown- and
typography-insensitively (dashes, quotes, apostrophes and kinds of space
compare equal: evidence.guide.document.fold_typography), within one block
(paragraph, list item or heading). ``prefix``/``suffix``
pick one occurrence when the words occur more than once.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from array import array
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from evidence.guide.document import (
    comparable,
    fold_typography,
    normalise_words,
    plain_text_offsets,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from evidence.guide.document import Block, Guide, Section

# Separates blocks in the searchable text, so no quote can span two blocks.
_SEPARATOR = "\x00"
# Characters searched in all (quotes times the text's length) from which one
# pass of an automaton finds a guide's quotes faster than a search for each:
# measured on the benchmarks' long guides (480 quotes in 75,000 characters,
# 2.0 ms against 6.7 ms) and short ones (100 in 14,000, about even).
AT_ONCE_FROM = 4_000_000


@dataclass(frozen=True)
class Anchor:
    start: int  # character offsets into guide.md
    end: int
    line: int
    section: Section
    block: Block


@dataclass(frozen=True)
class AnchorFailure:
    """Why a quote did not anchor, in words an editor can act on."""

    message: str
    hint: str | None = None
    code: str = field(kw_only=True)  # quote-not-found or quote-ambiguous (check.codes)


class GuideIndex:
    """The guide's blocks as one normalised, searchable string."""

    def __init__(self, guide: Guide):
        self.guide = guide
        pieces: list[str] = []
        # Each block's start in ``plain`` and the offsets in guide.md of its
        # characters (mostly a range): a character's block is found by
        # bisection, instead of a table of every character filled for each
        # guide (3 ms of a 75,000-character guide's 7).
        self._starts: list[int] = []
        self._locals: list[range | list[int]] = []
        position = 0
        for block in guide.blocks:
            text, local = plain_text_offsets(block.text, block.start)
            if pieces:
                pieces.append(_SEPARATOR)
                position += 1
            self._starts.append(position)
            self._locals.append(local)
            pieces.append(text)
            position += len(text)
        # Folded one character for one, so the offsets still fit.
        self.plain = fold_typography("".join(pieces))
        self._offsets: array | None = None
        self._located: dict[str, list[int]] = {}  # by locate()

    @property
    def offsets(self) -> array:
        """The offset in guide.md of each character of ``plain`` (a separator:
        the next block's start), built when first asked for."""
        if self._offsets is None:
            offsets = array("q")
            for index, local in enumerate(self._locals):
                if index:
                    offsets.append(self.guide.blocks[index].start)
                offsets.extend(local)
            self._offsets = offsets
        return self._offsets

    def _block_at(self, position: int) -> int:
        """The index of the block holding ``plain[position]`` (not a separator)."""
        return bisect_right(self._starts, position) - 1

    def locate(self, quotes: Iterable[str], *, at_once_from: int = AT_ONCE_FROM) -> None:
        """Find every occurrence of many quotes ahead, for :meth:`anchor` to use.

        Finding each quote on its own costs the length of the text, so a guide
        whose claims grow with it costs the square of its size; past
        ``at_once_from`` characters to search in all, one pass of an
        Aho-Corasick automaton over the text finds them all together, in the
        order and with the overlaps that :meth:`occurrences` finds them.
        """
        quotes = list(quotes)
        if len(quotes) * len(self.plain) < at_once_from:
            return  # before any quote is normalised: most guides end here
        words = {w for w in map(comparable, quotes) if w and w not in self._located}
        import ahocorasick  # only for a long guide

        automaton = ahocorasick.Automaton()
        for word in words:
            automaton.add_word(word, word)
        automaton.make_automaton()
        found: dict[str, list[int]] = {word: [] for word in words}
        for end, word in automaton.iter(self.plain):
            found[word].append(end - len(word) + 1)
        self._located.update(found)

    def occurrences(self, quote: str) -> list[int]:
        """Start positions (in ``plain``) of every occurrence of the quote."""
        located = self._located.get(quote)
        if located is not None:
            return list(located)
        found, position = [], self.plain.find(quote)
        while position >= 0:
            found.append(position)
            position = self.plain.find(quote, position + 1)
        return found

    def anchor(self, quote: str, prefix: str | None = None,
               suffix: str | None = None) -> Anchor | AnchorFailure:
        words = comparable(quote)
        if not words:
            return AnchorFailure("the quote is empty", "copy the claim's words from guide.md",
                                 code="quote-not-found")
        hits = self.occurrences(words)
        if not hits:
            message, hint = self._not_found(quote, words)
            return AnchorFailure(message, hint, code="quote-not-found")
        if prefix or suffix:
            hits = [h for h in hits if self._context_matches(h, len(words), prefix, suffix)]
            if not hits:
                return AnchorFailure(
                    "the quote occurs in the guide, but not with the given prefix/suffix",
                    "prefix/suffix must be the words right before/after the quote "
                    "as they stand in guide.md",
                    code="quote-not-found",
                )
        if len(hits) > 1:
            places = "; ".join(self._describe(h, len(words)) for h in hits)
            return AnchorFailure(
                f"the quote occurs {len(hits)} times: {places}",
                "add a prefix (words just before) or suffix (words just after) "
                "to pick one, or quote more words", code="quote-ambiguous",
            )
        return self._make_anchor(hits[0], len(words))

    def _context_matches(self, start: int, length: int, prefix: str | None,
                         suffix: str | None) -> bool:
        # Context may reach into the neighbouring block (the item before, say),
        # so block separators count as plain spaces here.
        if prefix:
            wanted = comparable(prefix)
            window = self.plain[max(0, start - len(wanted) - 8):start]
            if not _context(window).endswith(wanted):
                return False
        if suffix:
            wanted = comparable(suffix)
            end = start + length
            window = self.plain[end:end + len(wanted) + 8]
            if not _context(window).startswith(wanted):
                return False
        return True

    def blocks(self) -> list[tuple[int, int]]:
        """(start, end) in ``plain`` of each block's text, in guide order."""
        spans, start = [], 0
        for piece in self.plain.split(_SEPARATOR):
            spans.append((start, start + len(piece)))
            start += len(piece) + 1
        return spans

    def anchor_at(self, start: int, length: int) -> Anchor:
        """The anchor of ``length`` characters of ``plain`` from ``start``."""
        return self._make_anchor(start, length)

    def _make_anchor(self, start: int, length: int) -> Anchor:
        index = self._block_at(start)  # the whole quote is in this block
        block, local, first = self.guide.blocks[index], self._locals[index], self._starts[index]
        begin = local[start - first]
        end = local[start + length - 1 - first] + 1
        text = self.guide.text
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1  # a decomposed last letter: its combining marks belong to it
        return Anchor(begin, end, self.guide.line_of(begin), block.section, block)

    def _describe(self, start: int, length: int) -> str:
        anchor = self._make_anchor(start, length)
        return f"line {anchor.line} (section {anchor.section.heading!r})"

    def _closest(self, words: str) -> tuple[float, str, int] | None:
        """The passage of the guide closest to the quote (ratio, its words as
        they stand, its line), widened to whole words so it can be copied."""
        best: tuple[float, str, int] | None = None
        for block in self.guide.blocks:
            shown = normalise_words(block.text)
            text = fold_typography(shown)
            matcher = difflib.SequenceMatcher(None, text, words, autojunk=False)
            match = matcher.find_longest_match(0, len(text), 0, len(words))
            # Align the quote's start and end on the longest shared run, then
            # widen to whole words so the suggestion can be copied as it is.
            begin = _word_start(text, max(0, match.a - match.b))
            end = _word_end(text, match.a + match.size + len(words) - match.b - match.size)
            window = text[begin:end].strip()
            ratio = difflib.SequenceMatcher(None, window, words, autojunk=False).ratio()
            if best is None or ratio > best[0]:
                lead = len(text[begin:end]) - len(text[begin:end].lstrip())
                start = begin + lead
                best = (ratio, shown[start:start + len(window)], block.line)
        return best

    def _not_found(self, quote: str, words: str) -> tuple[str, str]:
        """The failure's message, with the first character that differs from the
        closest passage (and its code point), and the passage as a suggestion."""
        closest = self._closest(words)
        if closest is None or closest[0] < 0.5:
            return "quote not found in the guide", "copy the words exactly as they stand in guide.md"
        _ratio, window, line = closest
        typed = normalise_words(quote)
        return (f"quote not found in the guide; {first_difference(typed, window)}",
                f"did you mean {window!r} (line {line})?")


def first_difference(typed: str, found: str) -> str:
    """Where the quote as typed first differs from the guide's words, with both
    characters and their code points (an en dash and a hyphen look alike)."""
    a, b = fold_typography(typed), fold_typography(found)
    index = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y),
                 min(len(a), len(b)))
    def char(text: str) -> str:
        if index >= len(text):
            return "nothing more"
        ch = text[index]
        name = unicodedata.name(ch, "")
        return f"{ch!r} (U+{ord(ch):04X}{' ' + name if name else ''})"

    return (f"the first difference is at character {index + 1}: the quote has {char(typed)}, "
            f"the guide {char(found)}")


def _word_start(text: str, position: int) -> int:
    while 0 < position < len(text) and text[position - 1] != " ":
        position -= 1
    return position


def _word_end(text: str, position: int) -> int:
    position = min(position, len(text))
    while 0 < position < len(text) and text[position - 1] != " " and text[position] != " ":
        position += 1
    return position


def _context(window: str) -> str:
    return " ".join(window.replace(_SEPARATOR, " ").split())


# The sentence around a quote: from the end of the sentence before it to the end
# of the sentence it ends in, within its block. A sentence ends at '.', '!' or
# '?' followed by a space (or the block's end). SENTENCE_RULE 1: a pin records it.
SENTENCE_RULE = 1
_SENTENCE_END = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s)")


def sentence_around(guide: Guide, anchor: Anchor) -> str:
    """The sentence (or sentences) the anchored quote stands in, as ``comparable`` gives it."""
    block = anchor.block
    text = guide.text[block.start:block.end]
    start, end = anchor.start - block.start, anchor.end - block.start
    begin = 0
    for match in _SENTENCE_END.finditer(text, 0, max(0, start)):
        begin = match.end()
    found = _SENTENCE_END.search(text, max(end, 1) - 1)
    finish = found.end() if found else len(text)
    return comparable(text[begin:max(finish, end)])
