"""PubMed publication types against the editor's study design: the table and the rules.

PubMed's types (MeSH publication types) say what kind of paper a record is;
the study design (DESIGN §3) is the editor's judgement of what it shows. The
check uses the types twice, and sets nothing itself:

- a source without ``studydesign``: it *suggests* the designs its most
  specific type points to (finding ``study-design-suggested``);
- a source with one: it warns only when the design fits *none* of PubMed's
  specific types (finding ``study-design-contradicts-pubmed``).

Only positive, specific types count. A type missing means nothing: many
trials and cohort studies carry only "Journal Article" (and "Research
Support, …"), and "Systematic Review" exists as a type since 2019. Types
that name no design ("Journal Article", "Comparative Study", "Multicenter
Study", "Letter", "Comment", "Retracted Publication", …) are not in the table.

Each row gives the designs to suggest (best guess first) and the wider set of
designs that do *not* contradict the type: an editor may rightly grade a paper
otherwise than its type reads (an RCT's secondary analysis as a cohort study,
a "systematic review" of poor method as narrative), so "contradicts" is kept
to clear conflicts: a primary study graded as a review or the reverse, a
trial as a case report, a case report as a trial.
"""

from __future__ import annotations

from dataclasses import dataclass

from evidence.scale import DESIGN_BY_CODE

# Designs of primary studies that may come out of a trial's data (secondary or
# post-hoc analyses, diagnostic sub-studies, laboratory crossover trials).
_FROM_TRIAL_DATA = ("cohort", "case-control", "cross-sectional", "diagnostic-accuracy",
                    "mechanistic")
_REVIEWS = ("systematic-review-of-trials", "systematic-review", "narrative-review")


@dataclass(frozen=True)
class TypeRow:
    pubtype: str  # PubMed's words, as esummary gives them
    suggests: tuple[str, ...]  # designs to suggest, best guess first
    compatible: tuple[str, ...]  # designs that do not contradict it (suggests included)
    why: str  # said in the finding


# Most specific first: the first row a source's types match gives the suggestion.
TABLE: tuple[TypeRow, ...] = (
    # A meta-analysis pools studies found by a systematic review; which design code
    # depends on what it pooled (trials or not), which PubMed does not say.
    TypeRow("Network Meta-Analysis", ("systematic-review-of-trials", "systematic-review"),
            _REVIEWS, "a network meta-analysis (a systematic review pooling trials)"),
    TypeRow("Meta-Analysis", ("systematic-review-of-trials", "systematic-review"),
            _REVIEWS, "a meta-analysis (a systematic review that pools its studies)"),
    # Since 2019; the design code again depends on the studies included. A review
    # the editor judges unsystematic (narrative) is a grading, not a conflict.
    TypeRow("Systematic Review", ("systematic-review-of-trials", "systematic-review"),
            _REVIEWS, "a systematic review"),
    # Random allocation is what the type asserts. Secondary analyses of a trial's
    # data may be graded as observational or laboratory work; a non-randomised
    # grading may be the editor's view of a flawed randomisation.
    TypeRow("Randomized Controlled Trial", ("randomised-trial",),
            ("randomised-trial", "non-randomised-trial", *_FROM_TRIAL_DATA),
            "a randomised controlled trial"),
    TypeRow("Randomized Controlled Trial, Veterinary", ("randomised-trial",),
            ("randomised-trial", "non-randomised-trial", *_FROM_TRIAL_DATA),
            "a randomised controlled trial in animals"),
    # Controlled, with allocation not (or not clearly) random: either trial code.
    TypeRow("Controlled Clinical Trial", ("non-randomised-trial", "randomised-trial"),
            ("randomised-trial", "non-randomised-trial", *_FROM_TRIAL_DATA),
            "a controlled clinical trial (allocation not clearly random)"),
    # A clinical trial of any phase: randomised or not, often single-arm (which an
    # editor may grade as a case series).
    *(TypeRow(name, ("randomised-trial", "non-randomised-trial"),
              ("randomised-trial", "non-randomised-trial", "case-series", *_FROM_TRIAL_DATA),
              "a clinical trial (randomised or not)")
      for name in ("Clinical Trial, Phase III", "Clinical Trial, Phase IV",
                   "Clinical Trial, Phase II", "Clinical Trial, Phase I", "Clinical Trial")),
    # Observational by the type's definition: which of the observational designs
    # PubMed does not say.
    TypeRow("Observational Study", ("cohort", "case-control", "cross-sectional"),
            ("cohort", "case-control", "cross-sectional", "diagnostic-accuracy",
             "case-series", "non-randomised-trial"),
            "an observational study"),
    # PubMed types single patients and small series alike as Case Reports; "case
    # report and review of the literature" is common, hence narrative-review.
    TypeRow("Case Reports", ("case-report", "case-series"),
            ("case-report", "case-series", "narrative-review"),
            "a case report"),
    TypeRow("Practice Guideline", ("guideline",), ("guideline", "consensus-statement"),
            "a practice guideline"),
    TypeRow("Guideline", ("guideline",), ("guideline", "consensus-statement"), "a guideline"),
    TypeRow("Consensus Development Conference", ("consensus-statement",),
            ("consensus-statement", "guideline", "expert-opinion"),
            "the statement of a consensus conference"),
    TypeRow("Consensus Development Conference, NIH", ("consensus-statement",),
            ("consensus-statement", "guideline", "expert-opinion"),
            "the statement of an NIH consensus conference"),
    # "Review" covers every kind of review, systematic ones included (PubMed
    # types those as Review too), and position papers: never a primary study.
    TypeRow("Review", ("narrative-review",),
            (*_REVIEWS, "expert-opinion", "consensus-statement", "guideline"),
            "a review"),
    # An editorial states a view; one that surveys the literature is a review.
    TypeRow("Editorial", ("expert-opinion",), ("expert-opinion", "narrative-review",
                                               "consensus-statement"),
            "an editorial"),
)

ROW_BY_TYPE = {row.pubtype.lower(): row for row in TABLE}


@dataclass(frozen=True)
class Verdict:
    rows: tuple[TypeRow, ...]  # the specific types matched, most specific first

    @property
    def suggestion(self) -> TypeRow | None:
        return self.rows[0] if self.rows else None

    def contradicts(self, design: str) -> bool:
        """True when ``design`` fits none of the specific types: a clear conflict.
        Designs "other" and unknown codes are never called contradictions."""
        if not self.rows or design not in DESIGN_BY_CODE or design == "other":
            return False
        return not any(design in row.compatible for row in self.rows)


def read_types(types: tuple[str, ...] | list[str]) -> Verdict:
    """The table's rows for PubMed ``types`` (case and spacing ignored), most
    specific first; types not in the table say nothing."""
    matched = {ROW_BY_TYPE[key] for key in (" ".join(t.split()).lower() for t in types)
               if key in ROW_BY_TYPE}
    return Verdict(tuple(row for row in TABLE if row in matched))


def _check_table() -> None:
    """Every code of the table is a design of the scale (checked on import)."""
    for row in TABLE:
        for code in (*row.suggests, *row.compatible):
            if code not in DESIGN_BY_CODE:
                raise ValueError(f"{row.pubtype}: unknown design {code!r}")
        if not set(row.suggests) <= set(row.compatible):
            raise ValueError(f"{row.pubtype}: a suggestion must be compatible")


_check_table()
