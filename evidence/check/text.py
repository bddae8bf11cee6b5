"""Rules on the guide's text: empty headings, dangling lead-ins, repeated paragraphs."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

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


def guide_text_findings(project: Project, guide: GuideData,
                        repeats: RepeatMemo | None = None) -> list[Finding]:
    """The guide's text findings; ``repeats``: the near-repeat join's results
    kept between builds, read and added to (RepeatMemo)."""
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
    for block, first, exact in repeated_paragraphs(guide.guide, repeats, guide.id):
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


@dataclass(frozen=True)
class GuideRepeats:
    """What the near-repeat join found in one guide: each distinct paragraph
    form's digest, in guide order, and the index of the first earlier form it
    nearly repeats (None when none)."""

    digests: tuple[str, ...]
    first: tuple[int | None, ...]

    def known_for(self, digests: Sequence[str]) -> tuple[int | None, ...]:
        """The results that still hold for these forms: those of the forms
        before the first one that differs (each depends on it and the forms
        before it alone)."""
        same = 0
        for old, new in zip(self.digests, digests, strict=False):
            if old != new:
                break
            same += 1
        return self.first[:same]


# The rule a memo's results were found by: results found by another are not reused.
REPEAT_RULE = (REPEAT_MIN_WORDS, REPEAT_SHARE, REPEAT_RATIO)


@dataclass
class RepeatMemo:
    """The near-repeat join's results per guide id, kept from one build to the
    next (the build state beside the database: database/incremental.py). After an
    edit a guide is joined again from its first changed paragraph on: an edit
    near the end of a long guide compares that paragraph, not all of them.
    ``previous``: the last build's; ``found``: this build's, for every guide the
    check read."""

    previous: dict[str, GuideRepeats] = field(default_factory=dict)
    found: dict[str, GuideRepeats] = field(default_factory=dict)

    @staticmethod
    def state_of(guides: Mapping[str, GuideRepeats]) -> dict:
        """Guides' results as the build state keeps them (JSON), with the rule."""
        entries = {}
        for guide_id, repeats in sorted(guides.items()):
            forms, first = "".join(repeats.digests), list(repeats.first)
            entries[guide_id] = {"forms": forms, "first": first,
                                 "seal": _seal(guide_id, forms, first)}
        return {"rule": list(REPEAT_RULE), "guides": entries}

    @classmethod
    def from_state(cls, state: object) -> RepeatMemo:
        """The memo a build state holds; an empty one for anything else (an older
        state, another rule). A guide's entry is used only when its seal (a
        digest of the guide id, its forms and results) matches: an entry edited
        by hand or damaged is dropped, and that guide is joined in full. (The
        seal is a checksum, not a signature: whoever can write the state can
        write the database beside it as well.)"""
        memo = cls()
        if not isinstance(state, dict) or state.get("rule") != list(REPEAT_RULE):
            return memo
        guides = state.get("guides")
        for guide_id, entry in (guides.items() if isinstance(guides, dict) else ()):
            forms = entry.get("forms") if isinstance(entry, dict) else None
            first = entry.get("first") if isinstance(entry, dict) else None
            if (not isinstance(forms, str) or not isinstance(first, list)
                    or len(forms) != _DIGEST_CHARS * len(first)
                    or not all(i is None or (type(i) is int and 0 <= i < n)
                               for n, i in enumerate(first))
                    or entry.get("seal") != _seal(guide_id, forms, first)):
                continue
            digests = tuple(forms[i:i + _DIGEST_CHARS] for i in range(0, len(forms), _DIGEST_CHARS))
            memo.previous[guide_id] = GuideRepeats(digests, tuple(first))
        return memo


_DIGEST_CHARS = 16


def _seal(guide_id: str, forms: str, first: list[int | None]) -> str:
    """A guide's memo entry, digested with the rule that found it."""
    text = "\0".join((repr(REPEAT_RULE), guide_id, forms,
                      ",".join("-" if i is None else str(i) for i in first)))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16,
                           person=b"evidence-repeats").hexdigest()


def _form_digest(form: str) -> str:
    return hashlib.blake2b(form.encode("utf-8"), digest_size=_DIGEST_CHARS // 2).hexdigest()


def repeated_paragraphs(guide: Guide, memo: RepeatMemo | None = None,
                        guide_id: str | None = None) -> list[tuple[Block, Block, bool]]:
    """(paragraph, the earlier one it repeats, exact) for every repeated paragraph.

    Paragraphs of at least ``REPEAT_MIN_WORDS`` words are compared in their
    comparable form. An exact repeat names the first paragraph of that form.
    Any other paragraph names the first earlier one it nearly repeats: the two
    share at least ``REPEAT_SHARE`` of the distinct words of whichever has
    more, and are at least ``REPEAT_RATIO`` similar by rapidfuzz's normalised
    Indel similarity. :mod:`evidence.check.repeats` finds those without
    comparing every pair. With a ``memo``, the guide ``guide_id``'s forms before
    its first changed one keep the results the memo has, and the memo is given
    this guide's.
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
    if memo is None or guide_id is None:
        earlier = first_near_repeats(forms, ratio=REPEAT_RATIO, share=REPEAT_SHARE)
    else:
        digests = tuple(map(_form_digest, forms))
        before = memo.previous.get(guide_id)
        known = before.known_for(digests) if before is not None else ()
        earlier = first_near_repeats(forms, ratio=REPEAT_RATIO, share=REPEAT_SHARE, known=known)
        memo.found[guide_id] = GuideRepeats(digests, tuple(earlier))
    near = {form: forms[i] for form, i in zip(forms, earlier, strict=True) if i is not None}

    found = []
    for block, text in paragraphs:
        if first[text] is not block:
            found.append((block, first[text], True))  # exact repeats come first
        elif text in near:
            found.append((block, first[near[text]], False))
    return found
