"""Every row of evidence.db, computed from the validated project before anything is written."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from evidence import SCHEMA_VERSION, __version__
from evidence.project import Project

if TYPE_CHECKING:
    from evidence.bib.references import Source


def display_authors(source: Source) -> str | None:
    """Vancouver-style names ('Sederberg M, Cushman DM') for tables and search."""
    names = []
    for author in source.authors:
        if author.given:
            initials = "".join(p[0] for p in re.split(r"[\s.\-]+", author.given) if p)
            names.append(f"{author.family} {initials}")
        else:
            names.append(author.family)
    return ", ".join(names) or None


@dataclass
class Rows:
    """Every row of the database, computed before anything is written."""

    build_info: list[dict]
    tiers: list[dict]
    designs: list[dict]
    bases: list[dict]
    guides: list[dict]
    sections: list[dict]
    sources: list[dict]
    authors: list[dict]
    updates: list[dict]
    claims: list[dict]
    links: list[dict]
    findings: list[dict]

    def tables(self):
        from evidence.database import schema as m

        return [
            (m.BuildInfo, self.build_info), (m.Tier, self.tiers), (m.StudyDesign, self.designs),
            (m.BasisRow, self.bases), (m.Guide, self.guides), (m.Section, self.sections),
            (m.Source, self.sources), (m.SourceAuthor, self.authors),
            (m.SourceUpdate, self.updates), (m.Claim, self.claims),
            (m.ClaimSource, self.links), (m.Finding, self.findings),
        ]

    @classmethod
    def from_project(cls, project: Project, digest: str, *, findings: bool = True) -> Rows:
        from evidence.scale import BASES, STUDY_DESIGNS, TIERS

        built_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        rows = cls(
            build_info=[{"input_sha256": digest, "built_at": built_at,
                         "evidence_version": __version__, "schema_version": SCHEMA_VERSION}],
            tiers=[asdict(t) for t in TIERS],
            designs=[asdict(d) for d in STUDY_DESIGNS],
            bases=[asdict(b) for b in BASES],
            guides=[], sections=[], sources=[], authors=[], updates=[], claims=[], links=[],
            findings=[],
        )
        cited: dict[str, int] = {}
        for guide in project.guides:
            rows._add_guide(project, guide, built_at, cited)
        for source in project.references:
            rows._add_source(source, cited.get(source.key, 0))
        if findings:
            rows.findings = collect_findings(project)
        return rows

    def _add_guide(self, project: Project, guide, built_at: str, cited: dict[str, int]):
        root = project.root
        claims = guide.claims_in_order()
        per_section: dict[str, int] = {}
        for position, claim in enumerate(claims, start=1):
            anchor = guide.anchors[claim.id]
            grade = project.grade(claim)
            per_section[anchor.section.id] = per_section.get(anchor.section.id, 0) + 1
            supporting = 0
            for number, link in enumerate(claim.evidence, start=1):
                if link.relation == "supports" and not project.source_facts(link.source)[1]:
                    supporting += 1
                cited[link.source] = cited.get(link.source, 0) + 1
                self.links.append({
                    "claim_id": claim.id, "source_id": link.source, "relation": link.relation,
                    "direct": link.direct, "locator": link.locator, "note": link.note,
                    "position": number,
                })
            self.claims.append({
                "id": claim.id, "guide_id": guide.id, "section_id": anchor.section.id,
                "position": position, "quote": claim.quote, "prefix": claim.prefix,
                "suffix": claim.suffix, "start": anchor.start, "end": anchor.end,
                "type": claim.type, "basis": grade.basis, "indirect": grade.indirect,
                "contested": grade.contested, "consensus": claim.consensus,
                "status": claim.review.status, "reviewed_by": claim.review.by,
                "reviewed_on": claim.review.on, "review_note": claim.review.note,
                "line": anchor.line, "claims_line": claim.line,
                "supporting_sources": supporting, "note": claim.note,
            })
        for section in guide.guide.sections:
            self.sections.append({
                "id": section.id, "guide_id": guide.id, "position": section.position,
                "heading": section.heading, "level": section.level, "line": section.line,
                "start": section.start, "end": section.end,
                "claim_count": per_section.get(section.id, 0),
            })
        claims_path = guide.claims_file.path
        self.guides.append({
            "id": guide.id, "title": guide.title, "language": guide.language,
            "path": _relative(guide.guide.path, root), "sha256": guide.guide.sha256,
            "built_at": built_at,
            "claims_path": _relative(claims_path, root) if claims_path.exists() else None,
            "claims_sha256": _sha256_file(claims_path),
            "style": guide.claims_file.meta.style,
            "claim_count": len(claims), "text": guide.guide.text,
        })

    def _add_source(self, source: Source, claim_count: int):
        self.sources.append({
            "id": source.key, "doi": source.doi, "entry_type": source.entry_type,
            "title": source.text("title"), "container_title": source.container_title,
            "year": source.year, "volume": source.text("volume"),
            "issue": source.text("number") or source.text("issue"),
            "pages": source.text("pages"), "authors": display_authors(source),
            "study_design": source.study_design, "tier": source.tier,
            "metadata_source": source.metadata_source, "retracted": source.retracted,
            "line": source.line, "bibtex": source.entry.raw, "claim_count": claim_count,
        })
        for position, author in enumerate(source.authors, start=1):
            self.authors.append({"source_id": source.key, "position": position,
                                 "family": author.family, "given": author.given,
                                 "orcid": author.orcid})
        for update in source.updates:
            self.updates.append({"source_id": source.key, "update_type": update.update_type,
                                 "notice_doi": update.notice_doi, "updated": update.updated,
                                 "label": update.label, "origin": update.origin})


def collect_findings(project: Project) -> list[dict]:
    """Findings of the editorial check, as rows; the check module owns their logic."""
    from evidence.check.run import run_checks

    return [finding.as_row() for finding in run_checks(project)]


def _relative(path: Path, root: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path(root).resolve()))
    except ValueError:
        return str(path)


def _sha256_file(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
