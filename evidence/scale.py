"""The evidence scale: study designs, tiers and claim bases (DESIGN §3).

This module is the single place where the scale is defined; the build
publishes it as the tables ``study_designs``, ``tiers`` and ``bases``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Tier:
    code: str
    label: str
    rank: int  # 1 is strongest


@dataclass(frozen=True)
class StudyDesign:
    code: str
    label: str
    tier: str
    ocebm_level: int
    description: str


@dataclass(frozen=True)
class Basis:
    code: str
    label: str
    rank: int  # 1 is strongest
    description: str


TIERS: tuple[Tier, ...] = (
    Tier("trial", "Trials", 1),
    Tier("observational", "Observational studies", 2),
    Tier("case", "Case reports and series", 3),
    Tier("expert", "Expert and laboratory literature", 4),
)

STUDY_DESIGNS: tuple[StudyDesign, ...] = (
    StudyDesign("systematic-review-of-trials", "Systematic review of randomised trials", "trial", 1,
                "A systematic review (with or without meta-analysis) of randomised trials."),
    StudyDesign("randomised-trial", "Randomised controlled trial", "trial", 2,
                "Participants allocated to interventions at random."),
    StudyDesign("systematic-review", "Systematic review of observational studies", "observational", 3,
                "A systematic review whose included studies are not randomised trials."),
    StudyDesign("non-randomised-trial", "Non-randomised controlled trial", "observational", 3,
                "An intervention study without random allocation."),
    StudyDesign("cohort", "Cohort study", "observational", 3,
                "A group followed over time, exposure recorded before outcome."),
    StudyDesign("case-control", "Case-control study", "observational", 3,
                "People with the outcome compared with people without it."),
    StudyDesign("cross-sectional", "Cross-sectional study", "observational", 3,
                "Exposure and outcome measured at one time in a defined group."),
    StudyDesign("diagnostic-accuracy", "Diagnostic accuracy study", "observational", 3,
                "A test compared with a reference standard in a defined group."),
    StudyDesign("case-series", "Case series", "case", 4,
                "A description of several patients without a comparison group."),
    StudyDesign("case-report", "Case report", "case", 4,
                "A description of a single patient."),
    StudyDesign("narrative-review", "Narrative review", "expert", 5,
                "A review that summarises literature without a systematic search."),
    StudyDesign("expert-opinion", "Expert opinion", "expert", 5,
                "The view of one or more experts, not based on a study."),
    StudyDesign("consensus-statement", "Consensus statement", "expert", 5,
                "A statement agreed by a panel of experts."),
    StudyDesign("guideline", "Clinical guideline", "expert", 5,
                "Recommendations issued by a professional body."),
    StudyDesign("mechanistic", "Mechanistic study", "expert", 5,
                "A laboratory, cadaveric, biomechanical or modelling study."),
    StudyDesign("other", "Other", "expert", 5,
                "Any other kind of publication."),
)

BASES: tuple[Basis, ...] = (
    Basis("trial", "Trials", 1,
          "Its best supporting source is a randomised trial or a systematic review of trials."),
    Basis("observational", "Observational studies", 2,
          "Its best supporting source is an observational study such as a cohort, "
          "case-control or cross-sectional study."),
    Basis("case", "Case reports", 3,
          "Its best supporting source is a case report or case series."),
    Basis("expert", "Expert literature", 4,
          "Its best supporting source is a narrative review, guideline, expert opinion "
          "or laboratory study."),
    Basis("consensus", "Clinical consensus", 5,
          "No source supports it; it deliberately rests on clinical consensus or "
          "established knowledge, for the reason given."),
    Basis("unsupported", "Unsupported", 6,
          "No source supports it and no consensus reason is given: it needs a source."),
)

TIER_BY_CODE = {t.code: t for t in TIERS}
DESIGN_BY_CODE = {d.code: d for d in STUDY_DESIGNS}
BASIS_BY_CODE = {b.code: b for b in BASES}

RELATIONS = ("supports", "contradicts", "mentions")


def tier_of(design: str | None) -> str | None:
    """The tier of a study design code, or None when the design is not set."""
    if design is None:
        return None
    return DESIGN_BY_CODE[design].tier


@dataclass(frozen=True)
class LinkGrade:
    """What the basis computation needs to know of one evidence link."""

    relation: str
    tier: str | None  # None: the source has no study design yet
    direct: bool
    retracted: bool


@dataclass(frozen=True)
class Grade:
    basis: str
    indirect: bool
    contested: bool


def grade_claim(links: Iterable[LinkGrade], consensus: str | None) -> Grade:
    """Compute a claim's basis from its links (DESIGN §3).

    Retracted sources count for nothing. A supporting source without a study
    design cannot be graded, so it counts as expert-tier: the weakest level of
    literature, never stronger than what has been shown.
    """
    links = list(links)
    contested = any(link.relation == "contradicts" for link in links)
    supporting = [
        link for link in links if link.relation == "supports" and not link.retracted
    ]
    if not supporting:
        basis = "consensus" if consensus and consensus.strip() else "unsupported"
        return Grade(basis=basis, indirect=False, contested=contested)

    def rank(link: LinkGrade) -> int:
        return TIER_BY_CODE[link.tier or "expert"].rank

    best_rank = min(rank(link) for link in supporting)
    best = [link for link in supporting if rank(link) == best_rank]
    basis = next(t.code for t in TIERS if t.rank == best_rank)
    return Grade(
        basis=basis,
        indirect=all(not link.direct for link in best),
        contested=contested,
    )


# Notices after which a work no longer stands: Crossref's retraction, and the
# withdrawal and removal types some publishers use for the same act. Here, with
# the scale, because a withdrawn source supports nothing (the basis rule).
WITHDRAWING_UPDATES = frozenset({"retraction", "withdrawal", "removal"})


def counts_as_support(relation: str, retracted: bool) -> bool:
    """Whether a link counts toward its claim's basis: it supports, and its
    source is not retracted (DESIGN §3)."""
    return relation == "supports" and not retracted
