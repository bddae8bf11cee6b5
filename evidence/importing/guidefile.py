"""From an input file to guide.md text: pandoc for documents, the plain-text rules for text."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from evidence.bib.printed import parse_printed_citations
from evidence.errors import EvidenceError
from evidence.guide.document import Guide, parse_guide
from evidence.guide.reference_list import reference_section
from evidence.importing.markdown import Block, render
from evidence.importing.pandoc import READERS, read_document
from evidence.importing.plaintext import plain_text_notes, read_plain_text, reference_items
from evidence.importing.report import Note, Recognised

PLAIN_SUFFIXES = (".txt", ".text", "")


@dataclass
class GuideText:
    markdown: str
    title: str | None  # the document's own title, when it has one
    source_text: str  # the words read, for guessing the language
    notes: list[Note] = field(default_factory=list)


def read_input(path: Path) -> GuideText:
    """guide.md text from a .docx, .odt, .html, .md or plain-text file."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise EvidenceError(f"{path}: no such file")
    if suffix in READERS:
        converted = read_document(path)
        return GuideText(converted.markdown, converted.title, converted.markdown,
                         converted.notes)
    if suffix not in PLAIN_SUFFIXES:
        raise EvidenceError(f"{path}: cannot import {suffix} files; give "
                            f"{', '.join(sorted(READERS))} or plain text (.txt)")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise EvidenceError(f"{path}:{line}: not UTF-8 text (byte {data[exc.start]:#04x}); "
                            "save it as UTF-8 and import again") from None
    blocks, notes = read_plain_text(text)
    _mark_reference_list(blocks)
    notes += plain_text_notes(blocks)
    return GuideText(render(blocks), None, text, notes)


def _mark_reference_list(blocks: list[Block]) -> None:
    """Every line of the printed reference list is an item (one source a line)."""
    section = reference_section(parse_guide("guide", render(blocks)))
    if section is None:
        return
    headings = [i for i, b in enumerate(blocks) if b.kind == "heading"]
    # The section's position among the headings is its position among the blocks.
    position = section.position - (0 if _starts_with_heading(blocks) else 1)
    if 0 <= position < len(headings):
        reference_items(blocks, headings[position])


def _starts_with_heading(blocks: list[Block]) -> bool:
    return bool(blocks) and blocks[0].kind == "heading"


def recognised(guide: Guide) -> tuple[Recognised, list[Note]]:
    """What guide.md holds, counted as the guide parser reads it, and what the
    printed reference list lacks."""
    counts = Recognised()
    notes: list[Note] = []
    references = reference_section(guide)
    previous_item = False
    for block in guide.blocks:
        in_references = references is not None and block.section is references
        if block.kind == "heading":
            counts.headings += 1
        elif in_references:
            pass
        elif block.kind == "item":
            counts.items += 1
            counts.lists += not previous_item
        else:
            counts.paragraphs += 1
        previous_item = block.kind == "item" and not in_references
    if references is None:
        notes.append(Note("no reference list recognised (a heading such as 'Kilder' or "
                          "'References' over one source a line): no source can be drafted"))
    else:
        body = [b for b in references.blocks if b.kind != "heading"]
        counts.references = len(body)
        text = "\n".join(f"- {b.text}" for b in body)
        for citation in parse_printed_citations(text):
            for problem in citation.problems:
                notes.append(Note(f"reference {citation.number}: {problem}",
                                  body[citation.number - 1].line if body else None))
    if not counts.headings:
        notes.append(Note("no headings recognised: the guide is one section"))
    return counts, notes
