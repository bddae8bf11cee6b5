"""Finding codes: the contract of ``evidence check``.

A finding is something true of the project that needs an editor's attention:
an unsupported claim, a retracted source, a heading with nothing under it. It
has a stable kebab-case **code** (scripts, CI and the published ``findings``
table rely on it: never rename one, add new ones), a **severity**, the guide,
claim and source it concerns, and a message that says what to do.

Severities: ``error`` (the data is wrong or unsafe to publish: the check
exits 1), ``warning`` (an editor should act: exits 1 with ``--strict``),
``info`` (worth knowing, no action required).

``docs/findings.md`` shows this table with what to do about each code; its
table is generated from it (``python -m evidence.check.codes --write docs/findings.md``)
and a test holds the two equal.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class Code:
    code: str
    severity: str
    concerns: str  # claim | source | guide (or "source, claim")
    summary: str  # one sentence, for reports
    when: str  # when the check reports it (docs/findings.md)
    action: str  # what the editor does about it (docs/findings.md)


CODES: tuple[Code, ...] = (
    # Claims
    Code("claim-unsupported", "warning", "claim",
         summary="No source supports the claim and it gives no consensus reason.",
         when="no source supports the claim and it gives no consensus reason",
         action="link a source (`evidence: - source: KEY`), or give `consensus: <reason>` if it "
                "rests on established knowledge"),
    Code("consensus-without-reason", "error", "claim",
         summary="The claim is marked as consensus but gives no reason.",
         when="`consensus:` is present but gives no reason: empty, or only a marker (`yes`, "
              "`true`, `x`, `TODO`, `consensus` …)",
         action='write the reason (e.g. "Standard anatomy."), or remove the field and link a '
                "source"),
    Code("quote-not-found", "error", "claim",
         summary="The quote is not in guide.md (the guide was edited, or the quote mistyped).",
         when="the quote of a claim (or a `not_claims` entry) is not in guide.md, or not with "
              "its prefix/suffix: usually the guide was edited",
         action="copy the words as they now stand in guide.md (the message suggests the closest "
                "passage)"),
    Code("quote-ambiguous", "error", "claim",
         summary="The quote occurs more than once in guide.md and prefix/suffix do not pick one.",
         when="the quote occurs more than once in guide.md",
         action="add `prefix`/`suffix` (the words just before/after) or quote more words"),
    Code("claim-orphaned", "error", "claim",
         summary="The claim's words are no longer in guide.md: it is published as orphaned.",
         when="the claim's quote no longer anchors (not found, or ambiguous); the build "
              "publishes it with `anchor = 'orphaned'` at the place of its last good anchoring "
              "and builds everything else",
         action="`evidence reanchor GUIDE` shows where its words went (`--apply` moves it); "
                "`evidence retire ID --reason …` when the statement is gone"),
    Code("review-stale", "warning", "claim",
         summary="What a verdict verified changed since: it is published as stale.",
         when="the claim was reviewed, and since then its quote, the sentence around it, its "
              "links, or a linked source's study design, tier, retraction or DOI changed (the "
              "review's pin no longer matches); a verified or disputed claim is then published "
              "with `status = 'stale'` and `stale_reason`",
         action="review it again: `evidence review ID --status …`"),
    Code("review-pin-old", "info", "claim",
         summary="The verdict's pin is of version 1 (hashes only): it pins less than a "
                 "review does now.",
         when="a review's pin is of version 1 (hashes of the quote and the links) and still "
              "matches: it is compared as it was, but the sentence around the quote and the "
              "sources' designs, tiers, retractions and DOIs are not pinned",
         action="record the review again: `evidence review ID --status …` pins the values"),
    Code("review-unpinned", "info", "claim",
         summary="The claim is marked verified, but nothing records what was verified.",
         when="`status: verified` with no `pin` (set by hand), so a later change cannot be "
              "detected",
         action="record the review with `evidence review ID --status verified`"),
    Code("review-verified-unsupported", "warning", "claim",
         summary="The claim is marked verified, but no source supports it and it gives no "
                 "consensus reason.",
         when="`status: verified` on a claim whose basis is unsupported (published as both "
              "verified and unsupported)",
         action="link the source the verdict rests on, give the consensus reason, or "
                "`evidence review ID --status needs-source`"),
    Code("review-disputed", "warning", "claim",
         summary="An editor disputed the claim.",
         when="an editor disputed the claim",
         action="correct the guide or the claim, then review it again"),
    Code("wording-promises-research", "warning", "claim",
         summary="The wording promises research, but the claim rests on consensus or on nothing.",
         when='the quote uses research words ("studie", "forskning", "evidens", "litteraturen", '
              '"study", "research", "evidence" …) but the claim rests on consensus or on '
              "nothing",
         action="link the research the sentence refers to, or reword the sentence"),
    Code("evidence-indirect-only", "info", "claim",
         summary="The claim rests only on indirect evidence (another condition or population).",
         when="every best supporting source is marked `direct: false` (another condition or "
              "population)",
         action="look for a source on this condition and population"),
    Code("dose-without-source", "info", "claim",
         summary="The claim gives a dose or time frame that no source supports.",
         when="the quote gives a dose or time frame (sets, reps, seconds, weeks, months, %, "
              "rpm, g/kg …) and no source supports the claim",
         action="link a source for the dose, or mark the claim `needs-source`"),
    Code("claim-id-duplicate", "error", "claim",
         summary="Two claims share an id.",
         when="two claims share an id (ids are unique across all guides)",
         action="give one a new id; never reuse an old one"),
    Code("claim-id-retired", "error", "claim",
         summary="A claim reuses the id of a retired claim.",
         when="a claim's id is in a `retired:` list (of any guide): retired ids are never "
              "reused; the claim is left out of the build",
         action="give the new claim a new id"),
    Code("citekey-unknown", "error", "claim",
         summary="An evidence link names a citekey that references.bib does not have.",
         when="an evidence link names a citekey that references.bib does not have",
         action="fix the key (the message suggests the closest) or `evidence add DOI`"),
    Code("claims-invalid", "error", "claim",
         summary="claims.yaml has an error.",
         when="claims.yaml cannot be read: YAML syntax, an unknown field, type, relation or "
              "status, a missing quote …",
         action="fix the line named"),
    Code("history-invalid", "error", "guide",
         summary="The guide's history.yaml cannot be read: its history is not published.",
         when="claims/<guide>/history.yaml is not valid YAML, not a list of entries, or an "
              "entry lacks claim, action, at or from/to; only the history is left out, the "
              "guide is built",
         action="restore the file from git (it is only ever appended to by evidence); the "
                "verbs and the desk refuse to append to it until then"),
    # Sources
    Code("source-printed-unlinked", "warning", "source",
         summary="The guide's printed reference list cites the source, but no claim links to it.",
         when="the guide's printed reference list (\"Kilder\") cites the source, but no claim "
              "links to it",
         action="link it from the claims it supports, or drop it from the list"),
    Code("source-uncited", "info", "source",
         summary="The source is in references.bib but no guide links or prints it.",
         when="the source is in references.bib but no claim links it and no guide prints it",
         action="link it or remove it"),
    Code("source-retracted", "error", "source, claim",
         summary="The source was retracted, withdrawn or removed.",
         when="the source was retracted, withdrawn or removed (its `updates` field), also when "
              "the notice is reversed but no editor has confirmed that yet; one finding per "
              "affected claim, each listing them all",
         action="remove the link or replace the source; a retracted source supports nothing"),
    Code("source-partially-retracted", "warning", "source, claim",
         summary="Part of the source was retracted.",
         when="the source carries a partial retraction; one finding per affected claim",
         action="check that the claim does not rest on the retracted part, else remove the "
                "link or replace the source"),
    Code("source-notice-reversed", "warning", "source, claim",
         summary="Crossref no longer lists a notice the source records (a reversed retraction?).",
         when="`evidence resolve --updates` found a recorded notice gone from Crossref, or a "
              "Retraction Watch reinstatement (`reversed=DATE` in `updates`); the notice keeps "
              "its effect until an editor confirms; one finding per affected claim",
         action="check the publisher's page or Retraction Watch; if it is reversed, confirm it "
                "with `evidence resolve --confirm-reversal KEY` (or add `confirmed=DATE` to the "
                "item)"),
    Code("source-corrected", "warning", "source, claim",
         summary="The source carries a correction.",
         when="the source carries a correction notice; one finding per affected claim",
         action="read the correction; check the claims citing it still hold"),
    Code("source-expression-of-concern", "warning", "source, claim",
         summary="The source carries an expression of concern.",
         when="the source carries an expression of concern; one finding per affected claim",
         action="read the notice; check the claims citing it still hold"),
    Code("source-no-doi", "warning", "source",
         summary="The source has no DOI.",
         when="the source has no DOI",
         action="add it, so `evidence resolve` can fetch the record and watch for retractions"),
    Code("source-no-study-design", "warning", "source",
         summary="The source has no study design, so its evidence tier is unknown.",
         when="the source has no `studydesign`, so its tier is unknown (it counts as expert "
              "tier)",
         action="set a design code (DESIGN.md §3)"),
    Code("study-design-suggested", "info", "source",
         summary="The source has no study design; PubMed's publication types suggest one.",
         when="the source has no `studydesign` and its `pubtypes` (recorded by `evidence "
              "resolve` from PubMed) include a specific type: Meta-Analysis, Systematic "
              "Review, Randomized Controlled Trial, Clinical Trial, Observational Study, Case "
              "Reports, Guideline, Review … (evidence/check/pubtypes.py); a type missing means "
              "nothing, so none is suggested from \"Journal Article\" alone",
         action="read the paper and set the design it shows; the suggestion is PubMed's "
                "indexing, never set by itself"),
    Code("study-design-contradicts-pubmed", "warning", "source",
         summary="The editor's study design fits none of the source's PubMed publication types.",
         when="the source's `studydesign` fits none of the specific types in its `pubtypes`: a "
              "clear conflict such as a `case-report` that PubMed types as a Randomized "
              "Controlled Trial, or a trial typed as a Review (gradings that may be right, such "
              "as a secondary analysis of a trial graded as a cohort study, are not reported)",
         action="check the paper: correct `studydesign`, or keep it when PubMed's indexing is "
                "wrong (the warning stays while the types say otherwise)"),
    Code("printed-citation-differs", "warning", "source",
         summary="A field of the printed citation differs from the source's record.",
         when="a field of a printed citation (authors, title, journal, year, volume, issue, "
              "pages, DOI) differs from the source's record; one finding per field",
         action="correct the printed citation, or the record if it is the one that is wrong"),
    Code("printed-citation-unmatched", "warning", "source",
         summary="A printed citation cannot be read, or matches no entry of references.bib.",
         when="a printed citation cannot be read, or has no DOI and matches no entry by title",
         action="write it as an AMA citation with its DOI, or add the work"),
    Code("printed-doi-missing", "error", "source",
         summary="A DOI printed in the guide's reference list is not in references.bib.",
         when="a DOI printed in the guide's reference list is not in references.bib",
         action="`evidence add DOI` or `evidence add --from-guide GUIDE`"),
    Code("doi-invalid", "error", "source",
         summary="The source's DOI is malformed.",
         when="a source's DOI is malformed",
         action="write it as `10.NNNN/suffix`"),
    Code("doi-duplicate", "error", "source",
         summary="Two sources share a DOI.",
         when="two sources share a DOI",
         action="merge them and keep one citekey"),
    Code("doi-not-normalised", "warning", "source",
         summary="The DOI is not written lower case without resolver prefix.",
         when="the `doi` field has upper case or a resolver prefix (`https://doi.org/`, `doi:`)",
         action="write it lower case without prefix, as DESIGN.md §2 asks"),
    Code("citekey-duplicate", "error", "source",
         summary="Two entries share a citekey.",
         when="two entries of references.bib share a citekey",
         action="rename or merge one"),
    Code("study-design-unknown", "error", "source",
         summary="The study design is not a code of the evidence scale.",
         when="`studydesign` is not a code of the evidence scale",
         action="use a code of DESIGN.md §3"),
    Code("bibtex-invalid", "error", "source",
         summary="references.bib has a block that cannot be read.",
         when="references.bib has a block that cannot be parsed, or an unreadable `updates` "
              "item",
         action="fix the block named"),
    Code("field-duplicate", "error", "source",
         summary="An entry gives one field twice, in any case (`doi` and `DOI`).",
         when="an entry of references.bib has two fields whose names differ at most in case "
              "(BibTeX reads the first, pandoc the last); the source is left out of the build",
         action="keep one of the two lines named"),
    # Guide text
    Code("heading-empty", "warning", "guide",
         summary="A heading has no text under it.",
         when="a heading has no text under it before the next heading of the same or a higher "
              "level (text under its subheadings counts)",
         action="write the section or remove the heading"),
    Code("lead-in-dangling", "warning", "guide",
         summary="A sentence ends in ':' but no list or items follow it.",
         when='a paragraph or item ends in ":" and what follows is not a list or items: a '
              'heading, the end, plain prose, or a note such as "Vigtigt: …"',
         action='add the list it announces, or end the sentence with "."'),
    Code("paragraph-repeated", "warning", "guide",
         summary="A paragraph repeats another.",
         when="a paragraph of at least 8 words repeats an earlier one, exactly or nearly, after "
              "case, punctuation and whitespace are set aside: 60 % of the distinct words of "
              "the one with more in common, and 90 % similar (the characters inserted and "
              "deleted to turn one into the other at most a tenth of both lengths together); "
              "the first such earlier paragraph is named",
         action="keep one of them"),
    Code("guide-missing", "error", "guide",
         summary="A guide folder has no guide.md.",
         when="a folder under claims/ has no guide.md",
         action="add guide.md or remove the folder"),
    Code("guide-stale", "warning", "guide",
         summary="The guide's files cannot be built: its last good build is shown, marked stale.",
         when="claims.yaml or guide.md cannot be read (YAML syntax, not UTF-8, a claim id twice "
              "in one file); the build keeps the guide's last good rows (`guides.stale = 1`), "
              "re-graded against the current sources",
         action="fix the error reported with it and build again"),
    Code("guide-unpublished", "error", "guide",
         summary="The guide's files cannot be built and no earlier build holds it.",
         when="a guide's files cannot be read and the database has no earlier build of it "
              "(a fresh clone): the guide is absent from the publication",
         action="fix the error reported with it and build again"),
    Code("guide-without-claims", "warning", "guide",
         summary="A guide has text but no claims (claims.yaml missing or empty).",
         when="guide.md has text but claims.yaml is missing or holds no claims (an emptied file "
              "would otherwise publish a guide without claims)",
         action="record the guide's claims, or restore the file"),
)
CODE_BY_NAME = {c.code: c for c in CODES}


# --- docs/findings.md -------------------------------------------------------------

# The generated table sits between these lines of docs/findings.md; the prose
# around it is written by hand.
TABLE_START = "<!-- codes: generated from evidence/check/codes.py, do not edit by hand -->"
TABLE_END = "<!-- end of codes -->"


def markdown_table() -> str:
    """The table of every code, as docs/findings.md shows it."""
    lines = ["| code | severity | concerns | when | what to do |", "|---|---|---|---|---|"]
    lines += [f"| `{c.code}` | {c.severity} | {c.concerns} | {c.when} | {c.action} |"
              for c in CODES]
    return "\n".join(lines) + "\n"


def with_table(document: str) -> str:
    """The document with the text between its table markers replaced by the table."""
    head, start, rest = document.partition(TABLE_START + "\n")
    _, end, tail = rest.partition(TABLE_END)
    if not start or not end:
        raise ValueError(f"the document has no {TABLE_START!r} ... {TABLE_END!r} lines")
    return head + start + markdown_table() + end + tail


def main(argv: list[str]) -> int:
    """``--markdown``: print the table; ``--write FILE``: regenerate FILE's table."""
    if argv == ["--markdown"]:
        sys.stdout.write(markdown_table())
        return 0
    if len(argv) == 2 and argv[0] == "--write":
        path = Path(argv[1])
        path.write_text(with_table(path.read_text(encoding="utf-8")), encoding="utf-8")
        return 0
    sys.stderr.write("usage: python -m evidence.check.codes --markdown | --write FILE\n")
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
