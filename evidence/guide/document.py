"""guide.md: the guide's text, split into sections and blocks with offsets.

A guide is Markdown with ``#`` headings, paragraphs and ``-`` list items.
Every block keeps its character span in the file, so a claim anchored in a
block gets offsets into guide.md itself (DESIGN §4: ``claims.start/end``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, field
from pathlib import Path

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_NEWLINE = re.compile("\n")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+")
# Inline Markdown emphasis and code markers: not part of the words.
_INLINE_MARKERS = frozenset("*_`")


@dataclass
class Block:
    """A paragraph, list item or heading, with its span in guide.md."""

    kind: str  # paragraph | item | heading
    start: int  # offset of the first character of its text (markers excluded)
    end: int
    line: int  # 1-based
    text: str  # the block's text as in the file, markers excluded
    section: Section = field(repr=False)  # parse_guide gives every block its section


@dataclass
class Section:
    id: str
    position: int  # 0 for the text before the first heading
    heading: str
    level: int
    line: int
    start: int
    end: int = 0
    blocks: list[Block] = field(default_factory=list, repr=False)


@dataclass
class Guide:
    id: str
    path: Path
    text: str
    sections: list[Section]
    blocks: list[Block]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def block_at(self, offset: int) -> Block | None:
        for block in self.blocks:
            if block.start <= offset < block.end:
                return block
        return None

    def line_of(self, offset: int) -> int:
        """The 1-based line of a character offset (text.count("\\n", 0, offset) + 1)."""
        if offset < 0:
            return self.text.count("\n", 0, offset) + 1
        # The newlines' positions, found once per text: a guide anchors 100 quotes.
        cached = self.__dict__.get("_newlines")
        if cached is None or cached[0] is not self.text:
            cached = (self.text, [m.start() for m in _NEWLINE.finditer(self.text)])
            self.__dict__["_newlines"] = cached
        return bisect_left(cached[1], offset) + 1

    def find_section(self, name: str) -> Section | None:
        """A section by id, slug or heading (case-insensitive)."""
        wanted = name.strip().lower()
        for section in self.sections:
            if wanted in (section.id.lower(), section.heading.lower(), slugify(section.heading)):
                return section
        return None


def slugify(text: str) -> str:
    """An ASCII slug: Danish letters transliterated, so URLs stay readable."""
    text = text.lower()
    for letter, ascii_form in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        text = text.replace(letter, ascii_form)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "section"


def parse_guide(guide_id: str, text: str, path: Path | str = "guide.md",
                title: str | None = None) -> Guide:
    """Split a guide into sections and blocks, keeping offsets into ``text``.

    The text before the first heading is the guide's lead, a section headed by
    the guide's title (level 1).
    """
    sections: list[Section] = []
    blocks: list[Block] = []
    used_ids: set[str] = set()

    def new_section(heading: str, level: int, line: int, start: int) -> Section:
        base = f"{guide_id}--{slugify(heading)}"
        section_id, n = base, 2
        while section_id in used_ids:
            section_id, n = f"{base}-{n}", n + 1
        used_ids.add(section_id)
        section = Section(section_id, len(sections), heading, level, line, start)
        if sections:
            sections[-1].end = start
        sections.append(section)
        return section

    current: Section | None = None
    paragraph: list[tuple[int, int, int]] = []  # (line, start, end) of its lines

    def flush_paragraph():
        nonlocal current
        if not paragraph:
            return
        if current is None:
            current = new_section(title or guide_id, 1, paragraph[0][0], paragraph[0][1])
        line, start, _ = paragraph[0]
        end = paragraph[-1][2]
        block = Block("paragraph", start, end, line, text[start:end], current)
        blocks.append(block)
        current.blocks.append(block)
        paragraph.clear()

    offset = 0
    for number, raw_line in enumerate(text.splitlines(keepends=True), start=1):
        line = raw_line.rstrip("\r\n")
        line_start, line_end = offset, offset + len(line)
        offset += len(raw_line)
        if not line.strip():
            flush_paragraph()
            continue
        heading = _HEADING.match(line)
        if heading:
            flush_paragraph()
            heading_text = heading.group(2)
            text_start = line_start + line.index(heading_text) if heading_text else line_end
            current = new_section(heading_text, len(heading.group(1)), number, line_start)
            block = Block("heading", text_start, text_start + len(heading_text), number,
                          heading_text, current)
            blocks.append(block)
            current.blocks.append(block)
            continue
        item = _LIST_ITEM.match(line)
        if item:
            flush_paragraph()
            if current is None:
                current = new_section(title or guide_id, 1, number, line_start)
            start = line_start + item.end()
            block = Block("item", start, line_end, number, text[start:line_end], current)
            blocks.append(block)
            current.blocks.append(block)
            continue
        paragraph.append((number, line_start, line_end))
    flush_paragraph()
    if sections:
        sections[-1].end = len(text)
    return Guide(guide_id, Path(path), text, sections, blocks)


def load_guide(guide_id: str, path: Path, title: str | None = None) -> Guide:
    return parse_guide(guide_id, Path(path).read_text(encoding="utf-8"), path, title)


# Runs of what plain_text drops or collapses: whitespace and inline markers.
_SKIPPED = re.compile(r"[\s*_`]+")
_MARKERS_RE = re.compile(r"[*_`]+")
_DOUBLE_SPACE = re.compile(r"\s\s")
_ONE_SPACE = re.compile(r"\s")


def plain_text(text: str, base: int = 0) -> tuple[str, list[int]]:
    """Normalise text for anchoring: NFC, inline markers dropped, whitespace runs
    collapsed to one space. Returns the string and, for each of its characters,
    the offset in ``text`` it came from (plus ``base``)."""
    joined, offsets = plain_text_offsets(text, base)
    return joined, list(offsets)


def plain_text_offsets(text: str, base: int = 0) -> tuple[str, range | list[int]]:
    """plain_text, the offsets as a range when they are one (most blocks)."""
    # Run by run rather than character by character: the same result as
    # _plain_text_by_character (a test holds them equal), 10x faster.
    if (not _MARKERS_RE.search(text) and not _DOUBLE_SPACE.search(text)
            and text and not text[0].isspace() and not text[-1].isspace()):
        # Most blocks: every space a single one, no markers. Each space stays
        # where it is, as a plain " ".
        joined = _ONE_SPACE.sub(" ", text)
        if joined.isascii() or unicodedata.is_normalized("NFC", joined):
            return joined, range(base, base + len(text))
    pieces: list[str] = []
    offsets: list[int] = []
    pending_space = False
    position = 0
    for match in _SKIPPED.finditer(text):
        start, end = match.span()
        if start > position:
            if pending_space:
                pieces.append(" ")
                offsets.append(base + position - 1)
            pieces.append(text[position:start])
            offsets.extend(range(base + position, base + start))
        # Whitespace in the run (not only markers) makes one space, once text came.
        pending_space = bool(pieces) and bool(match.group().strip("*_`"))
        position = end
    if position < len(text):
        if pending_space:
            pieces.append(" ")
            offsets.append(base + position - 1)
        pieces.append(text[position:])
        offsets.extend(range(base + position, base + len(text)))
    joined = "".join(pieces)
    if not joined.isascii() and not unicodedata.is_normalized("NFC", joined):
        joined, offsets = _plain_text_by_character(text)
        if base:
            offsets = [base + o for o in offsets]
    return joined, offsets


def _plain_text_by_character(text: str) -> tuple[str, list[int]]:
    out: list[str] = []
    offsets: list[int] = []
    pending_space = False
    for i, ch in enumerate(text):
        if ch in _INLINE_MARKERS:
            continue
        if ch.isspace():
            pending_space = bool(out)
            continue
        if pending_space:
            out.append(" ")
            offsets.append(i - 1)
            pending_space = False
        out.append(ch)
        offsets.append(i)
    joined = "".join(out)
    if unicodedata.normalize("NFC", joined) != joined:  # rare: decomposed letters in the file
        return _nfc_with_offsets(out, offsets)
    return joined, offsets


def _nfc_with_offsets(chars: list[str], offsets: list[int]) -> tuple[str, list[int]]:
    """NFC, a letter and its combining marks at a time, keeping one offset per
    character: each character of a composed cluster gets the cluster's offset.
    (A cluster need not compose to one character: ``n`` + diaeresis stays two.)"""
    out: list[str] = []
    out_offsets: list[int] = []
    cluster: list[str] = []
    cluster_start = 0

    def flush():
        composed = unicodedata.normalize("NFC", "".join(cluster))
        out.append(composed)
        out_offsets.extend([cluster_start] * len(composed))

    for ch, off in zip(chars, offsets, strict=True):
        if cluster and unicodedata.combining(ch):
            cluster.append(ch)
            continue
        if cluster:
            flush()
        cluster, cluster_start = [ch], off
    if cluster:
        flush()
    return "".join(out), out_offsets


def normalise_words(text: str) -> str:
    """The comparable form of a quote, prefix or suffix."""
    words = " ".join(_MARKERS_RE.sub("", text).split())
    if words.isascii() or unicodedata.is_normalized("NFC", words):
        return words
    return _plain_text_by_character(text)[0]


# --- Typography ---------------------------------------------------------------------

# Characters that differ in typography only, each to its plain form, one for
# one (so offsets into the text stay valid): dashes and minus to a hyphen,
# curly and angled quotes to straight ones, every kind of space to a space.
# This is TYPOGRAPHY_RULE 1: a pin records the rule it compared with.
TYPOGRAPHY_RULE = 1
_TYPOGRAPHY = str.maketrans({
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\u301d\u301e\uff02", '"'),
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2039\u203a\u2032\u00b4\uff07", "'"),
    **dict.fromkeys("\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
                    "\u2009\u200a\u202f\u205f\u3000", " "),
})


# Finding none of them is twenty times faster than str.translate on a text
# that has none (most of a guide's text: 3 ms for 75,000 characters).
_TYPOGRAPHIC = re.compile("[" + re.escape("".join(map(chr, _TYPOGRAPHY))) + "]")


def fold_typography(text: str) -> str:
    """The text with dashes, quotes, apostrophes and spaces in their plain forms
    (same length: each character maps to one)."""
    if _TYPOGRAPHIC.search(text) is None:
        return text
    return text.translate(_TYPOGRAPHY)


def comparable(text: str) -> str:
    """A quote, prefix, suffix or sentence as anchoring and pins compare it:
    its words (whitespace, Markdown markers and Unicode form aside), typography folded."""
    return fold_typography(normalise_words(text))
