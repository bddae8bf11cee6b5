"""Rules on claims: support, consensus, wording that promises research, doses, reviews."""

from __future__ import annotations

from collections.abc import Callable

from evidence.check.finding import Finding, listing, relative
from evidence.claims.loader import Claim
from evidence.claims.pins import pin_version
from evidence.language import DOSE, lexicon
from evidence.project import GuideData, Project

# --- Claims -------------------------------------------------------------------------


def research_words(text: str, language: str | None) -> list[str]:
    """Words of the text that promise research, by the guide's language (English otherwise)."""
    pattern = lexicon(language).research
    return list(dict.fromkeys(m.group(0) for m in pattern.finditer(text)))


def doses(text: str) -> list[str]:
    """Doses and time frames in the text, in any language's units."""
    return list(dict.fromkeys(" ".join(m.group(0).split()) for m in DOSE.finditer(text)))


def claim_findings(project: Project, guide: GuideData) -> list[Finding]:
    findings = []
    path = relative(project, guide.claims_file.path)
    for claim in guide.claims:
        def finding(code, message, source_id=None, claim=claim):
            return Finding(code, message, guide.id, claim.id, source_id, path, claim.line)

        if claim.id not in guide.anchors and not guide.stale_reason:
            findings.append(finding(
                "claim-orphaned",
                "its words are not (or no longer unambiguously) in guide.md: it is published as "
                "orphaned, at the place of its last good anchoring; `evidence reanchor "
                f"{guide.id}` shows where its words went, `evidence retire {claim.id} --reason "
                "…` retires it",
            ))
        grade = project.grade(claim)
        basis = grade.basis
        # A consensus that gives no reason is a load problem (claims/loader), reported
        # as consensus-without-reason: one finding for one problem.
        if basis == "unsupported" and not claim.bad_consensus:
            findings.append(finding(
                "claim-unsupported",
                "no source supports this claim: link one (evidence: - source: KEY), or give "
                "the reason it rests on established knowledge (consensus: ...)",
            ))
        # "Verified: the sources say this" of a claim that no source supports and no
        # consensus reason carries verifies nothing a reader can follow.
        if basis == "unsupported" and claim.review.status == "verified":
            findings.append(finding(
                "review-verified-unsupported",
                "verified, but no source supports it and it gives no consensus reason: link "
                "the source the verdict rests on, give the consensus reason, or review it "
                "again as needs-source",
            ))
        if basis in ("unsupported", "consensus"):
            words = research_words(claim.quote, guide.language)
            if words:
                rests = "on consensus" if basis == "consensus" else "on no source"
                findings.append(finding(
                    "wording-promises-research",
                    f"the wording promises research ({listing(words)}) but the claim rests {rests}: "
                    "link the research it refers to, or reword the sentence in the guide",
                ))
            found = doses(claim.quote)
            # An editor who marked the claim needs-source has seen it already.
            if found and claim.review.status != "needs-source":
                findings.append(finding(
                    "dose-without-source",
                    f"gives a dose or time frame ({listing(found)}) that no source supports: "
                    "link a source for it, or mark it with `evidence review --status needs-source`",
                ))
        if grade.indirect:
            findings.append(finding(
                "evidence-indirect-only",
                f"rests only on indirect evidence ({basis} tier, every best source marked "
                "direct: false): look for a source on this condition and population",
            ))
        findings += _review_findings(project, guide, claim, finding)
    return findings


def _review_findings(project: Project, guide: GuideData, claim: Claim,
                     finding: Callable[[str, str], Finding]) -> list[Finding]:
    review = claim.review
    if review.status == "unreviewed":
        return []
    found = []
    who = (f" by {review.by}" if review.by else "") + (f" on {review.on}" if review.on else "")
    if review.pin:
        changes = project.review_changes(guide, claim)
        if changes:
            lapses = (" (published as stale, not as " + review.status + ")"
                      if review.status in ("verified", "disputed") else "")
            found.append(finding(
                "review-stale",
                f"marked {review.status}{who}, but since then "
                + "; ".join(c.describe() for c in changes) + f"{lapses}: review it again "
                f"(evidence review {claim.id} --status ...)",
            ))
        elif pin_version(review.pin) == 1:
            found.append(finding(
                "review-pin-old",
                f"marked {review.status}{who} with a version 1 pin (hashes of the quote and "
                "links only), which still matches: the sentence around the quote and the "
                "sources' designs are not pinned; record the review again to pin them "
                f"(evidence review {claim.id} --status {review.status})",
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
