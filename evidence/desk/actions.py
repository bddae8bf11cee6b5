"""What the desk's forms do: the CLI verbs' own functions, under the build lock, then a rebuild.

Each action loads the project, calls the verb's library function (evidence.edit:
review, link, reanchor, retire) with the hash of the claims.yaml the page was
rendered from (a file changed since is refused: claims/ondisk.py), and
appends to the guide's history through it. The edit holds the build lock
(database/lock.py), so no build reads the files half-way through it; the
incremental build runs after, and the server follows the new database
(host/follow.py) from the next request on.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

from evidence.claims.loader import EvidenceLink
from evidence.claims.ondisk import ChangedOnDisk
from evidence.database.build import build
from evidence.database.lock import build_lock
from evidence.edit.link import give_consensus, link_source
from evidence.edit.notclaim import record_not_claim
from evidence.edit.reanchor import apply_proposals, propose
from evidence.edit.retire import retire_claims
from evidence.edit.review import record_reviews
from evidence.errors import EvidenceError
from evidence.importing.draft import draft_sentence, pending_stubs
from evidence.project import Project, load_project


@dataclass(frozen=True)
class Outcome:
    message: str
    problems: int  # what the rebuild still reports (the check says what to do)
    build_error: str | None = None  # the edit is made, but the rebuild failed

    def said(self) -> str:
        if self.build_error:
            return (f"{self.message} The files are changed, but the rebuild failed "
                    f"({self.build_error}): the pages show the last good database until "
                    "`evidence build` succeeds.")
        if self.problems:
            return f"{self.message} The rebuild reports {self.problems} problem(s): see the findings."
        return self.message


def run(project_root, database, edit: Callable[[Project], str]) -> Outcome:
    """Make one edit under the build lock (an error there: nothing was written), then
    rebuild (an error there is reported with the edit, which stays made)."""
    try:
        with build_lock(database):
            message = edit(load_project(project_root, strict=False))
    except ChangedOnDisk:
        # The page came from a database older than the file: rebuild it, so the
        # reload the refusal asks for shows the file as it is (else every reload
        # would bring back the old hash). A file that does not build keeps the
        # last good database; the refusal stands either way.
        with contextlib.suppress(EvidenceError):
            build(project_root, database)
        raise
    try:
        result = build(project_root, database)
    except EvidenceError as exc:
        return Outcome(message, 0, str(exc))
    return Outcome(message, len(result.problems))


def verdict(claim_id: str, status: str, note: str | None, by: str,
            expected: str) -> Callable[[Project], str]:
    def edit(project: Project) -> str:
        record_reviews(project, [claim_id], status=status, by=by, note=note or None,
                       expected_sha256=expected)
        return f"{claim_id}: recorded as {status} by {by}."
    return edit


def link(claim_id: str, new: EvidenceLink, by: str, expected: str) -> Callable[[Project], str]:
    def edit(project: Project) -> str:
        link_source(project, claim_id, new, by=by, expected_sha256=expected)
        return f"{claim_id}: {new.source} linked ({new.relation})."
    return edit


def consensus(claim_id: str, reason: str, by: str, expected: str) -> Callable[[Project], str]:
    def edit(project: Project) -> str:
        give_consensus(project, claim_id, reason, by=by, expected_sha256=expected)
        return f"{claim_id}: consensus reason recorded."
    return edit


def reanchor(claim_id: str, by: str, expected: str, words: str) -> Callable[[Project], str]:
    """Accept the new words the page showed (``words``), and only those: the page's
    hash is of claims.yaml, and guide.md may have changed since."""
    def edit(project: Project) -> str:
        proposals = propose(project, [claim_id])
        if not proposals:
            raise EvidenceError(f"{claim_id} is not orphaned: nothing to re-anchor")
        proposal = proposals[0]
        if not proposal.applicable:
            raise EvidenceError(f"{claim_id} stays orphaned: {proposal.why_not}")
        # Whitespace aside: a form sends its line breaks as CRLF.
        if proposal.match is None or proposal.match.words.split() != words.split():
            raise ChangedOnDisk(
                f"{claim_id}: the guide's words changed since this page proposed them; "
                "nothing was changed: reload the page to see what is proposed now")
        apply_proposals(project, [proposal], by=by, expected_sha256=expected)
        return f"{claim_id}: moved to its new words; its verdict lapses until reviewed again."
    return edit


def retire(claim_id: str, reason: str, by: str, expected: str) -> Callable[[Project], str]:
    """Retire an orphan (the desk offers nothing else: a claim whose words are still
    in the guide is reviewed, not retired; ``evidence retire`` can do either)."""
    def edit(project: Project) -> str:
        if not propose(project, [claim_id]):
            raise EvidenceError(f"{claim_id} is anchored in its guide: the desk retires only "
                                "orphaned claims (`evidence retire` retires any)")
        retire_claims(project, [claim_id], reason=reason, by=by, expected_sha256=expected)
        return f"{claim_id}: retired. Reason: {reason.strip()}"
    return edit


def stub(guide_id: str, quote: str, by: str, expected: str) -> Callable[[Project], str]:
    def edit(project: Project) -> str:
        made = draft_sentence(project, guide_id, quote, by=by, expected_sha256=expected)
        return f"{made.id}: a claim stub for this sentence, unreviewed and unsupported."
    return edit


def not_claim(guide_id: str, quote: str, reason: str, by: str,
              expected: str) -> Callable[[Project], str]:
    def edit(project: Project) -> str:
        stubs = pending_stubs(project, guide_id)
        prefix = next((s.prefix for s in stubs if s.quote == quote), None)
        if not any(s.quote == quote for s in stubs):
            raise ChangedOnDisk(
                f"{quote[:80]!r} is not one of the sentences of {guide_id} that no claim "
                "covers (the guide may have changed since this page was shown); nothing was "
                "changed: reload the page")
        record_not_claim(project, guide_id, quote, reason, prefix=prefix, by=by,
                         expected_sha256=expected)
        return f"Recorded as no claim: {quote[:60]}"
    return edit


def uncovered(project_root, guide_id: str) -> tuple[list[dict], str | None]:
    """The sentences of a guide that would get a stub now, or why none can be listed."""
    try:
        stubs = pending_stubs(load_project(project_root, strict=False), guide_id)
    except EvidenceError as exc:
        return [], str(exc)
    return [{"quote": s.quote, "type": s.type, "section": s.section, "line": s.line}
            for s in stubs], None
