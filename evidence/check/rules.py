"""``evidence check``: the editor's work list (findings), for the CLI, CI and the database.

A finding is something true of the project that needs an editor's attention:
an unsupported claim, a retracted source, a heading with nothing under it. It
has a stable kebab-case **code** (scripts, CI and the published ``findings``
table rely on it: never rename one, add new ones), a **severity**, the guide,
claim and source it concerns, and a message that says what to do.

Severities: ``error`` (the data is wrong or unsafe to publish: the check
exits 1), ``warning`` (an editor should act: exits 1 with ``--strict``),
``info`` (worth knowing, no action required).

Every code:

=============================  ========  =========================================================
code                           severity  when
=============================  ========  =========================================================
claim-unsupported              warning   no source supports the claim and it gives no consensus reason
consensus-without-reason       error     ``consensus:`` is there but gives no reason (empty or a bare marker)
quote-not-found                error     the quote (of a claim or not_claims entry) is not in guide.md
quote-ambiguous                error     the quote occurs more than once and prefix/suffix do not pick one
review-stale                   warning   a reviewed claim's quote or evidence changed since the review
review-unpinned                info      a claim marked verified without a pin of what was verified
review-disputed                warning   an editor disputed the claim
wording-promises-research      warning   research words ("studie", "forskning viser", "study shows")
                                         in a claim that rests on consensus or on nothing
evidence-indirect-only         info      every best supporting source studied another condition or group
dose-without-source            info      a dose or time frame (sets, reps, seconds, weeks, %, g/kg …)
                                         in a claim that no source supports
claim-id-duplicate             error     two claims share an id
citekey-unknown                error     an evidence link names a citekey missing from references.bib
claims-invalid                 error     claims.yaml cannot be read (YAML syntax, unknown field, type …)
source-printed-unlinked        warning   in the guide's printed reference list (Kilder) but linked to no claim
source-uncited                 info      in references.bib but neither linked nor printed in any guide
source-retracted               error     a cited source was retracted (one finding per affected claim)
source-corrected               warning   a source carries a correction notice
source-expression-of-concern   warning   a source carries an expression of concern
source-no-doi                  warning   a source has no DOI
source-no-study-design         warning   a source has no ``studydesign``, so its tier is unknown
printed-citation-differs       warning   a printed citation differs from the record (one per field)
printed-citation-unmatched     warning   a printed citation cannot be read or matches no source
printed-doi-missing            error     a DOI printed in the guide's reference list is not in references.bib
doi-invalid                    error     a source's DOI is malformed
doi-duplicate                  error     two sources share a DOI
doi-not-normalised             warning   a DOI written with upper case or a resolver prefix
citekey-duplicate              error     two entries of references.bib share a citekey
study-design-unknown           error     ``studydesign`` is not a code of the evidence scale
bibtex-invalid                 error     references.bib has a block that cannot be parsed
heading-empty                  warning   a heading with no text under it before the next heading of
                                         the same or a higher level
lead-in-dangling               warning   a sentence ending in ":" with no list or items after it
paragraph-repeated             warning   a paragraph repeats another (exactly or nearly)
guide-missing                  error     a guide folder has no guide.md
guide-without-claims           warning   a guide has text but no claims.yaml or an empty one
=============================  ========  =========================================================

``docs/findings.md`` has the same table with what to do about each.
"""

from __future__ import annotations

import bisect
import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from evidence.bib import printed
from evidence.bib.references import InvalidDOI, Source, normalise_doi
from evidence.claims.loader import Claim
from evidence.claims.pins import current_pin, pin_changes
from evidence.errors import Problem
from evidence.guide.document import Block, Guide, Section
from evidence.project import GuideData, Project

SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class Code:
    code: str
    severity: str
    concerns: str  # claim | source | guide
    summary: str


CODES: tuple[Code, ...] = (
    # Claims
    Code("claim-unsupported", "warning", "claim",
         "No source supports the claim and it gives no consensus reason."),
    Code("consensus-without-reason", "error", "claim",
         "The claim is marked as consensus but gives no reason."),
    Code("quote-not-found", "error", "claim",
         "The quote is not in guide.md (the guide was edited, or the quote mistyped)."),
    Code("quote-ambiguous", "error", "claim",
         "The quote occurs more than once in guide.md and prefix/suffix do not pick one."),
    Code("review-stale", "warning", "claim",
         "The claim's quote or evidence changed since an editor reviewed it."),
    Code("review-unpinned", "info", "claim",
         "The claim is marked verified, but nothing records what was verified."),
    Code("review-disputed", "warning", "claim", "An editor disputed the claim."),
    Code("wording-promises-research", "warning", "claim",
         "The wording promises research, but the claim rests on consensus or on nothing."),
    Code("evidence-indirect-only", "info", "claim",
         "The claim rests only on indirect evidence (another condition or population)."),
    Code("dose-without-source", "info", "claim",
         "The claim gives a dose or time frame that no source supports."),
    Code("claim-id-duplicate", "error", "claim", "Two claims share an id."),
    Code("citekey-unknown", "error", "claim",
         "An evidence link names a citekey that references.bib does not have."),
    Code("claims-invalid", "error", "claim", "claims.yaml has an error."),
    # Sources
    Code("source-printed-unlinked", "warning", "source",
         "The guide's printed reference list cites the source, but no claim links to it."),
    Code("source-uncited", "info", "source",
         "The source is in references.bib but no guide links or prints it."),
    Code("source-retracted", "error", "source", "The source was retracted."),
    Code("source-corrected", "warning", "source", "The source carries a correction."),
    Code("source-expression-of-concern", "warning", "source",
         "The source carries an expression of concern."),
    Code("source-no-doi", "warning", "source", "The source has no DOI."),
    Code("source-no-study-design", "warning", "source",
         "The source has no study design, so its evidence tier is unknown."),
    Code("printed-citation-differs", "warning", "source",
         "A field of the printed citation differs from the source's record."),
    Code("printed-citation-unmatched", "warning", "source",
         "A printed citation cannot be read, or matches no entry of references.bib."),
    Code("printed-doi-missing", "error", "source",
         "A DOI printed in the guide's reference list is not in references.bib."),
    Code("doi-invalid", "error", "source", "The source's DOI is malformed."),
    Code("doi-duplicate", "error", "source", "Two sources share a DOI."),
    Code("doi-not-normalised", "warning", "source",
         "The DOI is not written lower case without resolver prefix."),
    Code("citekey-duplicate", "error", "source", "Two entries share a citekey."),
    Code("study-design-unknown", "error", "source",
         "The study design is not a code of the evidence scale."),
    Code("bibtex-invalid", "error", "source", "references.bib has a block that cannot be read."),
    # Guide text
    Code("heading-empty", "warning", "guide", "A heading has no text under it."),
    Code("lead-in-dangling", "warning", "guide",
         "A sentence ends in ':' but no list or items follow it."),
    Code("paragraph-repeated", "warning", "guide", "A paragraph repeats another."),
    Code("guide-missing", "error", "guide", "A guide folder has no guide.md."),
    Code("guide-without-claims", "warning", "guide",
         "A guide has text but no claims (claims.yaml missing or empty)."),
)
CODE_BY_NAME = {c.code: c for c in CODES}


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    guide_id: str | None = None
    claim_id: str | None = None
    source_id: str | None = None
    path: str | None = None  # the file to edit, relative to the project
    line: int | None = None
    # Every guide the finding concerns (a source cited by several guides), for --guide.
    guides: tuple[str, ...] = field(default=(), compare=False)

    @property
    def severity(self) -> str:
        return CODE_BY_NAME[self.code].severity

    def concerns_guide(self, guide_id: str) -> bool:
        return self.guide_id == guide_id or guide_id in self.guides

    def location(self) -> str | None:
        if not self.path:
            return None
        return f"{self.path}:{self.line}" if self.line else self.path

    def as_row(self) -> dict:
        """The row of the published ``findings`` table (DESIGN §4)."""
        return {"guide_id": self.guide_id, "claim_id": self.claim_id,
                "source_id": self.source_id, "severity": self.severity, "code": self.code,
                "message": self.message}

    def as_dict(self) -> dict:
        return {**self.as_row(), "path": self.path, "line": self.line}

    def sort_key(self) -> tuple:
        return (SEVERITY_RANK[self.severity], self.guide_id or "\uffff", self.path or "",
                self.line or 0, self.code, self.claim_id or "", self.source_id or "")


# --- Word lists -------------------------------------------------------------------

# Wording that promises research: by the guide's language (English otherwise).
# Danish forms are matched as parts of words, for compounds
# ("tendinopatilitteraturen", "forskningsresultater", "evidensbaseret").
RESEARCH_WORDS: dict[str, re.Pattern] = {
    "da": re.compile(
        r"(?<!\w)\w*?(?:forskning|forsker|studie|evidens|litteratur|videnskab)\w*"
        r"|\bdokumentation\w*|\bdokumenteret\b|\bundersøgelser viser\b|\bundersøgelsen viste\b"
        r"|\brandomiser\w*|\bmeta-?analyse\w*|\bsystematisk(?:e)? oversigt\w*",
        re.IGNORECASE),
    "en": re.compile(
        r"\b(?:stud(?:y|ies)|research\w*|evidence\w*|literature|trials?|proven|shown to"
        r"|meta-?analys[ie]s|systematic reviews?|according to|scientists?|science shows"
        r"|data show)\b",
        re.IGNORECASE),
}
DEFAULT_LANGUAGE = "en"

_NUMBER = r"\d+(?:[.,]\d+)?(?:\s*(?:-|–|til|to)\s*\d+(?:[.,]\d+)?)?\+?"
# Units after a number (Danish and English: a Danish guide quotes English terms).
_UNIT_AFTER = (
    r"sæt|sets?|reps?|repetitions?|gentagelser|gentagelse|sekunder|sekund|sek|seconds?|secs?"
    r"|minutter|minut|min|minutes?|mins?|timer|time|hours?|hrs?|h|døgn|dage|dag|days?"
    r"|uger|uge|weeks?|måneder|måned|mdr|months?|år|years?|gange|times|x|×|%|procent|percent"
    r"|rpm|bpm|g/kg|mg/kg|kcal|kg|mg|ml|km|g|grader|degrees?|°|watt|w"
)
# Units before a number: "Uge 1-2", "week 6".
_UNIT_BEFORE = r"uge|week|dag|day|måned|month"
DOSE = re.compile(
    rf"(?<![\w.,]){_NUMBER}\s*(?:{_UNIT_AFTER})(?![\w/])|\b(?:{_UNIT_BEFORE})\s+{_NUMBER}\b",
    re.IGNORECASE,
)

# A consensus "reason" that is only a marker, not a reason.
_MARKERS = frozenset({"", "true", "false", "yes", "no", "ja", "nej", "x", "-", "?", "todo",
                      "tbd", "fixme", "consensus", "konsensus", "none", "null", "~"})

# Labels that start a note rather than an item a lead-in announces ("Vigtigt: …").
_ADMONITIONS = frozenset({
    "vigtigt", "bemærk", "obs", "nb", "husk", "tip", "advarsel", "pointe", "note",
    "important", "warning", "caution", "remember", "notice",
})
_LABEL = re.compile(r"^([^:.!?]{1,80}):\s+\S")
_OPENING_QUOTES = "\"'“‘«„"

# Paragraphs shorter than this are not compared ("Sådan gør du:" may repeat).
REPEAT_MIN_WORDS = 8
REPEAT_RATIO = 0.9


# --- Running the checks -------------------------------------------------------------


def run_checks(project: Project) -> list[Finding]:
    """Every finding of the project, sorted by severity, guide and place."""
    findings: list[Finding] = []
    findings += problem_findings(project)
    printed_in: dict[str, set[str]] = defaultdict(set)  # citekey -> guides printing it
    linked: dict[str, list[ClaimLink]] = defaultdict(list)
    index = ReferenceIndex(project)
    for guide in project.guides:
        for claim in guide.claims:
            for key in dict.fromkeys(link.source for link in claim.evidence):
                if key in project.references:
                    linked[key].append(ClaimLink(guide.id, claim.id))
        findings += claim_findings(project, guide)
        findings += guide_text_findings(project, guide)
        found, keys = printed_findings(project, guide, index)
        findings += found
        for key in keys:
            printed_in[key].add(guide.id)
    findings += source_findings(project, linked, printed_in)
    return sorted(dict.fromkeys(findings), key=Finding.sort_key)


def check_project(root: Path | str = ".") -> tuple[Project, list[Finding]]:
    """Load the project leniently (problems become findings) and check it."""
    from evidence.project import load_project

    project = load_project(root, strict=False)
    return project, run_checks(project)


def _rel(project: Project, path: Path | str | None) -> str | None:
    if path is None:
        return None
    try:
        return str(Path(path).resolve().relative_to(Path(project.root).resolve()))
    except ValueError:
        return str(path)


# --- Claims -------------------------------------------------------------------------


def consensus_is_marker(consensus: str | None) -> bool:
    """True when ``consensus`` is set but gives no reason ("", "yes", "TODO")."""
    return consensus is not None and consensus.strip().lower() in _MARKERS


def research_words(text: str, language: str | None) -> list[str]:
    pattern = RESEARCH_WORDS.get(_base_language(language)) or RESEARCH_WORDS[DEFAULT_LANGUAGE]
    return list(dict.fromkeys(m.group(0) for m in pattern.finditer(text)))


def doses(text: str) -> list[str]:
    return list(dict.fromkeys(" ".join(m.group(0).split()) for m in DOSE.finditer(text)))


def _base_language(language: str | None) -> str:
    return (language or DEFAULT_LANGUAGE).split("-")[0].split("_")[0].lower()


def claim_findings(project: Project, guide: GuideData) -> list[Finding]:
    findings = []
    path = _rel(project, guide.claims_file.path)
    for claim in guide.claims:
        def finding(code, message, source_id=None, claim=claim):
            return Finding(code, message, guide.id, claim.id, source_id, path, claim.line)

        grade = project.grade(claim)
        basis = grade.basis
        marker = consensus_is_marker(claim.consensus)
        if marker:
            findings.append(finding(
                "consensus-without-reason",
                f"'consensus: {claim.consensus}' gives no reason: write why the claim may rest "
                "on consensus (e.g. 'Standard anatomy.'), or remove the field and link a source",
            ))
        elif basis == "unsupported":
            findings.append(finding(
                "claim-unsupported",
                "no source supports this claim: link one (evidence: - source: KEY), or give "
                "the reason it rests on established knowledge (consensus: ...)",
            ))
        if basis in ("unsupported", "consensus"):
            words = research_words(claim.quote, guide.language)
            if words:
                rests = "on consensus" if basis == "consensus" else "on no source"
                findings.append(finding(
                    "wording-promises-research",
                    f"the wording promises research ({_list(words)}) but the claim rests {rests}: "
                    "link the research it refers to, or reword the sentence in the guide",
                ))
            found = doses(claim.quote)
            # An editor who marked the claim needs-source has seen it already.
            if found and claim.review.status != "needs-source":
                findings.append(finding(
                    "dose-without-source",
                    f"gives a dose or time frame ({_list(found)}) that no source supports: "
                    "link a source for it, or mark it with `evidence review --status needs-source`",
                ))
        if grade.indirect:
            findings.append(finding(
                "evidence-indirect-only",
                f"rests only on indirect evidence ({basis} tier, every best source marked "
                "direct: false): look for a source on this condition and population",
            ))
        findings += _review_findings(claim, finding)
    return findings


def _review_findings(claim: Claim, finding) -> list[Finding]:
    review = claim.review
    if review.status == "unreviewed":
        return []
    found = []
    who = (f" by {review.by}" if review.by else "") + (f" on {review.on}" if review.on else "")
    if review.pin:
        changed = pin_changes(review.pin, current_pin(claim))
        if changed:
            found.append(finding(
                "review-stale",
                f"marked {review.status}{who}, but its {' and '.join(changed)} changed since: "
                f"review it again (evidence review {claim.id} --status ...)",
            ))
    elif review.status == "verified":
        found.append(finding(
            "review-unpinned",
            f"marked verified{who} without a pin of what was verified, so a later change "
            f"cannot be detected: record it with `evidence review {claim.id} --status verified`",
        ))
    if review.status == "disputed":
        note = f": {review.note}" if review.note else ""
        found.append(finding(
            "review-disputed",
            f"disputed{who}{note}; correct the guide or the claim, then review it again",
        ))
    return found


# --- Sources ------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimLink:
    """A claim (and its guide) linking a source: what a source's findings name."""

    guide_id: str
    claim_id: str


def source_findings(project: Project, linked: dict[str, list[ClaimLink]],
                    printed_in: dict[str, set[str]],
                    sources: Iterable[Source] | None = None) -> list[Finding]:
    """Findings on ``sources`` (default: every source of references.bib), given
    the claims linking each (``linked``) and the guides printing each (``printed_in``)."""
    findings = []
    path = _rel(project, project.references.path)
    for source in project.references if sources is None else sources:
        claims = linked.get(source.key, [])
        guides = tuple(sorted({c.guide_id for c in claims} | printed_in.get(source.key, set())))
        guide_id = guides[0] if len(guides) == 1 else None

        def finding(code, message, link: ClaimLink | None = None, source=source,
                    guide_id=guide_id, guides=guides):
            return Finding(code, message, link.guide_id if link else guide_id,
                           link.claim_id if link else None, source.key, path,
                           source.line, guides)

        claim_ids = [c.claim_id for c in claims]
        for update in _dedupe_updates(source):
            notice = _describe_update(update)
            if update.withdraws:
                if not claims:
                    findings.append(finding(
                        "source-retracted",
                        f"retracted ({notice}): remove it from references.bib and from any "
                        "printed reference list",
                    ))
                for link in claims:
                    findings.append(finding(
                        "source-retracted",
                        f"retracted ({notice}) and cited by {link.claim_id}: it no longer "
                        f"supports the claim; remove the link or replace the source "
                        f"(affected claims: {_list(claim_ids)})",
                        link,
                    ))
            elif update.update_type in ("correction", "expression_of_concern"):
                code = ("source-corrected" if update.update_type == "correction"
                        else "source-expression-of-concern")
                affected = (f"; check the claims citing it: {_list(claim_ids)}" if claim_ids
                            else "")
                findings.append(finding(
                    code, f"{update.label.lower()} ({notice}): read the notice and check that "
                          f"the claims still hold{affected}",
                ))
        raw_doi = source.raw("doi")
        if raw_doi and source.doi and raw_doi.strip() != source.doi:
            findings.append(finding(
                "doi-not-normalised",
                f"the DOI is written {raw_doi.strip()!r}: write it as {source.doi!r} "
                "(lower case, no resolver prefix), the form references.bib keeps",
            ))
        if not raw_doi:
            findings.append(finding(
                "source-no-doi",
                "no DOI: add it (doi = {10....}) so `evidence resolve` can fetch the record "
                "and watch for retractions; a work without a DOI keeps this warning",
            ))
        if source.study_design is None:
            findings.append(finding(
                "source-no-study-design",
                "no studydesign: set one (studydesign = {...}, codes in DESIGN.md §3); until "
                "then it counts as the weakest (expert) tier",
            ))
        if not claims:
            in_guides = printed_in.get(source.key)
            if in_guides:
                for guide_id in sorted(in_guides):
                    findings.append(Finding(
                        "source-printed-unlinked",
                        f"printed in the reference list of {guide_id} but no claim links to it: "
                        "link it from the claims it supports, or drop it from the list",
                        guide_id, None, source.key, path, source.line, guides,
                    ))
            else:
                findings.append(finding(
                    "source-uncited",
                    "no claim links to it and no guide prints it: link it or remove it",
                ))
    return findings


def _dedupe_updates(source: Source):
    """One notice per type and notice DOI (publisher and Retraction Watch both report)."""
    seen = {}
    for update in source.updates:
        key = (update.update_type, update.notice_doi or update.updated)
        if key not in seen:
            seen[key] = update
    return list(seen.values())


def _describe_update(update) -> str:
    parts = [update.label.lower()]
    if update.notice_doi:
        parts.append(f"notice {update.notice_doi}")
    if update.updated:
        parts.append(update.updated)
    if update.origin:
        parts.append(f"from {update.origin}")
    return ", ".join(parts[1:]) or "no notice recorded"


# --- Printed reference list ---------------------------------------------------------


def _normalised_title(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def printed_findings(project: Project, guide: GuideData,
                     index: ReferenceIndex | None = None) -> tuple[list[Finding], set[str]]:
    """Findings on the guide's printed reference list, and the citekeys it cites.

    The list is read by :mod:`evidence.bib.printed` (AMA/Vancouver citations,
    compared field by field with the records).
    """
    found = printed.kilder_section(guide.guide.text)
    if found is None:
        return [], set()
    section, first_line = found
    references = project.references
    index = index or ReferenceIndex(project)
    by_doi, titles = index.dois, index.titles
    path = _rel(project, guide.guide.path)
    findings: list[Finding] = []
    keys: set[str] = set()
    missing = set(printed.missing_printed_dois(section, references))
    reported: set[str] = set()
    for citation in printed.parse_printed_citations(section, first_line=first_line):
        if citation.doi in missing and citation.doi not in reported:
            reported.add(citation.doi)
            findings.append(_missing_doi(guide, citation.doi, path, citation.line))
        if citation.doi and citation.doi in by_doi:
            keys.add(by_doi[citation.doi])
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
    def dois(self) -> dict[str, str]:
        return _build_doi_index(self.project)

    @cached_property
    def titles(self) -> dict[str, str]:
        return {_normalised_title(title): s.key for s in self.project.references
                if (title := s.text("title"))}


def _build_doi_index(project: Project) -> dict[str, str]:
    """Citekey by DOI, aliases recorded by the resolver (``doialias``) included."""
    index = {}
    for source in project.references:
        for raw in (source.raw("doi"), source.raw("doialias")):
            if not raw:
                continue
            try:
                index.setdefault(normalise_doi(raw), source.key)
            except InvalidDOI:
                continue
    return index


def _missing_doi(guide: GuideData, doi: str, path: str | None, line: int | None) -> Finding:
    return Finding(
        "printed-doi-missing",
        f"the reference list prints DOI {doi}, which references.bib does not have: add it "
        f"with `evidence add {doi}` (or `evidence add --from-guide {guide.id}`)",
        guide.id, None, None, path, line, (guide.id,))


# --- Guide text ---------------------------------------------------------------------


def guide_text_findings(project: Project, guide: GuideData) -> list[Finding]:
    path = _rel(project, guide.guide.path)
    findings = []
    if not guide.claims and any(b.kind != "heading" for b in guide.guide.blocks):
        findings.append(Finding(
            "guide-without-claims",
            f"the guide has text but {_rel(project, guide.claims_file.path)} holds no claims: "
            "record its factual statements (or restore the file if it was emptied by mistake)",
            guide.id, None, None, path, None,
        ))
    for section, line in empty_headings(guide.guide):
        findings.append(Finding(
            "heading-empty",
            f"the heading {section.heading!r} has no text under it: write the section or "
            "remove the heading",
            guide.id, None, None, path, line,
        ))
    for block, following in dangling_lead_ins(guide.guide):
        if following is None:
            what = "nothing follows it in its section"
        else:
            what = f"what follows is not a list or items ({_excerpt(following.text)!r})"
        findings.append(Finding(
            "lead-in-dangling",
            f"{_excerpt(block.text, end=True)!r} ends with ':' but {what}: add the list it "
            "announces, or end the sentence with '.'",
            guide.id, None, None, path, block.line,
        ))
    for block, first, exact in repeated_paragraphs(guide.guide):
        how = "repeats" if exact else "nearly repeats"
        findings.append(Finding(
            "paragraph-repeated",
            f"the paragraph {_excerpt(block.text)!r} {how} the one at line {first.line}: "
            "keep one of them",
            guide.id, None, None, path, block.line,
        ))
    return findings


def empty_headings(guide: Guide) -> list[tuple[Section, int]]:
    """Headings with no text under them before the next heading of the same or higher level."""
    found = []
    sections = guide.sections
    for i, section in enumerate(sections):
        heading = next((b for b in section.blocks if b.kind == "heading"), None)
        if heading is None:
            continue  # the lead before the first heading
        has_text = False
        for later in sections[i:]:
            if later is not section and later.level <= section.level:
                break
            if any(b.kind != "heading" for b in later.blocks):
                has_text = True
                break
        if not has_text:
            found.append((section, heading.line))
    return found


def _introduces(block: Block) -> bool:
    """Whether a block can be what a lead-in ending in ':' announces."""
    if block.kind == "item":
        return True
    if block.kind != "paragraph":
        return False
    text = block.text.lstrip()
    if text[:1] in _OPENING_QUOTES:
        return True
    label = _LABEL.match(text)
    if not label:
        return False
    name = label.group(1).strip()
    return len(name.split()) <= 6 and name.casefold() not in _ADMONITIONS


def dangling_lead_ins(guide: Guide) -> list[tuple[Block, Block | None]]:
    """Paragraphs ending in ':' that no list or item-like paragraph follows.

    A lead-in is followed by the list it announces, or by paragraphs that read
    as its items ("Isometrisk hamstring bridge: Lig på ryggen ..."). A heading,
    the end of the guide, plain prose or a note ("Vigtigt: ...") after it
    means the announced list is missing.
    """
    found = []
    blocks = guide.blocks
    for i, block in enumerate(blocks):
        if block.kind not in ("paragraph", "item") or not block.text.rstrip().endswith(":"):
            continue
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        if following is not None and following.kind == "heading":
            following = None
        if following is None:
            found.append((block, None))
        elif not _introduces(following):
            found.append((block, following))
    return found


_WORD = re.compile(r"[^\W_]+")


def _comparable(text: str) -> str:
    """A paragraph with case, punctuation, Markdown markers and whitespace set aside."""
    return " ".join(_comparable_words(text))


def _comparable_words(text: str) -> list[str]:
    """The words of :func:`_comparable`: its runs of letters and digits (the
    same as replacing every run of ``[\\W_]`` by a space and splitting on
    whitespace, since no whitespace character is a word character)."""
    return _WORD.findall(unicodedata.normalize("NFC", text).casefold())


def repeated_paragraphs(guide: Guide) -> list[tuple[Block, Block, bool]]:
    """(paragraph, the earlier one it repeats, exact) for every repeated paragraph.

    Near-duplicates are paragraphs whose comparable forms are at least
    ``REPEAT_RATIO`` similar (difflib); cheap filters on length and shared words
    come first, so a long guide is compared quickly.

    Only earlier paragraphs of a length within 0.8-1.25 of this one's are
    looked at (found by bisection in the lengths seen so far, then taken in
    their order in the guide, so the first match is the one reported), and
    difflib learns a paragraph (``set_seq2``, the costly part) only when some
    earlier one passes the cheap filters. The findings are those of comparing
    every pair in order (``tests/test_check_repeats.py`` holds the two equal).
    """
    found = []
    seen: dict[str, Block] = {}
    earlier: list[tuple[str, frozenset, Block]] = []
    by_length: list[tuple[int, int]] = []  # (length, index in earlier), sorted
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    for block in guide.blocks:
        if block.kind != "paragraph":
            continue
        words = _comparable_words(block.text)
        if len(words) < REPEAT_MIN_WORDS:
            continue
        text = " ".join(words)
        if text in seen:
            found.append((block, seen[text], True))
            continue
        vocabulary = frozenset(words)
        size = len(text)
        # A margin of one each side: the exact test below decides.
        lo = bisect.bisect_left(by_length, (int(size / 1.25) - 1, -1))
        hi = bisect.bisect_right(by_length, (int(size / 0.8) + 2, len(earlier)))
        candidates = sorted(index for _, index in by_length[lo:hi])
        learnt = False
        for index in candidates:
            other_text, other_words, other = earlier[index]
            if not 0.8 <= size / len(other_text) <= 1.25:
                continue
            if len(vocabulary & other_words) < 0.6 * max(len(vocabulary), len(other_words)):
                continue
            if not learnt:
                matcher.set_seq2(text)  # difflib caches what it learns of the second sequence
                learnt = True
            matcher.set_seq1(other_text)
            if (matcher.real_quick_ratio() >= REPEAT_RATIO
                    and matcher.quick_ratio() >= REPEAT_RATIO
                    and matcher.ratio() >= REPEAT_RATIO):
                found.append((block, other, False))
                break
        seen[text] = block
        bisect.insort(by_length, (size, len(earlier)))
        earlier.append((text, vocabulary, block))
    return found


# --- Load problems ------------------------------------------------------------------

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
            _rel(project, problem.path), problem.line,
            (guide_id,) if guide_id else (),
        ))
    return findings


# --- Helpers ------------------------------------------------------------------------


def _list(items, limit: int = 8) -> str:
    items = list(items)
    shown = ", ".join(str(i) for i in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _excerpt(text: str, width: int = 60, end: bool = False) -> str:
    """The start (or with ``end`` the end) of a text, cut between words."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    if end:
        tail = text[-width:]
        return "…" + (tail.split(" ", 1)[1] if " " in tail else tail)
    head = text[:width]
    return (head.rsplit(" ", 1)[0] if " " in head else head) + "…"


def filter_findings(findings: list[Finding], *, guides=(), codes=(),
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
