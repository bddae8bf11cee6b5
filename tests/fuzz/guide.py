"""Hypothesis strategies for guides whose every word's place is known.

A generated guide is a list of blocks (headings, paragraphs, list items) of
words; while writing guide.md the generator records where each word's text
starts and ends in the file, so a test knows the offsets a quote must anchor
at without asking the code under test.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from hypothesis import strategies as st

FIRST = "abcdefghijklmnopqrstuvwxyzæøåABCDEFGHIJKLMNOPQRSTUVWXYZÆØÅéü"
REST = FIRST + "0123456789-',.;:()/%"
# A small vocabulary makes repeated words and phrases (ambiguous quotes) common.
VOCABULARY = ["sene", "løb", "hase", "Smerte", "øvelse", "på", "og", "i", "30", "sekunder",
              "Ærø", "blå", "gå", "år", "belastning", "3-5", "(ca.", "15%)", "naïve",
              "n\u0308st", "x\u0301"]  # combining marks with no precomposed letter


@dataclass
class Word:
    text: str  # as written in guide.md (may be decomposed: "pa\u030a")
    marker: str = ""  # "", "**", "*", "_", "`"
    start: int = 0  # offsets of the word's text (inside any marker) in guide.md
    end: int = 0

    @property
    def plain(self) -> str:
        return unicodedata.normalize("NFC", self.text)


@dataclass
class GenBlock:
    kind: str  # heading | paragraph | item
    words: list[Word]
    level: int = 2  # headings
    breaks: list[str] = field(default_factory=list)  # what follows each word but the last

    @property
    def plain(self) -> str:
        return " ".join(w.plain for w in self.words)


@dataclass
class GenGuide:
    blocks: list[GenBlock]
    text: str = ""

    def section_of(self, block_index: int) -> int:
        """Position of the section holding the block (0 is the lead, if any)."""
        lead = 0 if self.blocks and self.blocks[0].kind == "heading" else 1
        headings = sum(1 for b in self.blocks[:block_index + 1] if b.kind == "heading")
        return headings - 1 + lead

    def joined(self, separator: str) -> tuple[str, list[int]]:
        """Every block's plain words, joined; and where each block starts in it."""
        starts, pieces, position = [], [], 0
        for block in self.blocks:
            starts.append(position)
            pieces.append(block.plain)
            position += len(block.plain) + len(separator)
        return separator.join(pieces), starts

    def occurrences(self, words: str) -> list[tuple[int, int]]:
        """(block, position in the block's plain text) of every occurrence."""
        found = []
        for index, block in enumerate(self.blocks):
            position = block.plain.find(words)
            while position >= 0:
                found.append((index, position))
                position = block.plain.find(words, position + 1)
        return found


@st.composite
def words(draw) -> Word:
    if draw(st.booleans()):
        text = draw(st.sampled_from(VOCABULARY))
    else:
        text = draw(st.text(FIRST, min_size=1, max_size=1)) + draw(st.text(REST, max_size=8))
    if draw(st.integers(0, 3)) == 0:
        text = unicodedata.normalize("NFD", text)  # decomposed letters, as some editors save
    marker = draw(st.sampled_from(["", "", "", "", "**", "*", "_", "`"]))
    return Word(text, marker)


@st.composite
def blocks(draw, kind: str) -> GenBlock:
    items = draw(st.lists(words(), min_size=1, max_size=9))
    block = GenBlock(kind, items, level=draw(st.integers(1, 3)))
    if kind == "paragraph":
        block.breaks = [draw(st.sampled_from([" ", " ", " ", "\n", "  "])) for _ in items[1:]]
    else:
        block.breaks = [draw(st.sampled_from([" ", " ", "  "])) for _ in items[1:]]
    return block


@st.composite
def guides(draw, max_blocks: int = 12) -> GenGuide:
    kinds = draw(st.lists(st.sampled_from(["heading", "paragraph", "paragraph", "item"]),
                          min_size=1, max_size=max_blocks))
    guide = GenGuide([draw(blocks(kind)) for kind in kinds])
    out: list[str] = []
    position = 0

    def emit(text: str):
        nonlocal position
        out.append(text)
        position += len(text)

    previous = None
    for block in guide.blocks:
        if previous is not None:
            emit("\n" if previous == block.kind == "item" and draw(st.booleans()) else "\n\n")
        if block.kind == "heading":
            emit("#" * block.level + " ")
        elif block.kind == "item":
            emit(draw(st.sampled_from(["- ", "* ", "1. ", "  - "])))
        for number, word in enumerate(block.words):
            if number:
                emit(block.breaks[number - 1])
            emit(word.marker)
            word.start = position
            emit(word.text)
            word.end = position
            emit(word.marker)
        previous = block.kind
    emit("\n")
    guide.text = "".join(out)
    return guide
