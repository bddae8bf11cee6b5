"""``evidence review``: an editor's verdict on claims, recorded in their claims.yaml files."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidence.atomic import atomic_write_text
from evidence.claims import history
from evidence.claims.ondisk import read_for_edit
from evidence.claims.pins import Change
from evidence.claims.review import STATUSES, edit_reviews
from evidence.errors import EvidenceError

if TYPE_CHECKING:
    from evidence.claims.loader import Claim
    from evidence.project import GuideData, Project


@dataclass(frozen=True)
class Pending:
    guide_id: str
    claim: Claim
    reason: str  # unreviewed | stale
    detail: str = ""
    changes: tuple[Change, ...] = ()  # for a stale verdict: what changed since


def pending_reviews(project: Project, guide_id: str | None = None) -> list[Pending]:
    """Claims awaiting review: stale verdicts first (what they verified changed
    since), then claims never reviewed, each in guide order."""
    guides = [project.guide(guide_id)] if guide_id else project.guides
    stale, unreviewed = [], []
    for guide in guides:
        for claim in guide.claims_in_order():
            review = claim.review
            if review.status == "unreviewed":
                unreviewed.append(Pending(guide.id, claim, "unreviewed"))
                continue
            changes = project.review_changes(guide, claim)
            if changes:
                stale.append(Pending(
                    guide.id, claim, "stale",
                    f"{review.status}" + (f" on {review.on}" if review.on else "")
                    + ", changed since", tuple(changes)))
    return stale + unreviewed


def default_editor(cwd: Path | str | None = None) -> str | None:
    """``EVIDENCE_EDITOR``, else git's user.name, else None."""
    name = os.environ.get("EVIDENCE_EDITOR", "").strip()
    if name:
        return name
    try:
        result = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True,
                                cwd=cwd, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None


def editor_origin() -> str:
    """Where :func:`default_editor` takes the name from, to show beside it."""
    return "$EVIDENCE_EDITOR" if os.environ.get("EVIDENCE_EDITOR", "").strip() \
        else "git's user.name"


@dataclass(frozen=True)
class Recorded:
    claim_id: str
    path: Path
    status: str
    by: str
    on: str
    pin: dict[str, Any]


def record_reviews(project: Project, claim_ids: list[str], *, status: str, by: str,
                   on: dt.date | None = None, note: str | None = None,
                   expected_sha256: str | None = None) -> list[Recorded]:
    """Record one verdict on each claim, in their claims.yaml files.

    Unknown claim ids, claims whose quote does not anchor and claims files
    that cannot be edited are refused before any file is touched: every edit
    is made and read back before the first write, and each file is written
    atomically. The
    previous review of a claim (by, on, note, pin) is replaced in claims.yaml
    and kept in the guide's history (claims/history.py), where the verdict is
    appended. ``expected_sha256``: the hash of the one claims.yaml the caller
    saw (the desk's page); a file changed since is refused (claims/ondisk.py).
    """
    if status not in STATUSES:
        raise EvidenceError(f"unknown review status {status!r}: use one of {', '.join(STATUSES)}")
    if not by or not by.strip():
        raise EvidenceError("who reviewed? give --by NAME, or set EVIDENCE_EDITOR or git's "
                            "user.name")
    on = on or history.today()
    ids = list(dict.fromkeys(claim_ids))
    if not ids:
        raise EvidenceError("name at least one claim id to review")
    homes: dict[str, GuideData] = {c.id: g for g in project.guides for c in g.claims}
    unknown = [i for i in ids if i not in homes]
    if unknown:
        lines = []
        for claim_id in unknown:
            close = difflib.get_close_matches(claim_id, list(homes), n=1)
            lines.append(f"{claim_id!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise EvidenceError("no claim " + ", ".join(lines) + " in " +
                            str(Path(project.root) / "claims") + "; nothing was changed")
    for claim_id in ids:
        guide = homes[claim_id]
        if claim_id not in guide.anchors:
            raise EvidenceError(
                f"{claim_id}: its quote does not anchor in {guide.guide.path} "
                "(run `evidence check`); fix the quote before reviewing it. "
                "Nothing was changed.")

    by_file: dict[Path, list[str]] = {}
    for claim_id in ids:
        by_file.setdefault(homes[claim_id].claims_file.path, []).append(claim_id)

    if expected_sha256 is not None and len(by_file) > 1:
        raise EvidenceError("a page's hash covers one claims.yaml: review its claims only")
    edits: list[tuple[Path, str]] = []
    logs: list[tuple[Path, str]] = []
    recorded: list[Recorded] = []
    pins = {claim_id: project.pin_values(homes[claim_id], claim).as_mapping()
            for claim_id in ids
            for claim in homes[claim_id].claims if claim.id == claim_id}
    at = history.now()
    for path, file_ids in by_file.items():
        text = read_for_edit(path, expected_sha256)
        new_text, _ = edit_reviews(text, path, file_ids, status=status, by=by.strip(),
                                   on=on, note=note, pins=pins)
        edits.append((path, new_text))
        old = {c.id: c.review for c in homes[file_ids[0]].claims}
        logs.append(history.prepare_append(path, [
            history.Change(claim_id, "review", by.strip(), at, _review_values(old[claim_id]),
                           {"status": status, "by": by.strip(), "on": on.isoformat(),
                            **({"note": note} if note else {})})
            for claim_id in file_ids]))
        for claim_id in file_ids:
            recorded.append(Recorded(claim_id, path, status, by.strip(), on.isoformat(),
                                     pins[claim_id]))
    for path, new_text in edits + logs:
        atomic_write_text(path, new_text)
    return recorded


def _review_values(review) -> dict[str, str]:
    """What a verdict was, for the history (the pin aside: claims.yaml's git log has it)."""
    return {k: v for k, v in (("status", review.status), ("by", review.by),
                              ("on", review.on), ("note", review.note)) if v}
