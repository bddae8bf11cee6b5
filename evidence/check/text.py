"""Rules on the guide's text: empty headings, dangling lead-ins, repeated paragraphs."""

from __future__ import annotations

import re
import unicodedata

from evidence.check.finding import Finding, excerpt, relative
from evidence.check.repeats import first_near_repeats
from evidence.guide.document import Block, Guide, Section
from evidence.language import NOTE_LABELS
from evidence.project import GuideData, Project

_LABEL = re.compile(r"^([^:.!?]{1,80}):\s+\S")
_OPENING_QUOTES = "\"'“‘«„"

# Paragraphs shorter than this are not compared ("Sådan gør du:" may repeat).
REPEAT_MIN_WORDS = 8
# A near repeat: this share of the words in common (of the paragraph with more
# distinct words), and this normalised Indel similarity of the comparable forms.
REPEAT_SHARE = 0.6
REPEAT_RATIO = 0.9


def guide_text_findings(project: Project, guide: GuideData) -> list[Finding]:
    path = relative(project, guide.guide.path)
    findings = []
    if not guide.claims and any(b.kind != "heading" for b in guide.guide.blocks):
        findings.append(Finding(
            "guide-without-claims",
            f"the guide has text but {relative(project, guide.claims_file.path)} holds no claims: "
            "record its factual statements (or restore the file if it was emptied by mistake)",
            guide.id, None, None, path, None,
        ))
    for section, line in empty_headings(guide.guide):
        findings.append(Finding(
            "heading-empty",
            f"the heading {section.heading!r} has no text under it: write the section or "
            "remove the heading",
            guide.id, None, None, path, line,
        ))
    for block, following in dangling_lead_ins(guide.guide):
        if following is None:
            what = "nothing follows it in its section"
        else:
            what = f"what follows is not a list or items ({excerpt(following.text)!r})"
        findings.append(Finding(
            "lead-in-dangling",
            f"{excerpt(block.text, end=True)!r} ends with ':' but {what}: add the list it "
            "announces, or end the sentence with '.'",
            guide.id, None, None, path, block.line,
        ))
    for block, first, exact in repeated_paragraphs(guide.guide):
        how = "repeats" if exact else "nearly repeats"
        findings.append(Finding(
            "paragraph-repeated",
            f"the paragraph {excerpt(block.text)!r} {how} the one at line {first.line}: "
            "keep one of them",
            guide.id, None, None, path, block.line,
        ))
    return findings


def empty_headings(guide: Guide) -> list[tuple[Section, int]]:
    """Headings with no text under them before the next heading of the same or higher level."""
    found = []
    sections = guide.sections
    for i, section in enumerate(sections):
        heading = next((b for b in section.blocks if b.kind == "heading"), None)
        if heading is None:
            continue  # the lead before the first heading
        has_text = False
        for later in sections[i:]:
            if later is not section and later.level <= section.level:
                break
            if any(b.kind != "heading" for b in later.blocks):
                has_text = True
                break
        if not has_text:
            found.append((section, heading.line))
    return found


def _introduces(block: Block) -> bool:
    """Whether a block can be what a lead-in ending in ':' announces."""
    if block.kind == "item":
        return True
    if block.kind != "paragraph":
        return False
    text = block.text.lstrip()
    if text[:1] in _OPENING_QUOTES:
        return True
    label = _LABEL.match(text)
    if not label:
        return False
    name = label.group(1).strip()
    return len(name.split()) <= 6 and name.casefold() not in NOTE_LABELS


def dangling_lead_ins(guide: Guide) -> list[tuple[Block, Block | None]]:
    """Paragraphs ending in ':' that no list or item-like paragraph follows.

    A lead-in is followed by the list it announces, or by paragraphs that read
    as its items ("Isometrisk hamstring bridge: Lig på ryggen ..."). A heading,
    the end of the guide, plain prose or a note ("Vigtigt: ...") after it
    means the announced list is missing.
    """
    found: list[tuple[Block, Block | None]] = []
    blocks = guide.blocks
    for i, block in enumerate(blocks):
        if block.kind not in ("paragraph", "item") or not block.text.rstrip().endswith(":"):
            continue
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        if following is not None and following.kind == "heading":
            following = None
        if following is None:
            found.append((block, None))
        elif not _introduces(following):
            found.append((block, following))
    return found


_WORD = re.compile(r"[^\W_]+")


def _comparable(text: str) -> str:
    """A paragraph with case, punctuation, Markdown markers and whitespace set aside."""
    return " ".join(_comparable_words(text))


def _comparable_words(text: str) -> list[str]:
    """The words of :func:`_comparable`: its runs of letters and digits (the
    same as replacing every run of ``[\\W_]`` by a space and splitting on
    whitespace, since no whitespace character is a word character)."""
    return _WORD.findall(unicodedata.normalize("NFC", text).casefold())


def repeated_paragraphs(guide: Guide) -> list[tuple[Block, Block, bool]]:
    """(paragraph, the earlier one it repeats, exact) for every repeated paragraph.

    Paragraphs of at least ``REPEAT_MIN_WORDS`` words are compared in their
    comparable form. An exact repeat names the first paragraph of that form.
    Any other paragraph names the first earlier one it nearly repeats: the two
    share at least ``REPEAT_SHARE`` of the distinct words of whichever has
    more, and are at least ``REPEAT_RATIO`` similar by rapidfuzz's normalised
    Indel similarity. :mod:`evidence.check.repeats` finds those without
    comparing every pair.
    """
    paragraphs = []  # (block, comparable form), in guide order
    for block in guide.blocks:
        if block.kind != "paragraph":
            continue
        words = _comparable_words(block.text)
        if len(words) >= REPEAT_MIN_WORDS:
            paragraphs.append((block, " ".join(words)))

    first: dict[str, Block] = {}  # each form's first paragraph, in guide order
    for block, text in paragraphs:
        first.setdefault(text, block)
    forms = list(first)
    earlier = first_near_repeats(forms, ratio=REPEAT_RATIO, share=REPEAT_SHARE)
    near = {form: forms[i] for form, i in zip(forms, earlier, strict=True) if i is not None}

    found = []
    for block, text in paragraphs:
        if first[text] is not block:
            found.append((block, first[text], True))  # exact repeats come first
        elif text in near:
            found.append((block, first[near[text]], False))
    return found
