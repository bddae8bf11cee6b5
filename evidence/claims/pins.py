"""Pins: what an editor verified, recorded as values, so a later change shows.

A review pins the words it verified and what the claim rested on then::

    review:
      status: verified
      pin:
        version: 2
        quote: "Progressiv belastning er centralt."
        sentence: "Progressiv belastning er centralt."
        sources:
          - {key: smith2020, design: randomised-trial, tier: trial, retracted: false, doi: 10.1234/x}
        evidence: 9a0b1c2d3e4f     # sha256 of the claim's links and consensus reason

When any of it changes afterwards (the quote, the sentence around it, a link,
a source's study design, tier, retraction or DOI), the verdict lapses: the
claim is published as ``stale`` with what changed, never as verified.

The version names how the values were compared: pin version 2 is the
sentence rule and the typography rule of evidence.guide (SENTENCE_RULE 1,
TYPOGRAPHY_RULE 1). A rule changed later gets a new version; pins of the old
one are compared by the old one's means. Version 1 pins (hashes only, as
first written: ``quote``/``evidence`` of 12 hex digits) are still compared by
their hashes, and reported as such (they pin neither the sentence nor the
sources' designs): recording the review again pins the values.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from evidence.guide.document import comparable, normalise_words

if TYPE_CHECKING:
    from evidence.claims.loader import Claim

PIN_LENGTH = 12
PIN_VERSION = 2  # SENTENCE_RULE 1 and TYPOGRAPHY_RULE 1 of evidence.guide


@dataclass(frozen=True)
class PinnedSource:
    key: str
    design: str | None
    tier: str | None
    retracted: bool
    doi: str | None


@dataclass(frozen=True)
class PinValues:
    """What a verdict rests on now (or rested on when it was given)."""

    quote: str
    sentence: str | None  # None when the quote does not anchor (an orphan)
    evidence: str
    sources: tuple[PinnedSource, ...]
    quote_v1: str = ""  # version 1's hash of the quote, to compare old pins with

    def as_mapping(self) -> dict[str, Any]:
        """The pin as claims.yaml holds it (and as the loader reads it back)."""
        # evidence last: the comment lines that follow a review block attach
        # to its last value, which must be a plain one (not a flow mapping).
        return {
            "version": PIN_VERSION, "quote": self.quote, "sentence": self.sentence,
            "sources": [{"key": s.key, "design": s.design, "tier": s.tier,
                         "retracted": s.retracted, "doi": s.doi} for s in self.sources],
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class Change:
    """One thing that changed since a verdict: ``what`` (quote, sentence,
    evidence, or ``design of KEY`` …), the old and the new value as text."""

    what: str
    old: str | None = None
    new: str | None = None

    def describe(self) -> str:
        if self.what == "sentence":
            return f"the sentence changed: {word_diff(self.old or '', self.new or '')}"
        if self.what in ("quote", "evidence"):
            return f"its {self.what} changed"
        return f"the {self.what} changed from {self.old or 'none'} to {self.new or 'none'}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:PIN_LENGTH]


def quote_hash(quote: str) -> str:
    """Version 1's hash of the quote's words (whitespace, Markdown markers and
    Unicode form aside; typography not folded: that was version 1's rule)."""
    return _digest(normalise_words(quote))


def evidence_hash(claim: Claim) -> str:
    """What the claim rests on: its links (in any order) and its consensus reason."""
    links = sorted(
        [link.source, link.relation, bool(link.direct), " ".join((link.locator or "").split())]
        for link in claim.evidence
    )
    consensus = " ".join((claim.consensus or "").split()) or None
    return _digest(json.dumps({"links": links, "consensus": consensus}, ensure_ascii=False,
                              sort_keys=True))


# (design, tier, retracted, doi) of a citekey; None for one references.bib lacks.
SourceLookup = Callable[[str], "tuple[str | None, str | None, bool, str | None] | None"]


def current_values(claim: Claim, sentence: str | None, lookup: SourceLookup) -> PinValues:
    """The pin a review of the claim would record now."""
    sources = []
    for key in dict.fromkeys(link.source for link in claim.evidence):
        found = lookup(key)
        design, tier, retracted, doi = found if found is not None else (None, None, False, None)
        sources.append(PinnedSource(key, design, tier, bool(retracted), doi))
    return PinValues(comparable(claim.quote), sentence, evidence_hash(claim),
                     tuple(sorted(sources, key=lambda s: s.key)), quote_hash(claim.quote))


def pin_version(pin: Mapping[str, Any]) -> int:
    try:
        return int(pin.get("version", 1))
    except (TypeError, ValueError):
        return 0


def pin_changes(pin: Mapping[str, Any], current: PinValues) -> list[Change]:
    """What changed since the pin was taken; empty when it still holds."""
    version = pin_version(pin)
    if version == 1:
        changed = []
        if "quote" in pin and str(pin["quote"]) != current.quote_v1:
            changed.append(Change("quote"))
        if "evidence" in pin and str(pin["evidence"]) != current.evidence:
            changed.append(Change("evidence"))
        return changed
    if version != PIN_VERSION:
        return [Change("pin version", str(pin.get("version")), str(PIN_VERSION))]
    changes = []
    if comparable(str(pin.get("quote") or "")) != current.quote:
        changes.append(Change("quote", str(pin.get("quote")), current.quote))
    old_sentence = pin.get("sentence")
    if current.sentence is None:
        changes.append(Change("sentence", str(old_sentence or ""), "(no longer in the guide)"))
    elif old_sentence is None or comparable(str(old_sentence)) != current.sentence:
        changes.append(Change("sentence", str(old_sentence or ""), current.sentence))
    if str(pin.get("evidence")) != current.evidence:
        changes.append(Change("evidence"))
    old_sources = {str(s.get("key")): s for s in pin.get("sources") or []
                   if isinstance(s, Mapping)}
    for source in current.sources:
        old = old_sources.get(source.key)
        if old is None:
            continue  # a new link: the evidence hash says so
        for name, value in (("design", source.design), ("tier", source.tier),
                            ("retracted", source.retracted), ("doi", source.doi)):
            before = old.get(name)
            if _text(before) != _text(value):
                changes.append(Change(f"{name} of {source.key}", _text(before), _text(value)))
    return changes


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def word_diff(old: str, new: str) -> str:
    """The words that differ, as ``[-removed-]`` and ``{+added+}`` among the kept ones."""
    a, b = old.split(), new.split()
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out += a[i1:i2]
            continue
        if i2 > i1:
            out.append("[-" + " ".join(a[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(out)


def stale_reason(changes: list[Change], status: str, on: str | None) -> str:
    """Why a verdict lapsed, in a line: 'verified on 2025-01-02, since then …'."""
    when = f" on {on}" if on else ""
    return f"{status}{when}, since then " + "; ".join(c.describe() for c in changes)
