"""Rules on sources: update notices (retractions, corrections), DOIs, study designs, use."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from evidence.bib.pubtypes import FIELD as PUBTYPES_FIELD
from evidence.bib.pubtypes import parse_pubtypes
from evidence.bib.references import Source, Update
from evidence.check.finding import Finding, listing, relative
from evidence.check.pubtypes import read_types
from evidence.project import Project


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
    path = relative(project, project.references.path)
    for source in project.references if sources is None else sources:
        key = source.key  # a property of the entry's: asked once
        claims = linked.get(key, [])
        printing = printed_in.get(key, ())
        # Most sources of a large references.bib no guide cites: no set to make.
        guides = (tuple(sorted({c.guide_id for c in claims}.union(printing))) if claims
                  else tuple(sorted(printing)))
        guide_id = guides[0] if len(guides) == 1 else None

        def finding(code, message, link: ClaimLink | None = None, key=key,
                    line=source.line, guide_id=guide_id, guides=guides):
            return Finding(code, message, link.guide_id if link else guide_id,
                           link.claim_id if link else None, key, path, line, guides)

        claim_ids = [c.claim_id for c in claims]
        for update in _dedupe_updates(source):
            findings += _notice_findings(update, claims, claim_ids, finding, key)
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
        findings += [finding(code, message) for code, message in pubtype_findings(source)]
        if not claims:
            in_guides = printed_in.get(key)
            if in_guides:
                for guide_id in sorted(in_guides):
                    findings.append(Finding(
                        "source-printed-unlinked",
                        f"printed in the reference list of {guide_id} but no claim links to it: "
                        "link it from the claims it supports, or drop it from the list",
                        guide_id, None, key, path, source.line, guides,
                    ))
            else:
                findings.append(finding(
                    "source-uncited",
                    "no claim links to it and no guide prints it: link it or remove it",
                ))
    return findings


# What a notice in force means for a claim citing the source: (code, what to do).
_NOTICE_WEIGHT = {
    "partial_retraction": ("source-partially-retracted",
                           "part of the work was retracted: check that {claim} does not rest "
                           "on the retracted part, else remove the link or replace the source"),
    "expression_of_concern": ("source-expression-of-concern",
                              "read the notice and check that {claim} still holds"),
    "correction": ("source-corrected", "read the correction and check that {claim} still holds"),
}


def _notice_findings(update: Update, claims: list[ClaimLink], claim_ids: list[str],
                     finding, key: str) -> list[Finding]:
    """The findings of one notice: on the source when no claim cites it, else one on
    every claim citing it (each listing them all)."""
    if not update.in_force:
        return []  # a reversal an editor confirmed: the notice counts no more
    notice = _describe_update(update)
    found = []
    if update.reversal_pending:
        counts = "counts as retracted" if update.withdraws else "still counts"
        message = (f"Crossref no longer lists its {update.label.lower()} ({notice}; found gone "
                   f"on {update.reversed}): it {counts} until an editor confirms the reversal "
                   f"(`evidence resolve --confirm-reversal {key}`, or add confirmed=DATE to "
                   "the item): one missing notice may be a glitch, so check the publisher's "
                   "page or Retraction Watch first")
        found += _on_claims("source-notice-reversed", message, claims, claim_ids, finding)
    if update.withdraws:
        act = {"withdrawal": "withdrawn", "removal": "removed"}.get(update.update_type,
                                                                   "retracted")
        if not claims:
            found.append(finding(
                "source-retracted",
                f"{act} ({notice}): remove it from references.bib and from any printed "
                "reference list",
            ))
        for link in claims:
            found.append(finding(
                "source-retracted",
                f"{act} ({notice}) and cited by {link.claim_id}: it no longer supports the "
                f"claim; remove the link or replace the source (affected claims: "
                f"{listing(claim_ids)})",
                link,
            ))
    elif update.update_type in _NOTICE_WEIGHT:
        code, action = _NOTICE_WEIGHT[update.update_type]
        message = f"{update.label.lower()} ({notice}): {action}"
        found += _on_claims(code, message, claims, claim_ids, finding)
    return found


def _on_claims(code: str, message: str, claims: list[ClaimLink], claim_ids: list[str],
               finding) -> list[Finding]:
    if not claims:
        return [finding(code, message.format(claim="the claims it would support"))]
    return [finding(code, message.format(claim=link.claim_id)
                    + f" (affected claims: {listing(claim_ids)})", link) for link in claims]


def _dedupe_updates(source: Source) -> list[Update]:
    """One notice per type and notice DOI (publisher and Retraction Watch both report)."""
    seen: dict[tuple[str, str | None], Update] = {}
    for update in source.updates:
        key = (update.update_type, update.notice_doi or update.updated)
        if key not in seen:
            seen[key] = update
    return list(seen.values())


def _describe_update(update: Update) -> str:
    parts = [update.label.lower()]
    if update.notice_doi:
        parts.append(f"notice {update.notice_doi}")
    if update.updated:
        parts.append(update.updated)
    if update.origin:
        parts.append(f"from {update.origin}")
    if update.record_id:
        parts.append(f"Retraction Watch record {update.record_id}")
    return ", ".join(parts[1:]) or "no notice recorded"


def pubtype_findings(source: Source) -> list[tuple[str, str]]:
    """(code, message) of what PubMed's types say of the source's study design:
    a suggestion when it has none, a warning when it fits none of them."""
    recorded = parse_pubtypes(source.raw(PUBTYPES_FIELD))
    if recorded is None:
        return []
    verdict = read_types(recorded.types)
    row = verdict.suggestion
    if row is None:
        return []
    where = f"PubMed (PMID {recorded.pmid})" if recorded.pmid else "PubMed"
    types = "; ".join(r.pubtype for r in verdict.rows)
    design = source.study_design
    if design is None:
        codes = " or ".join(repr(code) for code in row.suggests)
        return [("study-design-suggested",
                 f"{where} types it as {types}: {row.why}; suggested studydesign {codes} "
                 "(read the paper before setting it)")]
    if verdict.contradicts(design):
        fits = ", ".join(dict.fromkeys(c for r in verdict.rows for c in r.compatible))
        return [("study-design-contradicts-pubmed",
                 f"studydesign is {design!r}, but {where} types it as {types}: {row.why}; "
                 f"check the paper (designs that fit: {fits})")]
    return []
