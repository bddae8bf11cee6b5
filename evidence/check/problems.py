"""Problems a lenient load found (unreadable files, unknown citekeys …) as error findings."""

from __future__ import annotations

import re
from pathlib import Path

from evidence.check.finding import Finding, relative
from evidence.errors import Problem
from evidence.project import Project

# (code, pattern on the problem's message), first match wins.
_PROBLEM_CODES: tuple[tuple[str, re.Pattern], ...] = tuple(
    (code, re.compile(pattern)) for code, pattern in (
        ("consensus-without-reason", r"^'consensus' is empty"),
        ("citekey-unknown", r"^unknown citekey"),
        ("quote-ambiguous", r"^the quote occurs \d+ times"),
        ("quote-not-found", (r"^(quote not found|the quote occurs in the guide, but not with"
                             r"|the quote is empty)")),
        ("claim-id-duplicate", r"^duplicate claim id"),
        ("citekey-duplicate", r"^duplicate citekey"),
        ("doi-duplicate", r"^DOI \S+ is also the DOI of"),
        ("doi-invalid", r"is not a DOI"),
        ("study-design-unknown", r"^unknown study design"),
        ("bibtex-invalid", (r"^(BibTeX could not be parsed|field given twice"
                            r"|unreadable item in the updates)")),
        ("guide-missing", r"^no guide\.md"),
    )
)


def problem_code(problem: Problem) -> str:
    for code, pattern in _PROBLEM_CODES:
        if pattern.search(problem.message):
            return code
    if problem.path and Path(problem.path).suffix == ".bib":
        return "bibtex-invalid"
    return "claims-invalid"


def problem_findings(project: Project) -> list[Finding]:
    """The problems a lenient load found, as error findings."""
    claim_guides = {c.id: g.id for g in project.guides for c in g.claims}
    guide_ids = {g.id for g in project.guides}
    findings = []
    for problem in project.problems:
        code = problem_code(problem)
        if code == "consensus-without-reason":
            continue  # reported from the claim itself, by claim_findings
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
