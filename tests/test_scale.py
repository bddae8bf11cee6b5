"""The basis rules of DESIGN §3, one by one."""

import pytest

from evidence.scale import (
    BASES,
    DESIGN_BY_CODE,
    STUDY_DESIGNS,
    TIERS,
    LinkGrade,
    grade_claim,
    tier_of,
)


def link(tier, relation="supports", direct=True, retracted=False):
    return LinkGrade(relation=relation, tier=tier, direct=direct, retracted=retracted)


@pytest.mark.parametrize("tier", ["trial", "observational", "case", "expert"])
def test_basis_is_the_tier_of_the_best_supporting_source(tier):
    assert grade_claim([link(tier)], None).basis == tier


def test_best_tier_wins_over_weaker_ones():
    grade = grade_claim([link("expert"), link("trial"), link("case")], None)
    assert grade.basis == "trial"


def test_consensus_when_no_source_supports_and_a_reason_is_given():
    assert grade_claim([], "standard anatomy").basis == "consensus"


def test_unsupported_without_source_or_reason():
    assert grade_claim([], None).basis == "unsupported"
    assert grade_claim([], "   ").basis == "unsupported"


def test_a_supporting_source_outranks_a_consensus_reason():
    assert grade_claim([link("case")], "standard anatomy").basis == "case"


def test_mentions_and_contradictions_do_not_support():
    grade = grade_claim([link("trial", "mentions"), link("trial", "contradicts")], None)
    assert grade.basis == "unsupported"
    assert grade.contested is True


def test_retracted_source_does_not_count():
    grade = grade_claim([link("trial", retracted=True), link("expert")], None)
    assert grade.basis == "expert"
    assert grade_claim([link("trial", retracted=True)], "x").basis == "consensus"


def test_indirect_when_every_best_tier_link_is_indirect():
    assert grade_claim([link("trial", direct=False)], None).indirect is True
    mixed = [link("trial", direct=False), link("trial", direct=True)]
    assert grade_claim(mixed, None).indirect is False
    # A direct link of a weaker tier does not make the best tier direct.
    weaker_direct = [link("trial", direct=False), link("expert", direct=True)]
    assert grade_claim(weaker_direct, None).indirect is True


def test_contested_when_any_source_contradicts():
    grade = grade_claim([link("trial"), link("case", "contradicts")], None)
    assert (grade.basis, grade.contested) == ("trial", True)
    assert grade_claim([link("trial")], None).contested is False


def test_source_without_design_counts_as_expert_literature():
    assert grade_claim([link(None)], None).basis == "expert"


def test_scale_tables_are_consistent():
    assert [t.rank for t in TIERS] == [1, 2, 3, 4]
    assert [b.code for b in BASES] == [
        "trial", "observational", "case", "expert", "consensus", "unsupported"]
    assert {d.tier for d in STUDY_DESIGNS} == {t.code for t in TIERS}
    assert tier_of("cohort") == "observational"
    assert tier_of("mechanistic") == "expert"
    assert DESIGN_BY_CODE["randomised-trial"].ocebm_level == 2
    assert tier_of(None) is None
