"""Problems a lenient load found (unreadable files, unknown citekeys …) as error findings."""

from __future__ import annotations

from pathlib import Path

from evidence.check.finding import Finding, relative
from evidence.project import Project


def problem_findings(project: Project) -> list[Finding]:
    """The problems a lenient load found, as error findings."""
    claim_guides = {c.id: g.id for g in project.guides for c in g.claims}
    guide_ids = {g.id for g in project.guides}
    findings = []
    for problem in project.problems:
        code = problem.code  # set where the problem was made
        item = problem.item
        path = Path(problem.path) if problem.path else None
        guide_id = None
        if path is not None and path.parent.parent.name == "claims":
            guide_id = path.parent.name
        elif path is not None and path.parent.name == "claims":
            guide_id = path.name
        claim_id = item if item in claim_guides else None
        source_id = item if item in project.references and code not in (
            "citekey-unknown",) else None
        if code in ("citekey-duplicate",):
            source_id = None  # the duplicate block is not a loaded source
        message = problem.message + (f" ({problem.hint})" if problem.hint else "")
        if item and claim_id is None and source_id is None:
            message = f"{item}: {message}"
        findings.append(Finding(
            code, message, guide_id if guide_id in guide_ids else None, claim_id, source_id,
            relative(project, problem.path), problem.line,
            (guide_id,) if guide_id else (),
        ))
    return findings
