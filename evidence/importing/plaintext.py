"""Plain text as copied from a web page or a word processor, read into guide.md blocks.

The rules (docs/import.md), line by line; blank lines only separate:

- a line starting with ``-``, ``•``, ``*``, ``–``, ``·``, ``▪`` or ``◦`` and a space is
  a list item; ``1.`` or ``1)`` and a space, a numbered item;
- a line already marked ``#``…``######`` is a heading of that level;
- a line numbered in levels (``2.1 Behandling``) that reads as a heading is one, its
  level from the numbering (``2.1`` → ``###``);
- a heading is a short line (at most 15 words and 120 characters) that stands alone
  without closing a sentence: it begins with a capital letter or a digit and ends
  with a letter, a digit, a closing bracket or quote, or ``?`` (questions count:
  FAQ entries), never with ``.``, ``:``, ``;``, ``,``, ``!`` or ``…``; a line with
  nothing after it is not a heading. Plain text cannot say which headings are
  sections and which subsections: every heading is ``##``;
- lines that read as headings right after a lead-in ending with ``:`` are the
  lead-in's list whose bullets were lost in copying: items;
- in the reference list (a heading such as Kilder or References), every line is
  an item: one printed source a line;
- every other line is a paragraph: one paragraph a line.
"""

from __future__ import annotations

import re

from evidence.importing.markdown import Block, render
from evidence.importing.report import Note

_BULLET = re.compile(r"^([-•*–·▪◦‣])\s+(\S.*)$")
_NUMBERED = re.compile(r"^(\d{1,3})([.)])\s+(\S.*)$")
_MARKED_HEADING = re.compile(r"^(#{1,6})\s+(\S.*?)\s*#*$")
_LEVELLED = re.compile(r"^(\d{1,3}(?:\.\d{1,3})+)\.?\s+(\S.*)$")
_MAX_WORDS = 15
_MAX_CHARS = 120
_HEADING_END = re.compile(r"[\w)\]\"'”’»?]$")
# Markers the guide parser reads as emphasis or code: a pair around words.
_INLINE_MARKERS = re.compile(r"(?<![\w*_`])([*_`]{1,2})[^\s*_`](?:.*?[^\s*_`])?\1(?![\w*_`])")
_SENTENCE_INSIDE = re.compile(r"[.!?…]\s+\S")


def is_heading_line(text: str) -> bool:
    """A short line that does not close a sentence (questions do count)."""
    if len(text) > _MAX_CHARS or len(text.split()) > _MAX_WORDS:
        return False
    first = text[0]
    if not (first.isupper() or first.isdigit() or first in "\"'“‘«¿¡"):
        return False
    return bool(_HEADING_END.search(text)) and any(ch.isalpha() for ch in text)


def read_plain_text(text: str) -> tuple[list[Block], list[Note]]:
    """The blocks of a plain text, and notes on what could not be placed for sure."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
    numbered = [(n, line.strip()) for n, line in enumerate(lines, start=1) if line.strip()]
    blocks: list[Block] = []
    notes: list[Note] = []
    after_lead_in = False
    for index, (number, line) in enumerate(numbered):
        is_last = index == len(numbered) - 1
        block = _read_line(line, number, is_last, after_lead_in)
        if "\t" in line:
            notes.append(Note("holds tabs (a table copied as text?): kept as one "
                              f"{block.kind}", number))
        blocks.append(block)
        # Only unmarked lines straight after the lead-in (or after each other) are its
        # list: once a line carries its own bullet, the bullets were not lost.
        unmarked_item = block.kind == "item" and block.text == line
        after_lead_in = (block.kind == "paragraph" and line.endswith(":")) or (
            after_lead_in and unmarked_item)
    return blocks, notes


def _read_line(line: str, number: int, is_last: bool, after_lead_in: bool) -> Block:
    if match := _MARKED_HEADING.match(line):
        return Block("heading", match.group(2), level=len(match.group(1)), line=number)
    if match := _BULLET.match(line):
        return Block("item", match.group(2), line=number)
    if (match := _LEVELLED.match(line)) and is_heading_line(match.group(2)) and not is_last:
        level = min(6, match.group(1).count(".") + 2)
        return Block("heading", line, level=level, line=number)
    if match := _NUMBERED.match(line):
        return Block("item", match.group(3), marker=match.group(1) + match.group(2),
                     line=number)
    if is_heading_line(line) and not is_last:
        if after_lead_in and not line.endswith("?"):
            return Block("item", line, line=number)
        return Block("heading", line, level=2, line=number)
    return Block("paragraph", line, line=number)


def reference_items(blocks: list[Block], heading_index: int) -> None:
    """Every block of the reference list under ``blocks[heading_index]`` becomes an item."""
    level = blocks[heading_index].level
    for block in blocks[heading_index + 1:]:
        if block.kind == "heading" and block.level <= level:
            break
        if block.kind != "item":
            block.kind, block.marker = "item", "-"


def plain_text_notes(blocks: list[Block]) -> list[Note]:
    """What the guide parser will read differently from the text as it stands, and
    lines that may be headings with a stray final period."""
    notes = []
    for position, (block, following) in enumerate(zip(blocks, [*blocks[1:], None],
                                                      strict=True)):
        if (block.kind == "paragraph" and following is not None and position > 0
                and blocks[position - 1].kind != "paragraph"
                and following.kind == "heading" and block.text.endswith(".")
                and not block.text.endswith("..") and is_heading_line(block.text[:-1])
                and not _SENTENCE_INSIDE.search(block.text[:-1])):
            notes.append(Note(f"{_short(block.text)!r} is short, stands before a heading and "
                              "ends with '.': kept as a paragraph; if it is a heading, delete "
                              "the period (or mark it '## ')", block.line))
        if _INLINE_MARKERS.search(block.text):
            notes.append(Note(f"holds '*', '_' or '`', which guide.md reads as emphasis: "
                              f"{_short(block.text)!r}", block.line))
    return notes


def plain_text_markdown(blocks: list[Block]) -> str:
    return render(blocks)


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"
