"""Running the check: every rule over the project, then filtering and the exit status."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from pathlib import Path

from evidence.check.claims import claim_findings
from evidence.check.codes import SEVERITY_RANK
from evidence.check.finding import Finding
from evidence.check.printed import ReferenceIndex, printed_findings
from evidence.check.problems import problem_findings
from evidence.check.sources import ClaimLink, source_findings
from evidence.check.text import RepeatMemo, guide_text_findings
from evidence.project import Project


def run_checks(project: Project, repeats: RepeatMemo | None = None) -> list[Finding]:
    """Every finding of the project, sorted by severity, guide and place.
    ``repeats``: the near-repeat results kept between builds (check.text.RepeatMemo)."""
    findings: list[Finding] = []
    printed_in: dict[str, set[str]] = defaultdict(set)  # citekey -> guides printing it
    linked: dict[str, list[ClaimLink]] = defaultdict(list)
    cited_in: dict[str, set[str]] = defaultdict(set)  # citekey -> guides linking or printing it
    index = ReferenceIndex(project)
    known = project.references.keys()
    for guide in project.guides:
        for claim in guide.claims:
            for key in dict.fromkeys(link.source for link in claim.evidence):
                cited_in[key].add(guide.id)
                if key in known:
                    linked[key].append(ClaimLink(guide.id, claim.id))
        findings += claim_findings(project, guide)
        findings += guide_text_findings(project, guide, repeats)
        found, keys = printed_findings(project, guide, index)
        findings += found
        for key in keys:
            printed_in[key].add(guide.id)
    findings += source_findings(project, linked, printed_in)
    for key, guides in printed_in.items():
        cited_in[key] |= guides
    findings = problem_findings(project, cited_in) + findings
    return sorted(dict.fromkeys(findings), key=Finding.sort_key)


def check_project(root: Path | str = ".") -> tuple[Project, list[Finding]]:
    """Load the project leniently (problems become findings) and check it."""
    from evidence.project import load_project

    project = load_project(root, strict=False)
    return project, run_checks(project)


def filter_findings(findings: list[Finding], *, guides: Collection[str] = (),
                    codes: Collection[str] = (),
                    severity: str | None = None) -> list[Finding]:
    """Keep findings of these guides and codes, at ``severity`` or above."""
    kept = []
    for f in findings:
        if guides and not any(f.concerns_guide(g) for g in guides):
            continue
        if codes and f.code not in codes:
            continue
        if severity and SEVERITY_RANK[f.severity] > SEVERITY_RANK[severity]:
            continue
        kept.append(f)
    return kept


def exit_status(findings: list[Finding], strict: bool = False) -> int:
    if any(f.severity == "error" for f in findings):
        return 1
    if strict and any(f.severity == "warning" for f in findings):
        return 1
    return 0
