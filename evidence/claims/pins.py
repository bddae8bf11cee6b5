"""Pins: hashes of what an editor verified, so a later change shows.

A review pins the claim's quote and its evidence::

    review:
      status: verified
      pin:
        quote: 3f1c0e9a2b7d        # sha256 of the normalised quote, 12 hex digits
        evidence: 9a0b1c2d3e4f     # sha256 of the claim's links and consensus reason

When either changes afterwards, the pin no longer matches and ``evidence
check`` reports ``review-stale``.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

from evidence.guide.document import normalise_words

if TYPE_CHECKING:
    from evidence.claims.loader import Claim

PIN_LENGTH = 12


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:PIN_LENGTH]


def quote_hash(quote: str) -> str:
    """The quote's words (whitespace, Markdown markers and Unicode form aside)."""
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


def current_pin(claim: Claim) -> dict[str, str]:
    return {"quote": quote_hash(claim.quote), "evidence": evidence_hash(claim)}


def pin_changes(pin: dict[str, str], current: dict[str, str]) -> list[str]:
    """What changed since the pin was taken: 'quote', 'evidence'."""
    return [name for name in ("quote", "evidence")
            if name in pin and str(pin[name]) != current[name]]
