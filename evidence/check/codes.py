"""Finding codes: the contract of ``evidence check``.

A finding is something true of the project that needs an editor's attention:
an unsupported claim, a retracted source, a heading with nothing under it. It
has a stable kebab-case **code** (scripts, CI and the published ``findings``
table rely on it: never rename one, add new ones), a **severity**, the guide,
claim and source it concerns, and a message that says what to do.

Severities: ``error`` (the data is wrong or unsafe to publish: the check
exits 1), ``warning`` (an editor should act: exits 1 with ``--strict``),
``info`` (worth knowing, no action required).

``docs/findings.md`` has the table of every code with what to do about each.
"""

from __future__ import annotations

from dataclasses import dataclass

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
