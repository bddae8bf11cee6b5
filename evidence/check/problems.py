"""Problems a lenient load found (unreadable files, unknown citekeys …) as error findings."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path

from evidence.check.finding import Finding, relative
from evidence.project import Project


def problem_findings(project: Project,
                     cited_in: Mapping[str, Collection[str]] | None = None,
                     claim_guides: Mapping[str, str] | None = None) -> list[Finding]:
    """The problems a lenient load found, as error findings.

    A problem of a source concerns every guide that links or prints it
    (``cited_in``: citekey -> guide ids), so ``check --guide`` shows it; a
    problem of references.bib that names no entry concerns every guide.
    ``claim_guides``: every claim id of the project (default: those of the
    project's guides), for a project loaded with only some guides."""
    cited_in = cited_in or {}
    every_guide = tuple(g.id for g in project.guides)
    if claim_guides is None:
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
        if guide_id:
            concerns: tuple[str, ...] = (guide_id,)
        elif item and item in cited_in:
            concerns = tuple(sorted(cited_in[item]))
        elif path is not None and path.name == "references.bib" and not item:
            concerns = every_guide
        else:
            concerns = ()
        findings.append(Finding(
            code, message, guide_id if guide_id in guide_ids else None, claim_id, source_id,
            relative(project, problem.path), problem.line, concerns,
        ))
    return findings
