"""PubMed's publication types in `evidence check`: a design suggested where there is none,
a warning where the editor's design clearly contradicts them, nothing from a missing type."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from evidence.check.pubtypes import TABLE, read_types
from evidence.check.run import check_project
from evidence.cli import cli
from evidence.scale import DESIGN_BY_CODE
from tests.check.test_check import entry, project
from tests.crossref_support import FakeCrossref, fixture
from tests.pubmed_support import FakePubMed


def findings_of(root, code):
    _, findings = check_project(root)
    return [f for f in findings if f.code == code]


@pytest.mark.parametrize(("types", "design", "contradicts"), [
    (["Randomized Controlled Trial"], "case-report", True),
    (["Randomized Controlled Trial"], "narrative-review", True),
    (["Randomized Controlled Trial"], "randomised-trial", False),
    (["Randomized Controlled Trial"], "cohort", False),  # a secondary analysis
    (["Review"], "systematic-review", False),  # a Review is not against a systematic review
    (["Review"], "randomised-trial", True),
    (["Review", "Systematic Review", "Meta-Analysis"], "systematic-review-of-trials", False),
    (["Meta-Analysis"], "narrative-review", False),  # the editor judges the method poor
    (["Meta-Analysis"], "case-report", True),
    (["Case Reports"], "randomised-trial", True),
    (["Case Reports", "Review"], "narrative-review", False),
    (["Clinical Trial"], "case-series", False),  # a single-arm trial
    (["Journal Article"], "case-report", False),  # a missing type means nothing
    (["Journal Article", "Research Support, Non-U.S. Gov't"], "randomised-trial", False),
    (["Randomized Controlled Trial"], "other", False),
])
def test_contradicts_only_on_clear_conflicts(types, design, contradicts):
    assert read_types(types).contradicts(design) is contradicts


def test_the_most_specific_type_gives_the_suggestion():
    assert read_types(["Journal Article", "Review", "Systematic Review"]).suggestion.suggests[0] \
        == "systematic-review-of-trials"
    assert read_types(["review", " randomized  controlled trial "]).suggestion.suggests == (
        "randomised-trial",)
    assert read_types(["Journal Article", "Comparative Study"]).suggestion is None


def test_every_row_names_designs_of_the_scale():
    for row in TABLE:
        assert row.suggests and set(row.suggests) <= set(row.compatible) <= set(DESIGN_BY_CODE)


def test_check_messages_name_the_types_and_the_codes(tmp_path):
    root = project(tmp_path, bib=entry(design="case-report", extra=(
        "pubtypes = {pmid 29963580: Journal Article; Randomized Controlled Trial}")) + "\n"
        + entry(key="jones2021", doi="10.1234/other", design=None,
                extra="pubtypes = {pmid 7: Journal Article; Meta-Analysis}"))
    [conflict] = findings_of(root, "study-design-contradicts-pubmed")
    assert conflict.source_id == "smith2020" and conflict.severity == "warning"
    assert "studydesign is 'case-report'" in conflict.message
    assert "PubMed (PMID 29963580) types it as Randomized Controlled Trial" in conflict.message
    [suggestion] = findings_of(root, "study-design-suggested")
    assert suggestion.source_id == "jones2021" and suggestion.severity == "info"
    assert "Meta-Analysis" in suggestion.message
    assert "'systematic-review-of-trials' or 'systematic-review'" in suggestion.message
    text = (root / "references.bib").read_text(encoding="utf-8")
    assert text.count("studydesign") == 1  # the check sets nothing


def test_resolve_then_check_end_to_end(tmp_path):
    """A case-report source that PubMed types as an RCT, and a source without a design
    that PubMed types as a Systematic Review: resolve records, check reports both."""
    root = project(tmp_path / "p", bib=entry(design="case-report") + "\n"
                   + entry(key="jones2021", doi="10.1234/other", design=None))
    with FakeCrossref() as crossref, FakePubMed() as pubmed:
        for doi in ("10.1234/test.2020.1", "10.1234/other"):
            crossref.add_work({**fixture("corrected"), "DOI": doi, "updated-by": []})
        pubmed.add("10.1234/test.2020.1", ["Journal Article", "Randomized Controlled Trial"])
        pubmed.add("10.1234/other", ["Journal Article", "Review", "Systematic Review"])
        env = {"EVIDENCE_CROSSREF_URL": crossref.url, "EVIDENCE_PUBMED_URL": pubmed.url,
               "EVIDENCE_CACHE_DIR": str(tmp_path / "cache")}
        result = CliRunner().invoke(cli, ["resolve", "--project", str(root)], env=env)
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["check", "--project", str(root), "--code",
                                      "study-design-contradicts-pubmed", "--code",
                                      "study-design-suggested"])
    assert "study-design-contradicts-pubmed" in result.output
    assert "Randomized Controlled Trial" in result.output
    assert "study-design-suggested" in result.output and "Systematic Review" in result.output
    assert result.exit_code == 0  # a warning fails only --strict


def test_add_records_pubmed_types_of_what_it_adds(tmp_path):
    """``evidence add DOI`` asks PubMed for the sources it adds (``--no-pubmed`` not)."""
    root = project(tmp_path / "p", bib=entry(design="case-report"))
    with FakeCrossref() as crossref, FakePubMed() as pubmed:
        for doi in ("10.1234/added.1", "10.1234/added.2"):
            crossref.add_work({**fixture("corrected"), "DOI": doi, "updated-by": []})
        pubmed.add("10.1234/added.1", ["Journal Article", "Randomized Controlled Trial"])
        env = {"EVIDENCE_CROSSREF_URL": crossref.url, "EVIDENCE_PUBMED_URL": pubmed.url,
               "EVIDENCE_CACHE_DIR": str(tmp_path / "cache")}
        result = CliRunner().invoke(cli, ["add", "10.1234/added.1", "--project", str(root)],
                                    env=env)
        assert result.exit_code == 0, result.output
        assert "PubMed: publication types for 1 of 1 DOI(s)" in result.output
        result = CliRunner().invoke(cli, ["add", "10.1234/added.2", "--no-pubmed",
                                          "--project", str(root)], env=env)
        assert result.exit_code == 0, result.output
        assert "PubMed" not in result.output
    text = (root / "references.bib").read_text(encoding="utf-8")
    assert text.count("Randomized Controlled Trial") == 1 and text.count("pubtypes") == 1
    assert "10.1234/added.2" in text
