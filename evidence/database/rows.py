"""Every row of evidence.db, computed from the validated project before anything is written."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from evidence import SCHEMA_VERSION, __version__
from evidence.bib.csl import source_to_csl
from evidence.bib.initials import initials
from evidence.bib.pubtypes import FIELD as PUBTYPES_FIELD
from evidence.bib.pubtypes import parse_pubtypes
from evidence.bibliography.numbering import PrintedLookup, guide_bibliography
from evidence.claims.history import HISTORY_FILE
from evidence.guide.reference_list import reference_section
from evidence.project import GuideData, Project, safe_to_read
from evidence.scale import counts_as_support

if TYPE_CHECKING:
    from evidence.bib.references import Author, Source, Update
    from evidence.check.finding import Finding
    from evidence.check.text import RepeatMemo


def display_authors(source: Source) -> str | None:
    """Vancouver-style names ('Sederberg M, Cushman DM') for tables and search."""
    return _display_names(source.authors)


def _display_names(authors: list[Author]) -> str | None:
    return ", ".join([f"{author.family} {initials(author.given)}".strip()
                      for author in authors]) or None


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
    # What the publication's pages would otherwise compute by parsing the
    # project's files at request time (it reads only the database).
    source_csl: list[dict] = field(default_factory=list)
    guide_references: list[dict] = field(default_factory=list)
    blocks: list[dict] = field(default_factory=list)
    retired: list[dict] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)
    # references.bib indexed for printed reference lists, once per build.
    _printed_lookup: PrintedLookup | None = field(default=None, repr=False, compare=False)
    # The retired claim ids written so far (the first retirement of an id is kept).
    _retired_ids: set[str] = field(default_factory=set, repr=False, compare=False)

    def tables(self) -> list[tuple[str, list[dict]]]:
        """(table name, rows) of every table, in an order foreign keys allow."""
        return [
            ("_evidence_build", self.build_info), ("tiers", self.tiers),
            ("study_designs", self.designs), ("bases", self.bases), ("guides", self.guides),
            ("sections", self.sections), ("blocks", self.blocks), ("sources", self.sources),
            ("source_csl", self.source_csl), ("source_authors", self.authors),
            ("source_updates", self.updates), ("guide_references", self.guide_references),
            ("claims", self.claims), ("claim_sources", self.links),
            ("retired_claims", self.retired), ("claim_history", self.history),
            ("findings", self.findings),
        ]

    def add_keys_to(self, keys: RowKeys) -> None:
        """Add this batch's keys to ``keys``."""
        keys.guides.update(g["id"] for g in self.guides)
        keys.claims.update((c["id"], c["guide_id"]) for c in self.claims)
        keys.sources.update(s["id"] for s in self.sources)

    def release(self) -> None:
        """Let the rows go once written (at 100,000 claims, hundreds of MB of
        dicts that the check, run after them, would otherwise keep company)."""
        for _, values in self.tables():
            values.clear()

    @classmethod
    def batches(cls, project: Project, digest: str, *,
                problems: Sequence[str] = ()) -> Iterator[Rows]:
        """Every row of the project but the findings, in batches to be written
        and let go one after the other: the fixed tables, each guide's rows,
        then the sources'. A build of 100,000 claims never holds all of their
        rows at once (hundreds of MB of dicts); the rows, their order and
        their rowids are those of one batch of everything. The batches are one
        Rows, emptied when the next is asked for."""
        from evidence.scale import BASES, STUDY_DESIGNS, TIERS

        built_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        rows = cls(
            build_info=[{"input_sha256": digest, "built_at": built_at,
                         "evidence_version": __version__, "schema_version": SCHEMA_VERSION,
                         "errors": len(problems),
                         "problems": json.dumps(list(problems), ensure_ascii=False)
                         if problems else None}],
            tiers=[asdict(t) for t in TIERS],
            designs=[asdict(d) for d in STUDY_DESIGNS],
            bases=[asdict(b) for b in BASES],
            guides=[], sections=[], sources=[], authors=[], updates=[], claims=[], links=[],
            findings=[],
        )
        yield rows
        cited: dict[str, int] = {}
        for guide in project.guides:
            rows.release()  # what stays: the printed lookup, the retired ids
            rows._add_guide(project, guide, built_at, cited)
            yield rows
        rows.release()
        for source in project.references:
            if source.key not in project.bad_sources:
                rows._add_source(source, cited.get(source.key, 0))
        yield rows

    @classmethod
    def for_guides(cls, project: Project, guides: list[GuideData], built_at: str) -> Rows:
        """The guides', sections', claims' and links' rows of some guides only
        (what an incremental rebuild writes again)."""
        rows = cls([], [], [], [], [], [], [], [], [], [], [], [])
        for guide in guides:
            rows._add_guide(project, guide, built_at, {})
        return rows

    def _add_guide(self, project: Project, guide: GuideData, built_at: str,
                   cited: dict[str, int]) -> None:
        root = project.root
        claims = guide.built_claims()
        per_section: dict[str, int] = {}
        for position, claim in enumerate(claims, start=1):
            place = _placement(guide, claim.id)
            grade = project.grade(claim)
            if place.section_id is not None:
                per_section[place.section_id] = per_section.get(place.section_id, 0) + 1
            supporting = 0
            number = 0
            for link in claim.evidence:
                facts = project.source_facts(link.source)
                if facts is None:
                    continue  # an unknown (or left-out) source: reported, supports nothing
                number += 1
                counts = counts_as_support(link.relation, facts[1])
                supporting += counts
                cited[link.source] = cited.get(link.source, 0) + 1
                self.links.append({
                    "claim_id": claim.id, "source_id": link.source, "relation": link.relation,
                    "direct": link.direct, "locator": link.locator, "note": link.note,
                    "position": number, "counts": counts,
                })
            status, lapsed = project.published_status(guide, claim)
            self.claims.append({
                "id": claim.id, "guide_id": guide.id, "section_id": place.section_id,
                "position": position, "quote": claim.quote, "prefix": claim.prefix,
                "suffix": claim.suffix, "start": place.start, "end": place.end,
                "anchor": place.anchor,
                "type": claim.type, "basis": grade.basis, "indirect": grade.indirect,
                "contested": grade.contested, "consensus": claim.consensus,
                "status": status, "reviewed_by": claim.review.by,
                "reviewed_on": claim.review.on, "review_note": claim.review.note,
                "stale_reason": lapsed,
                "line": place.line, "claims_line": claim.line,
                "supporting_sources": supporting, "note": claim.note,
            })
        for section in guide.guide.sections:
            self.sections.append({
                "id": section.id, "guide_id": guide.id, "position": section.position,
                "heading": section.heading, "level": section.level, "line": section.line,
                "start": section.start, "end": section.end,
                "claim_count": per_section.get(section.id, 0),
            })
        self._add_guide_text(project, guide)
        known = self._retired_ids
        for retired in guide.claims_file.retired:
            if retired.id not in known:  # a second retirement of one id is reported
                known.add(retired.id)
                self.retired.append({"id": retired.id, "guide_id": guide.id,
                                     "quote": retired.quote, "reason": retired.reason,
                                     "date": retired.date, "line": retired.line})
        for position, change in enumerate(guide.history, start=1):
            self.history.append({
                "guide_id": guide.id, "position": position, "claim_id": change.claim,
                "action": change.action, "by": change.by, "at": change.at,
                "before": json.dumps(dict(change.before), ensure_ascii=False),
                "after": json.dumps(dict(change.after), ensure_ascii=False),
                "line": change.line})
        claims_path = guide.claims_file.path
        history_file = claims_path.with_name(HISTORY_FILE)
        claims_text = guide.claims_text if guide.stale_reason else _read_text(claims_path)
        self.guides.append({
            "id": guide.id, "title": guide.title, "language": guide.language,
            "path": _relative(guide.guide.path, root), "sha256": guide.guide.sha256,
            "built_at": built_at,
            "claims_path": (_relative(claims_path, root)
                            if claims_text is not None or claims_path.exists() else None),
            "claims_sha256": (hashlib.sha256(claims_text.encode("utf-8")).hexdigest()
                              if claims_text is not None else _sha256_file(claims_path)),
            "style": guide.claims_file.meta.style, "method": guide.claims_file.meta.method,
            "claim_count": len(claims), "text": guide.guide.text,
            "claims_text": claims_text,
            "stale": guide.stale_reason is not None, "stale_reason": guide.stale_reason,
            # a history the build must not read (a link out, a FIFO) has no hash
            "history_sha256": (_sha256_file(history_file) if safe_to_read(history_file, root)
                               else None),
        })

    def _add_guide_text(self, project: Project, guide) -> None:
        """The guide's blocks and its bibliography's numbering, from its parsed text."""
        for position, block in enumerate(guide.guide.blocks, start=1):
            self.blocks.append({
                "guide_id": guide.id, "position": position,
                "section_id": block.section.id if block.section else None,
                "kind": block.kind, "start": block.start, "end": block.end,
                "line": block.line,
            })
        # Known sources only: the incremental rebuild knows every citekey by
        # the facts of the previous build, without references.bib's records.
        numbered = [(key, printed)
                    for key, printed in guide_bibliography(guide, project.references,
                                                           self._lookup(project, guide))
                    if project.source_facts(key) is not None]
        for position, (key, printed) in enumerate(numbered, start=1):
            self.guide_references.append({"guide_id": guide.id, "position": position,
                                          "source_id": key, "printed": printed})

    def _lookup(self, project: Project, guide: GuideData) -> PrintedLookup | None:
        if reference_section(guide.guide) is None:
            return None
        if self._printed_lookup is None:
            self._printed_lookup = PrintedLookup(project.references)
        return self._printed_lookup

    def _add_source(self, source: Source, claim_count: int):
        key = source.key  # each a property of the entry's: asked once
        text = source.text
        authors = source.authors
        self.sources.append({
            "id": key, "doi": source.doi, "entry_type": source.entry_type,
            "title": text("title"), "container_title": source.container_title,
            "year": source.year, "volume": text("volume"),
            "issue": text("number") or text("issue"),
            "pages": text("pages"), "authors": _display_names(authors),
            "study_design": source.study_design, "tier": source.tier,
            "metadata_source": source.metadata_source, "retracted": source.retracted,
            **_pubmed_columns(source), "line": source.line, "bibtex": source.entry.raw,
            "claim_count": claim_count,
        })
        self.source_csl.append({"source_id": key, "csl_json": _CSL_JSON(source_to_csl(source))})
        for position, author in enumerate(authors, start=1):
            self.authors.append({"source_id": key, "position": position,
                                 "family": author.family, "given": author.given,
                                 "orcid": author.orcid})
        for update in source.updates:
            self.updates.append({"source_id": key, "update_type": update.update_type,
                                 "notice_doi": update.notice_doi, "updated": update.updated,
                                 "label": _update_label(update), "origin": update.origin})


# json.dumps(item, ensure_ascii=False), the same text: one encoder for every
# source instead of one a call, and no check for cycles (a CSL item is a tree
# of plain dicts and lists).
_CSL_JSON = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode


def collect_findings(project: Project, extra: Sequence[Finding] = (),
                     repeats: RepeatMemo | None = None) -> list[dict]:
    """Findings of the editorial check, as rows; the check module owns their logic.
    ``extra``: the build's own (guides kept stale or left out); ``repeats``: the
    near-repeat results the check keeps for the next build."""
    from evidence.check.run import run_checks

    return ([finding.as_row() for finding in run_checks(project, repeats)]
            + [f.as_row() for f in extra])


class RowKeys(NamedTuple):
    """The keys of the rows a build wrote: guide ids, claim ids (with their
    guide's), source ids."""

    guides: set[str]
    claims: dict[str, str]
    sources: set[str]


def resolve_finding_keys(findings: list[dict], keys: RowKeys) -> None:
    """A finding names only rows the database holds: a claim, source or guide left
    out of the build stays named in its message, not as a key that leads nowhere."""
    guides, claims, sources = keys
    for finding in findings:
        if finding["guide_id"] is not None and finding["guide_id"] not in guides:
            finding["guide_id"] = None
        claim = finding["claim_id"]
        if claim is not None and (claim not in claims or (
                finding["guide_id"] is not None and claims[claim] != finding["guide_id"])):
            finding["claim_id"] = None
        if finding["source_id"] is not None and finding["source_id"] not in sources:
            finding["source_id"] = None


@dataclass(frozen=True)
class _Place:
    section_id: str | None
    start: int | None
    end: int | None
    line: int | None
    anchor: str  # exact | orphaned


def _placement(guide: GuideData, claim_id: str) -> _Place:
    """Where the claim is published: its anchor, else its last good place (orphaned)."""
    anchor = guide.anchors.get(claim_id)
    if anchor is not None:
        return _Place(anchor.section.id, anchor.start, anchor.end, anchor.line, "exact")
    kept = guide.kept.get(claim_id)
    if kept is None:
        return _Place(None, None, None, None, "orphaned")
    return _Place(kept.section_id, kept.start, kept.end, kept.line, "orphaned")


def _read_text(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _relative(path: Path, root: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path(root).resolve()))
    except ValueError:
        return str(path)


def _sha256_file(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def _update_label(update: Update) -> str:
    """The notice's label for readers, with its reversal when one was seen."""
    if not update.reversed:
        return update.label
    state = "confirmed" if update.confirmed else "awaiting an editor's confirmation"
    return f"{update.label}, reversed {update.reversed} ({state})"


def _pubmed_columns(source: Source) -> dict[str, str | None]:
    """``pmid`` and ``pubtypes`` of a source, from its pubtypes field (resolve's)."""
    recorded = parse_pubtypes(source.raw(PUBTYPES_FIELD))
    if recorded is None:
        return {"pmid": None, "pubtypes": None}
    return {"pmid": recorded.pmid, "pubtypes": "; ".join(recorded.types) or None}
