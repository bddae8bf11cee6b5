"""A sentence recorded as no claim (``not_claims:``), with its reason and in the history."""

from __future__ import annotations

from typing import TYPE_CHECKING

from evidence.atomic import atomic_write_text
from evidence.claims import history
from evidence.claims.notclaims import not_claim_in_text
from evidence.claims.ondisk import read_for_edit

if TYPE_CHECKING:
    from evidence.project import Project


def record_not_claim(project: Project, guide_id: str, quote: str, reason: str, *,
                     prefix: str | None = None, by: str | None = None,
                     expected_sha256: str | None = None) -> None:
    """Add the ``not_claims`` entry to the guide's claims.yaml; the history records it
    under no claim id (``claim: ""``), with its words."""
    path = project.guide(guide_id).claims_file.path
    new_text = not_claim_in_text(read_for_edit(path, expected_sha256), path, quote, reason,
                                 prefix)
    log = history.prepare_append(path, [history.Change(
        "", "not-claim", by, history.now(), {}, {"quote": quote.strip(),
                                                 "reason": reason.strip()})])
    atomic_write_text(path, new_text)
    atomic_write_text(*log)
