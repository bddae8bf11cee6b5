"""``evidence reanchor``: where orphaned claims' words went, and moving them there.

For each orphaned claim (its quote no longer in its guide) the closest passage
is found (evidence.guide.match). It is applied with ``apply=True`` only when

- its similarity is at least :data:`evidence.guide.match.THRESHOLD`,
- no other passage scores about as well (a guess is not a match),
- the new words occur once in the guide (or once with the claim's prefix/suffix),
- and they overlap no other claim's words.

Otherwise the claim stays orphaned and the proposal says why. A moved claim's
verdict lapses: its pin holds the words the editor verified, not these (the
claim is published as ``stale`` until reviewed again).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from evidence.atomic import atomic_write_text
from evidence.claims import history
from evidence.claims.ondisk import read_for_edit
from evidence.claims.quotes import NewQuote, requote
from evidence.errors import EvidenceError
from evidence.guide.anchor import Anchor, AnchorFailure, GuideIndex
from evidence.guide.match import CLOSE, THRESHOLD, Match, best_match

if TYPE_CHECKING:
    from evidence.claims.loader import Claim
    from evidence.project import GuideData, Project


@dataclass(frozen=True)
class Proposal:
    guide_id: str
    claim: Claim
    match: Match | None
    why_not: str | None  # None: it can be applied
    drop_context: bool = False
    applied: bool = False

    @property
    def applicable(self) -> bool:
        return self.why_not is None and self.match is not None


def orphans(project: Project, targets: list[str]) -> list[tuple[GuideData, Claim]]:
    """The orphaned claims of the guides or claims named (all when none are)."""
    guides = {g.id: g for g in project.guides if not g.stale_reason}
    claims = {c.id: g for g in guides.values() for c in g.claims}
    unknown = [t for t in targets if t not in guides and t not in claims]
    if unknown:
        raise EvidenceError(f"no guide or claim {', '.join(map(repr, unknown))} "
                            f"(guides: {', '.join(sorted(guides)) or 'none'})")
    found = []
    for guide in guides.values():
        for claim in guide.claims_in_order():
            if claim.id in guide.anchors or claim.id in guide.left_out:
                continue
            if targets and guide.id not in targets and claim.id not in targets:
                continue
            found.append((guide, claim))
    return found


def propose(project: Project, targets: list[str] | None = None) -> list[Proposal]:
    """A proposal for each orphaned claim named (every orphan when none are)."""
    proposals = []
    indexes: dict[str, GuideIndex] = {}
    for guide, claim in orphans(project, targets or []):
        index = indexes.setdefault(guide.id, GuideIndex(guide.guide))
        proposals.append(_propose(index, guide, claim))
    return proposals


def _propose(index: GuideIndex, guide: GuideData, claim: Claim) -> Proposal:
    current = index.anchor(claim.quote, claim.prefix, claim.suffix)
    if isinstance(current, AnchorFailure) and current.code == "quote-ambiguous":
        return Proposal(guide.id, claim, None, "its words occur more than once: add a prefix "
                        "or suffix (the words just before or after) to pick one")
    kept = guide.kept.get(claim.id)
    match = best_match(index, claim.quote, claim.prefix, claim.suffix,
                       near=kept.start if kept else None)
    if match is None:
        return Proposal(guide.id, claim, None, "the guide has no text to match")
    if match.score < THRESHOLD:
        return Proposal(guide.id, claim, match, f"similarity {match.score:.0f} is below the "
                        f"threshold of {THRESHOLD:.0f}: retire it, or quote the words by hand")
    if match.runner_up >= THRESHOLD and match.score - match.runner_up < CLOSE:
        return Proposal(guide.id, claim, match, f"another passage matches about as well "
                        f"({match.runner_up:.0f}): choose by hand")
    for other in guide.claims:
        anchor = guide.anchors.get(other.id)
        if other.id != claim.id and anchor is not None and \
                anchor.start < match.end and match.start < anchor.end:
            return Proposal(guide.id, claim, match, f"the words overlap claim {other.id}")
    drop = False
    placed = index.anchor(match.words, claim.prefix, claim.suffix)
    if not _at(placed, match) and (claim.prefix or claim.suffix):
        placed, drop = index.anchor(match.words), True
    if not _at(placed, match):
        return Proposal(guide.id, claim, match, "the new words occur more than once in the "
                        "guide: add a prefix or suffix by hand")
    return Proposal(guide.id, claim, match, None, drop_context=drop)


def _at(placed: Anchor | AnchorFailure, match: Match) -> bool:
    return isinstance(placed, Anchor) and (placed.start, placed.end) == (match.start, match.end)


def apply_proposals(project: Project, proposals: list[Proposal], *, by: str | None = None,
                    expected_sha256: str | None = None) -> list[Proposal]:
    """Write the applicable proposals' quotes into their claims.yaml files (every file
    edited and read back before the first is written), each move appended to the
    guide's history (``by``: who moved them); the proposals, marked applied."""
    by_file: dict[Path, dict[str, NewQuote]] = {}
    old_quotes: dict[str, str] = {}
    homes = {g.id: g for g in project.guides}
    for proposal in proposals:
        if proposal.applicable and proposal.match is not None:
            path = homes[proposal.guide_id].claims_file.path
            by_file.setdefault(path, {})[proposal.claim.id] = NewQuote(
                proposal.match.words, proposal.drop_context)
            old_quotes[proposal.claim.id] = proposal.claim.quote
    if expected_sha256 is not None and len(by_file) > 1:
        raise EvidenceError("a page's hash covers one claims.yaml: re-anchor its claims only")
    at = history.now()
    edits = []
    for path, quotes in by_file.items():
        edits.append((path, requote(read_for_edit(path, expected_sha256), path, quotes)))
        edits.append(history.prepare_append(path, [
            history.Change(claim_id, "reanchor", by, at, {"quote": old_quotes[claim_id]},
                           {"quote": new.quote}) for claim_id, new in quotes.items()]))
    for path, text in edits:
        atomic_write_text(path, text)
    return [Proposal(p.guide_id, p.claim, p.match, p.why_not, p.drop_context, p.applicable)
            for p in proposals]


def side_by_side(old: str, new: str) -> tuple[str, str]:
    """The two quotes with the words that differ marked: ``[old]`` and ``{new}``."""
    a, b = old.split(), new.split()
    left: list[str] = []
    right: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            left += a[i1:i2]
            right += b[j1:j2]
            continue
        if i2 > i1:
            left.append("[" + " ".join(a[i1:i2]) + "]")
        if j2 > j1:
            right.append("{" + " ".join(b[j1:j2]) + "}")
    return " ".join(left), " ".join(right)
