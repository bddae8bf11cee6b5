"""The guide.md form of imported blocks: ``#`` headings, paragraphs, ``-`` and ``1.`` items.

Blocks are separated by a blank line, a list's items stand on consecutive
lines (the form of the project's guides), and the text of each block is
written as it came: nothing is escaped, wrapped or retyped.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Block:
    kind: str  # heading | paragraph | item
    text: str
    level: int = 2  # a heading's level
    depth: int = 0  # an item's nesting (0 at the top)
    marker: str = "-"  # an item's marker: "-" or "1." …
    line: int | None = None  # in the input, when known


def render(blocks: list[Block]) -> str:
    out: list[str] = []
    previous: Block | None = None
    for block in blocks:
        if previous is not None and not (previous.kind == "item" and block.kind == "item"):
            out.append("")
        if block.kind == "heading":
            out.append(f"{'#' * block.level} {block.text}")
        elif block.kind == "item":
            out.append(f"{'  ' * block.depth}{block.marker} {block.text}")
        else:
            out.append(block.text)
        previous = block
    return "\n".join(out) + "\n" if out else ""
