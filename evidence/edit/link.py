"""Linking a source already in references.bib to a claim, or giving its consensus reason.

Used by the editor's desk (and open to a CLI verb): the claim's claims.yaml is
edited round trip (evidence.claims.links) and the change appended to the
guide's history. A source is linked only by an editor's act, never by a
suggestion; a key references.bib does not have (or holds with an error) is
refused before anything is written.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict
from typing import TYPE_CHECKING

from evidence.atomic import atomic_write_text
from evidence.claims import history
from evidence.claims.links import consensus_in_text, link_in_text
from evidence.claims.loader import EvidenceLink
from evidence.claims.ondisk import read_for_edit
from evidence.errors import EvidenceError

if TYPE_CHECKING:
    from evidence.claims.loader import Claim
    from evidence.project import GuideData, Project


def _home(project: Project, claim_id: str) -> tuple[GuideData, Claim]:
    for guide in project.guides:
        if guide.stale_reason:
            continue
        for claim in guide.claims:
            if claim.id == claim_id:
                return guide, claim
    raise EvidenceError(f"no claim {claim_id!r} in {project.root / 'claims'}; nothing was "
                        "changed")


def link_source(project: Project, claim_id: str, link: EvidenceLink, *, by: str | None,
                expected_sha256: str | None = None) -> None:
    """Add ``link`` to the claim's evidence in its claims.yaml, and to the history."""
    usable = [s.key for s in project.references if s.key not in project.bad_sources]
    if link.source not in usable:
        close = difflib.get_close_matches(link.source, usable, n=1)
        raise EvidenceError(f"no source {link.source!r} in references.bib"
                            + (f" (did you mean {close[0]!r}?)" if close else "")
                            + "; add it first (`evidence add DOI`). Nothing was changed.")
    guide, claim = _home(project, claim_id)
    path = guide.claims_file.path
    new_text = link_in_text(read_for_edit(path, expected_sha256), path, claim_id, link)
    before = {"basis": project.grade(claim).basis,
              "sources": [e.source for e in claim.evidence]}
    after = {k: v for k, v in asdict(link).items() if v is not None and v != ""}
    log = history.prepare_append(path, [history.Change(claim_id, "link", by, history.now(),
                                                       before, after)])
    atomic_write_text(path, new_text)
    atomic_write_text(*log)


def give_consensus(project: Project, claim_id: str, reason: str, *, by: str | None,
                   expected_sha256: str | None = None) -> None:
    """Set the claim's consensus reason in its claims.yaml, and append it to the history."""
    guide, claim = _home(project, claim_id)
    path = guide.claims_file.path
    new_text = consensus_in_text(read_for_edit(path, expected_sha256), path, claim_id, reason)
    before = {"consensus": claim.consensus} if claim.consensus else {}
    log = history.prepare_append(path, [history.Change(
        claim_id, "consensus", by, history.now(), before, {"consensus": reason.strip()})])
    atomic_write_text(path, new_text)
    atomic_write_text(*log)
