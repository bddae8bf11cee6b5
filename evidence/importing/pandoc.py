"""Documents (.docx, .odt, .html, .md) read by pandoc into guide.md.

Pandoc reads the document into its syntax tree; what a guide holds is kept
(headings with their levels, paragraphs, bullet and numbered lists, emphasis
and strong emphasis) and everything else is dropped: links keep their text,
images, tables, footnotes, code and raw markup go, and block quotes and
divisions give their paragraphs. The tree is then written as GitHub Markdown
with ``--wrap=none`` (pandoc's own Markdown writer is not verbatim: it turns
``–`` into ``--``, curly quotes straight and ``…`` into three dots, and wraps
lines), and the backslash escapes pandoc adds (``\\*``, ``\\[``, ``2022\\.``) are
taken out again: guide.md is read by the project's parser, which knows none.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evidence.errors import EvidenceError
from evidence.importing.report import Note

# The pandoc reader of each file kind; smart typography off, so the text stays as written.
READERS = {".docx": "docx", ".odt": "odt", ".html": "html", ".htm": "html",
           ".md": "markdown-smart", ".markdown": "markdown-smart"}
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_KEPT_INLINE = {"Str", "Space", "Emph", "Strong"}
# Inline containers whose words are kept without their markup: (type, index of the inlines).
_UNWRAPPED_INLINE = {"Underline": None, "Strikeout": None, "Superscript": None,
                     "Subscript": None, "SmallCaps": None, "Span": 1, "Link": 1, "Cite": 1}
_DROPPED_WHAT = {"Table": "table", "CodeBlock": "code block", "RawBlock": "raw block",
                 "Image": "image", "Note": "footnote", "RawInline": "raw markup",
                 "Figure": "figure"}
_QUOTES = {"DoubleQuote": ("“", "”"), "SingleQuote": ("‘", "’")}
_LIST_START = re.compile(r"^(?:[-*+]|\d+[.)]|#{1,6})(?:\s|$)")


@dataclass
class Converted:
    markdown: str
    title: str | None
    notes: list[Note] = field(default_factory=list)


def pandoc_path() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def read_document(path: Path) -> Converted:
    """The guide.md text of a document, its title (document metadata, or a lone
    first-level heading that opens it) and what was dropped."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise EvidenceError(f"{path}: cannot import {path.suffix or 'a file without extension'}"
                            f" files; give {', '.join(sorted(READERS))} or .txt")
    import pypandoc

    try:
        tree = json.loads(pypandoc.convert_file(str(path), "json", format=reader))
    except (RuntimeError, OSError, ValueError) as exc:
        raise EvidenceError(f"{path}: pandoc could not read it as {reader}: {exc}") from None
    dropped: Counter[str] = Counter()
    blocks = _blocks(tree.get("blocks", []), dropped)
    title = _meta_title(tree.get("meta", {}))
    blocks, heading_title = _lone_title(blocks)
    tree["blocks"] = blocks
    markdown = pypandoc.convert_text(json.dumps(tree), "gfm", format="json",
                                     extra_args=["--wrap=none"])
    markdown, notes = _unescaped(markdown)
    notes[:0] = [Note(f"dropped {n} {what}{'s' if n != 1 else ''}")
                 for what, n in sorted(dropped.items())]
    return Converted(markdown.rstrip("\n") + "\n" if markdown.strip() else "",
                     title or heading_title, notes)


def _blocks(blocks: list[dict[str, Any]], dropped: Counter[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for block in blocks:
        kind, content = block.get("t"), block.get("c", [])
        if kind == "Header":
            level, attr, inlines = content
            out.append({"t": "Header", "c": [level, ["", [], []], _inlines(inlines, dropped)]})
        elif kind in ("Para", "Plain"):
            out.append({"t": kind, "c": _inlines(content, dropped)})
        elif kind == "LineBlock":
            out.extend({"t": "Para", "c": _inlines(line, dropped)} for line in content)
        elif kind == "BulletList":
            out.append({"t": kind, "c": [_blocks(item, dropped) for item in content]})
        elif kind == "OrderedList":
            attributes, items = content
            out.append({"t": kind, "c": [attributes,
                                         [_blocks(item, dropped) for item in items]]})
        elif kind == "BlockQuote":
            out.extend(_blocks(content, dropped))
        elif kind == "Div":
            out.extend(_blocks(content[1], dropped))
        elif kind == "DefinitionList":
            for term, definitions in content:
                out.append({"t": "Para", "c": _inlines(term, dropped)})
                for definition in definitions:
                    out.extend(_blocks(definition, dropped))
        elif kind == "HorizontalRule":
            continue
        else:
            dropped[_DROPPED_WHAT.get(str(kind), str(kind))] += 1
    return [b for b in out if b["t"] not in ("Para", "Plain") or b["c"]]


def _inlines(inlines: list[dict[str, Any]], dropped: Counter[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for inline in inlines:
        kind, content = inline.get("t"), inline.get("c", [])
        if kind in _KEPT_INLINE:
            if kind in ("Emph", "Strong"):
                out.append({"t": kind, "c": _inlines(content, dropped)})
            else:
                out.append(inline)
        elif kind in ("SoftBreak", "LineBreak"):
            out.append({"t": "Space"})
        elif kind in _UNWRAPPED_INLINE:
            index = _UNWRAPPED_INLINE[str(kind)]
            out.extend(_inlines(content if index is None else content[index], dropped))
        elif kind == "Quoted":
            opening, closing = _QUOTES.get(content[0]["t"], ("“", "”"))
            out.append({"t": "Str", "c": opening})
            out.extend(_inlines(content[1], dropped))
            out.append({"t": "Str", "c": closing})
        elif kind in ("Code", "Math"):
            out.append({"t": "Str", "c": content[1]})
        else:
            dropped[_DROPPED_WHAT.get(str(kind), str(kind))] += 1
    # No space left at either end of what was a link or an image.
    while out and out[0]["t"] == "Space":
        out.pop(0)
    while out and out[-1]["t"] == "Space":
        out.pop()
    return out


def _plain(inlines: list[dict[str, Any]]) -> str:
    parts = []
    for inline in inlines:
        if inline["t"] == "Str":
            parts.append(inline["c"])
        elif inline["t"] == "Space":
            parts.append(" ")
        elif inline["t"] in ("Emph", "Strong", "MetaInlines"):
            parts.append(_plain(inline["c"]))
    return "".join(parts).strip()


def _meta_title(meta: dict[str, Any]) -> str | None:
    title = meta.get("title")
    if not title:
        return None
    if title.get("t") == "MetaInlines":
        return _plain(title["c"]) or None
    if title.get("t") == "MetaString":
        return str(title["c"]).strip() or None
    return None


def _lone_title(blocks: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str | None]:
    """A document that opens with its only level-1 heading: that heading is its title
    (claims.yaml holds it; guide.md starts with the text)."""
    level_one = [b for b in blocks if b["t"] == "Header" and b["c"][0] == 1]
    if len(level_one) == 1 and blocks and blocks[0] is level_one[0]:
        return blocks[1:], _plain(blocks[0]["c"][2]) or None
    return blocks, None


def _unescaped(markdown: str) -> tuple[str, list[Note]]:
    """pandoc's backslash escapes out; a line that then reads as another kind of
    block than pandoc meant is named."""
    lines, notes = [], []
    for number, line in enumerate(markdown.split("\n"), start=1):
        bare = _ESCAPE.sub(r"\1", line)
        if bare != line and _LIST_START.match(bare) and not _LIST_START.match(line):
            notes.append(Note(f"guide.md line {number} starts like a list item or heading "
                              f"though it is a paragraph: {bare[:60]!r}"))
        lines.append(bare)
    return "\n".join(lines), notes
