"""``evidence retire``: claims taken out of their guide, kept as ``retired:`` entries."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from evidence.atomic import atomic_write_text
from evidence.claims import history
from evidence.claims.ondisk import read_for_edit
from evidence.claims.retire import retire_in_text
from evidence.errors import EvidenceError

if TYPE_CHECKING:
    from evidence.project import GuideData, Project


@dataclass(frozen=True)
class RetiredClaim:
    claim_id: str
    path: Path
    quote: str
    reason: str
    date: str


def retire_claims(project: Project, claim_ids: list[str], *, reason: str,
                  date: dt.date | None = None, by: str | None = None,
                  expected_sha256: str | None = None) -> list[RetiredClaim]:
    """Move the claims to the ``retired:`` list of their claims.yaml files, each
    retirement appended to the guide's history (``by``: who retired them).

    Unknown ids and files that cannot be edited are refused before any file
    is touched; each file is written atomically, once.
    """
    if not reason or not reason.strip():
        raise EvidenceError("give the reason the claims are retired: --reason TEXT")
    ids = list(dict.fromkeys(claim_ids))
    if not ids:
        raise EvidenceError("name at least one claim id to retire")
    date = date or history.today()
    homes: dict[str, GuideData] = {c.id: g for g in project.guides for c in g.claims
                                   if not g.stale_reason}
    unknown = [i for i in ids if i not in homes]
    if unknown:
        retired = {r.id for g in project.guides for r in g.claims_file.retired}
        lines = []
        for claim_id in unknown:
            if claim_id in retired:
                lines.append(f"{claim_id!r} (already retired)")
                continue
            close = difflib.get_close_matches(claim_id, list(homes), n=1)
            lines.append(f"{claim_id!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise EvidenceError("no claim " + ", ".join(lines) + " to retire in "
                            + str(Path(project.root) / "claims") + "; nothing was changed")
    by_file: dict[Path, list[str]] = {}
    for claim_id in ids:
        by_file.setdefault(homes[claim_id].claims_file.path, []).append(claim_id)
    if expected_sha256 is not None and len(by_file) > 1:
        raise EvidenceError("a page's hash covers one claims.yaml: retire its claims only")
    edits = []
    done = []
    at = history.now()
    for path, file_ids in by_file.items():
        text = read_for_edit(path, expected_sha256)
        edits.append((path, retire_in_text(text, path, file_ids, reason=reason.strip(),
                                           date=date)))
        claims = {c.id: c for c in homes[file_ids[0]].claims}
        edits.append(history.prepare_append(path, [
            history.Change(i, "retire", by, at,
                           {"quote": claims[i].quote, "status": claims[i].review.status},
                           {"retired": reason.strip()}) for i in file_ids]))
        done += [RetiredClaim(i, path, claims[i].quote, reason.strip(), date.isoformat())
                 for i in file_ids]
    for path, new_text in edits:
        atomic_write_text(path, new_text)
    return done
