"""Rules on a guide's printed reference list (Kilder), compared with references.bib."""

from __future__ import annotations

import re
from functools import cached_property

from evidence.bib import printed
from evidence.check.finding import Finding, relative
from evidence.guide.reference_list import reference_list
from evidence.project import GuideData, Project


def _normalised_title(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def printed_findings(project: Project, guide: GuideData,
                     index: ReferenceIndex | None = None) -> tuple[list[Finding], set[str]]:
    """Findings on the guide's printed reference list, and the citekeys it cites.

    The list is read by :mod:`evidence.bib.printed` (AMA/Vancouver citations,
    compared field by field with the records).
    """
    found = reference_list(guide.guide)
    if found is None:
        return [], set()
    section, first_line = found.text, found.first_line
    references = project.references
    index = index or ReferenceIndex(project)
    by_doi, titles = references.doi_index(), index.titles
    path = relative(project, guide.guide.path)
    findings: list[Finding] = []
    keys: set[str] = set()
    missing = set(printed.missing_printed_dois(section, references))
    reported: set[str] = set()
    for citation in printed.parse_printed_citations(section, first_line=first_line):
        if citation.doi in missing and citation.doi not in reported:
            reported.add(citation.doi)
            findings.append(_missing_doi(guide, citation.doi, path, citation.line))
        key = by_doi.key(citation.doi)
        if key is not None:
            keys.add(key)
        elif citation.title and _normalised_title(citation.title) in titles:
            keys.add(titles[_normalised_title(citation.title)])
    for diff in printed.compare_printed_citations(section, references, first_line=first_line):
        key = diff.citekey if diff.citekey in references else None
        if diff.field == "citation":
            findings.append(Finding(
                "printed-citation-unmatched",
                f"{diff.message}: write it as an AMA citation with its DOI, or add the work "
                "to references.bib",
                guide.id, None, key, path, diff.line, (guide.id,)))
            continue
        message = diff.message
        values = [v for v in (diff.printed, diff.registered) if v and str(v) not in message]
        if values:
            message += (f" (printed: {diff.printed or '(none)'}; "
                        f"registered: {diff.registered or '(none)'})")
        findings.append(Finding(
            "printed-citation-differs",
            f"{message}: correct the printed citation in the guide, or the record in "
            "references.bib if it is the one that is wrong",
            guide.id, None, key, path, diff.line, (guide.id,)))
    return findings, keys


class ReferenceIndex:
    """Lookups into references.bib, built once per check (a thousand guides share them)."""

    def __init__(self, project: Project):
        self.project = project

    @cached_property
    def titles(self) -> dict[str, str]:
        return {_normalised_title(title): s.key for s in self.project.references
                if (title := s.text("title"))}


def _missing_doi(guide: GuideData, doi: str, path: str | None, line: int | None) -> Finding:
    return Finding(
        "printed-doi-missing",
        f"the reference list prints DOI {doi}, which references.bib does not have: add it "
        f"with `evidence add {doi}` (or `evidence add --from-guide {guide.id}`)",
        guide.id, None, None, path, line, (guide.id,))
