"""Claim stubs: one per sentence that is a claim and that nothing in claims.yaml covers.

A stub has the sentence's exact words as its quote (with a prefix when the
same words stand elsewhere in the guide), a guessed type and ``review:
{status: unreviewed}``; no evidence and no consensus, so its basis is
``unsupported`` until an editor links what supports it. A printed source the
sentence names is drafted beside it as a comment, never as a link.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from evidence.bib.citekeys import printed_citekeys
from evidence.bib.printed import parse_printed_citations
from evidence.bib.references import References
from evidence.check.coverage import GuideSentence, guide_sentences
from evidence.guide.anchor import Anchor, GuideIndex
from evidence.guide.document import Guide, normalise_words
from evidence.guide.reference_list import reference_section
from evidence.importing.claimtype import guess_type
from evidence.importing.ids import claim_id
from evidence.importing.report import Note
from evidence.importing.sources import Named, PrintedSource, named_sources, points_back
from evidence.language import Lexicon

_MAX_PREFIX_WORDS = 12


@dataclass
class Stub:
    id: str
    quote: str
    type: str
    section: str
    line: int
    prefix: str | None = None
    named: list[Named] = field(default_factory=list)  # drafted sources (comments only)
    why: list[str] = field(default_factory=list)  # what made it a claim
    start: int = -1  # offset of the sentence in guide.md (-1: unknown)
    section_id: str | None = None  # the id of its section (None: unknown)


def printed_sources(guide: Guide, references: References) -> list[PrintedSource]:
    """The guide's printed reference list with the citekey each source has in
    references.bib, or will get from ``evidence add --from-guide``."""
    section = reference_section(guide)
    if section is None:
        return []
    body = [b for b in section.blocks if b.kind != "heading"]
    if not body:
        return []
    text = guide.text[body[0].start - _marker_width(guide, body[0]):section.end]
    citations = parse_printed_citations(text, first_line=body[0].line)
    keys = printed_citekeys(citations, references)
    return [PrintedSource(c.number, key, c) for c, key in zip(citations, keys, strict=True)
            if key is not None]


def _marker_width(guide: Guide, block) -> int:
    line_start = guide.text.rfind("\n", 0, block.start) + 1
    return block.start - line_start


def make_stubs(guide: Guide, lexicon: Lexicon, *, taken: set[str],
               covered: Iterable[tuple[int, int]] = (),
               sources: list[PrintedSource] | None = None,
               notes: list[Note] | None = None, id_prefix: str | None = None) -> list[Stub]:
    """Stubs for the guide's claim sentences that no span of ``covered`` (offsets
    into guide.md: the quotes of claims, not_claims and retired claims) overlaps.
    ``taken``: ids that may not be given (it gains the new ones); ``id_prefix``: the
    prefix of the guide's own ids, when it has one (else its initials)."""
    spans = sorted(covered)
    index = GuideIndex(guide)
    stubs: list[Stub] = []
    last_named: tuple[str, list[Named]] | None = None  # (section id, sources)
    for sentence in guide_sentences(guide, lexicon):
        section_id = sentence.block.section.id if sentence.block.section else ""
        named = named_sources(sentence.text, sources or [], lexicon)
        if named:
            last_named = (section_id, named)
        elif (last_named is not None and last_named[0] == section_id
              and points_back(sentence.text, lexicon)):
            named = [Named(n.source, "as the sentence before it") for n in last_named[1]]
        if not sentence.verdict.claim or _overlaps(spans, sentence.start, sentence.end):
            continue
        quote = normalise_words(sentence.text)
        prefix = _prefix_for(index, sentence, quote)
        if prefix is None:
            if notes is not None:
                notes.append(Note(f"no stub for {quote[:60]!r}: its words cannot be told "
                                  "from the same words elsewhere", sentence.block.line))
            continue
        stubs.append(Stub(
            id=claim_id(guide.id, quote, taken, id_prefix), quote=quote,
            type=guess_type(sentence.text, sentence.section, sentence.verdict, lexicon),
            section=sentence.section, line=guide.line_of(sentence.start),
            prefix=prefix or None, named=named, why=sentence.verdict.why(),
            start=sentence.start, section_id=section_id))
    return stubs


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def _prefix_for(index: GuideIndex, sentence: GuideSentence, quote: str) -> str | None:
    """"" when the quote anchors on its own at the sentence; else the shortest run of
    words before it that picks it out; None when none does."""
    # The quote's words begin after any emphasis marker that opens the sentence.
    raw = index.guide.text[sentence.start:sentence.end]
    begin = sentence.start + len(raw) - len(raw.lstrip("*_`"))
    found = index.anchor(quote)
    if isinstance(found, Anchor):
        return "" if found.start == begin else None
    hits = [h for h in index.occurrences(quote) if index.offsets[h] == begin]
    if not hits:
        return None
    words = index.plain[max(0, hits[0] - 400):hits[0]].replace("\x00", " ").split()
    for n in range(1, min(len(words), _MAX_PREFIX_WORDS) + 1):
        prefix = " ".join(words[-n:])
        found = index.anchor(quote, prefix=prefix)
        if isinstance(found, Anchor) and found.start == begin:
            return prefix
    return None
