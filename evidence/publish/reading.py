"""The reading view: a guide's own text with every claim's words marked by basis.

The build stores the guide's text (``guides.text``) and its blocks
(``blocks``: headings, paragraphs and list items with their spans in the
text); each claim carries its span (``claims.start``/``end``). This module
cuts every block at the claims' boundaries into :class:`Segment` s, each
either plain text or the words of one claim (where quotes overlap, a piece
belongs to the shortest claim covering it), and groups list items into lists.
The template renders the segments (inline Markdown through
:func:`inline_markdown`, never raw HTML from the data).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from markupsafe import Markup

from evidence.scale import BASES, BASIS_BY_CODE

# A visible marker per basis, so that the basis is read from text as well as colour
# (the legend explains each; screen readers get the full label).
BASIS_TAGS = {"trial": "T", "observational": "O", "case": "C", "expert": "E",
              "consensus": "K", "unsupported": "?"}
PATTERNS = {"trial": "solid underline", "observational": "double underline",
            "case": "dashed underline", "expert": "dotted underline",
            "consensus": "wavy underline", "unsupported": "striped, no underline"}


@dataclass
class Mark:
    """A claim as the reading view marks it."""

    id: str
    basis: str
    label: str
    url: str
    start: int
    end: int
    status: str = "unreviewed"
    stale: bool = False
    quote: str = ""

    @property
    def tag(self) -> str:
        return BASIS_TAGS.get(self.basis, "?")


@dataclass
class Segment:
    text: str
    mark: Mark | None = None
    last: bool = False  # the claim's last piece: its basis tag follows


@dataclass
class Block:
    kind: str  # heading | paragraph | item
    segments: list[Segment]
    section_id: str | None = None
    level: int = 2


@dataclass
class Element:
    """What the template renders in order: a heading, a paragraph or a list of items."""

    kind: str  # heading | paragraph | list
    blocks: list[Block] = field(default_factory=list)

    @property
    def block(self) -> Block:
        return self.blocks[0]


def segments(text: str, start: int, end: int, marks: list[Mark]) -> list[Segment]:
    """``text[start:end]`` cut at the boundaries of the marks that overlap it."""
    inside = [m for m in marks if m.start < end and m.end > start and m.end > m.start]
    cuts = sorted({start, end, *(max(start, m.start) for m in inside),
                   *(min(end, m.end) for m in inside)})
    pieces: list[Segment] = []
    for lo, hi in zip(cuts, cuts[1:], strict=False):
        if lo >= hi:
            continue
        covering = [m for m in inside if m.start <= lo and m.end >= hi]
        mark = min(covering, key=lambda m: (m.end - m.start, m.start)) if covering else None
        if pieces and pieces[-1].mark is mark:
            pieces[-1].text += text[lo:hi]
        else:
            pieces.append(Segment(text[lo:hi], mark))
    # the basis tag after a claim's last piece in this block
    seen: set[str] = set()
    for piece in reversed(pieces):
        if piece.mark is not None and piece.mark.id not in seen:
            seen.add(piece.mark.id)
            piece.last = True
    return pieces


def elements(text: str, blocks: list[dict], marks: list[Mark],
             levels: dict[str, int]) -> list[Element]:
    """The guide's blocks as headings, paragraphs and lists, each cut into segments.

    ``blocks`` are rows of ``blocks`` in order; ``levels`` the heading level
    of each section.
    """
    marks = sorted(marks, key=lambda m: m.start)
    out: list[Element] = []
    for row in blocks:
        block = Block(row["kind"], segments(text, row["start"], row["end"], marks),
                      row["section_id"], levels.get(row["section_id"], 2))
        if block.kind == "item":
            if out and out[-1].kind == "list":
                out[-1].blocks.append(block)
            else:
                out.append(Element("list", [block]))
        else:
            out.append(Element(block.kind, [block]))
    return out


def legend() -> list[dict]:
    """Every basis with its tag, its pattern and its plain words."""
    return [{"code": b.code, "label": b.label, "tag": BASIS_TAGS[b.code],
             "pattern": PATTERNS[b.code], "description": b.description} for b in BASES]


def basis_label(code: str) -> str:
    basis = BASIS_BY_CODE.get(code)
    return basis.label if basis else code


@lru_cache(maxsize=1)
def _markdown():
    from markdown_it import MarkdownIt

    # CommonMark's inline rules without raw HTML, links or images: the guide's words,
    # emphasis and code only (a link inside a claim's link would be invalid HTML).
    md = MarkdownIt("commonmark", {"html": False})
    md.disable(["link", "image", "autolink", "html_inline", "entity"])
    return md


def inline_markdown(text: str) -> Markup:
    """A piece of the guide's text as HTML: inline Markdown, everything else escaped."""
    return Markup(_markdown().renderInline(text or ""))


# --- the page's data ------------------------------------------------------------------


@dataclass
class ReadingView:
    language: str
    elements: list[Element]
    toc: list[dict]  # {id, heading, level, claims}
    legend: list[dict]
    only: str | None  # the basis shown alone, or None
    filters: list[dict]  # {code, label, url, selected}
    unmarked: list[Mark]  # claims whose words the text no longer holds (orphaned)
    marked: int = 0
    stale: bool = False
    stale_reason: str | None = None


async def reading_view(datasette, db, guide_id: str, only: str | None = None) -> ReadingView | None:
    """The guide's text as the reading view shows it; None when the build stored no text."""
    from evidence.publish.pages import row_url

    guide = (await db.execute("select * from guides where id = ?", [guide_id])).first()
    if guide is None or not guide["text"]:
        return None
    guide = dict(guide)
    text = guide["text"]
    only = only if only in BASIS_TAGS else None
    blocks = [dict(row) for row in await db.execute(
        "select kind, start, [end], section_id from blocks where guide_id = ? "
        "order by position", [guide_id])]
    sections = [dict(row) for row in await db.execute(
        "select id, heading, level, position, claim_count from sections where guide_id = ? "
        "order by position", [guide_id])]
    marks, unmarked = [], []
    for row in await db.execute("select * from claims where guide_id = ? order by position",
                                [guide_id]):
        claim = dict(row)
        mark = Mark(claim["id"], claim["basis"], basis_label(claim["basis"]),
                    row_url(datasette, "claims", claim["id"]),
                    claim["start"] if claim["start"] is not None else -1,
                    claim["end"] if claim["end"] is not None else -1,
                    claim.get("status") or "unreviewed", claim.get("status") == "stale",
                    claim["quote"])
        if claim["start"] is None or claim.get("anchor") == "orphaned":
            unmarked.append(mark)
        elif only is None or mark.basis == only:
            marks.append(mark)
    if not blocks:  # a database built before blocks were stored: one paragraph
        blocks = [{"kind": "paragraph", "start": 0, "end": len(text), "section_id": None}]
    levels = {s["id"]: max(2, min(6, s["level"] + 1)) for s in sections}
    base = row_url(datasette, "guides", guide_id)
    return ReadingView(
        language=guide.get("language") or "en",
        elements=elements(text, blocks, marks, levels),
        toc=[{"id": s["id"], "heading": s["heading"], "level": s["level"],
              "claims": s["claim_count"]} for s in sections if s["position"] > 0],
        legend=legend(),
        only=only,
        filters=[{"code": b.code, "label": b.label, "tag": BASIS_TAGS[b.code],
                  "url": f"{base}?basis={b.code}#text", "selected": b.code == only}
                 for b in BASES],
        unmarked=unmarked,
        marked=len(marks),
        stale=bool(guide.get("stale")),
        stale_reason=guide.get("stale_reason"),
    )
