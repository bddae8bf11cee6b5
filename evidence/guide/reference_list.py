"""Where a guide prints its reference list: the one rule every command uses.

A reference list is the section under a heading such as ``## Kilder``,
``## Kildeliste`` or ``## References`` (:data:`evidence.language.REFERENCE_HEADINGS`,
every language's headings at once), with its subsections. When a guide has
several such headings, the last one is the list: a reference list closes a
guide. check, coverage, the bibliography's numbering, the build and
``add --from-guide`` all ask this module, so they never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from evidence.guide.document import Block, Guide, Section
from evidence.language import is_reference_heading


@dataclass(frozen=True)
class ReferenceList:
    """A guide's printed reference list: its section and the text under its heading."""

    section: Section
    text: str  # the lines under the heading, up to the next heading of its level or higher
    first_line: int  # the guide's 1-based line number of the first line of ``text``
    start: int  # offset of ``text`` in the guide
    end: int
    blocks: tuple[Block, ...]  # its paragraphs, items and subheadings, in guide order


def reference_section(guide: Guide) -> Section | None:
    """The section of the guide's printed reference list, or None."""
    for section in reversed(guide.sections):
        if section.blocks and section.blocks[0].kind == "heading" \
                and is_reference_heading(section.heading):
            return section
    return None


def reference_list(guide: Guide) -> ReferenceList | None:
    """The guide's printed reference list with its subsections, or None."""
    section = reference_section(guide)
    if section is None:
        return None
    heading_end = guide.text.find("\n", section.start)
    start = len(guide.text) if heading_end < 0 else heading_end + 1
    end = len(guide.text)
    for later in guide.sections[section.position + 1:]:
        if later.level <= section.level:
            end = later.start
            break
    blocks = tuple(block for block in guide.blocks if start <= block.start < end)
    return ReferenceList(section, guide.text[start:end].rstrip("\r\n"), section.line + 1,
                         start, end, blocks)
