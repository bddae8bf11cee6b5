"""evidence check: every finding code, triggered by a minimal project and not by its fix."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from evidence.check.claims import doses, research_words
from evidence.check.codes import CODE_BY_NAME, CODES
from evidence.check.run import check_project
from tests.conftest import write_project

GUIDE = """\
Løbere får ofte ondt.

## Hvad er det?

Tendinopati er en overbelastningsskade i senen.

## Behandling

Progressiv belastning er centralt. Hold i 30 sekunder.
"""

HEAD = """\
guide:
  title: Testguide
  language: da
claims:
"""

DEFINITION = """\
  - id: t-definition
    quote: "Tendinopati er en overbelastningsskade i senen."
    type: definition
    consensus: "Standard definition."
"""

LOADING = """\
  - id: t-loading
    quote: "Progressiv belastning er centralt."
    type: treatment
    evidence:
      - source: smith2020
"""


def entry(key="smith2020", doi="10.1234/test.2020.1", design="randomised-trial",
          title="Loading for tendinopathy: a randomised trial", year="2020",
          extra="") -> str:
    fields = ["  author = {Smith, John and Jones, Ann}", f"  title = {{{title}}}",
              "  journal = {J Test}", f"  year = {{{year}}}", "  volume = {1}",
              "  number = {2}", "  pages = {10--20}"]
    if doi:
        fields.append(f"  doi = {{{doi}}}")
    if design:
        fields.append(f"  studydesign = {{{design}}}")
    fields += [f"  {line.strip()}" for line in extra.splitlines() if line.strip()]
    return f"@article{{{key},\n" + ",\n".join(fields) + "\n}\n"


BIB = entry()
KILDER = ("\n## Kilder\n\n- Smith J, Jones A. Loading for tendinopathy: a randomised trial. "
          "J Test. 2020;1(2):10-20. DOI: 10.1234/test.2020.1\n")


def project(tmp_path: Path, *, guide=GUIDE, claims=HEAD + DEFINITION + LOADING, bib=BIB,
            guide_id="testguide", history: str | None = None) -> Path:
    root = write_project(tmp_path, guide=guide, claims=claims, bib=bib, guide_id=guide_id)
    if history is not None:
        (root / "claims" / guide_id / "history.yaml").write_text(history, encoding="utf-8")
    return root


def codes(root: Path) -> dict[str, list]:
    _, findings = check_project(root)
    found: dict[str, list] = {}
    for finding in findings:
        found.setdefault(finding.code, []).append(finding)
    return found


def claim(id_, quote, *, type_="treatment", extra="") -> str:
    text = f'  - id: {id_}\n    quote: "{quote}"\n    type: {type_}\n'
    return text + textwrap.indent(textwrap.dedent(extra), "    ") if extra else text


# Every code: (files that trigger it, files that do not). Each value is a dict
# of keyword arguments for project(); the clean one differs by the fix.
CASES: dict[str, tuple[dict, dict]] = {
    "claim-unsupported": (
        {"claims": HEAD + claim("t-x", "Progressiv belastning er centralt.")},
        {"claims": HEAD + LOADING},
    ),
    "consensus-without-reason": (
        {"claims": HEAD + claim("t-x", "Progressiv belastning er centralt.",
                                extra='consensus: ""\n')},
        {"claims": HEAD + claim("t-x", "Progressiv belastning er centralt.",
                                extra='consensus: "Established in the tendinopathy literature."\n')},
    ),
    "quote-not-found": (
        {"claims": HEAD + DEFINITION + claim("t-x", "Belastning er alt.",
                                             extra="consensus: reason\n")},
        {"claims": HEAD + DEFINITION},
    ),
    "claim-orphaned": (
        {"claims": HEAD + DEFINITION + claim("t-x", "Belastning er alt.",
                                             extra="consensus: reason\n")},
        {"claims": HEAD + DEFINITION},
    ),
    "quote-ambiguous": (
        {"guide": GUIDE + "\nTendinopati er en overbelastningsskade i senen.\n"},
        {"guide": GUIDE + "\nTendinopati er en overbelastningsskade i senen.\n",
         "claims": HEAD + DEFINITION.replace('senen."', 'senen."\n    suffix: "Behandling"')
         + LOADING},
    ),
    "review-stale": (
        {"claims": HEAD + DEFINITION + "    review:\n      status: verified\n"
                          "      pin:\n        quote: 000000000000\n"
                          "        evidence: 111111111111\n"},
        {"claims": HEAD + DEFINITION + "    review:\n      status: verified\n"
                          "      pin:\n        quote: 6dac6b8415be\n"
                          "        evidence: 64ddcb9fbae3\n"},
    ),
    "review-pin-old": (
        {"claims": HEAD + DEFINITION + "    review:\n      status: verified\n"
                          "      pin:\n        quote: 6dac6b8415be\n"
                          "        evidence: 64ddcb9fbae3\n"},
        {"claims": HEAD + DEFINITION + "    review:\n      status: unreviewed\n"},
    ),
    "review-unpinned": (
        {"claims": HEAD + DEFINITION + "    review:\n      status: verified\n"},
        {"claims": HEAD + DEFINITION + "    review:\n      status: verified\n"
                          "      pin:\n        quote: 6dac6b8415be\n"
                          "        evidence: 64ddcb9fbae3\n"},
    ),
    "review-verified-unsupported": (
        {"claims": HEAD + claim("t-x", "Progressiv belastning er centralt.",
                                extra="review:\n  status: verified\n")},
        {"claims": HEAD + claim("t-x", "Progressiv belastning er centralt.",
                                extra="review:\n  status: needs-source\n")},
    ),
    "review-disputed": (
        {"claims": HEAD + DEFINITION + "    review:\n      status: disputed\n"
                          "      note: wrong tendon\n"},
        {"claims": HEAD + DEFINITION + "    review:\n      status: unreviewed\n"},
    ),
    "wording-promises-research": (
        {"guide": GUIDE + "\nForskning viser, at hvile hjælper.\n",
         "claims": HEAD + claim("t-x", "Forskning viser, at hvile hjælper.")},
        {"guide": GUIDE + "\nForskning viser, at hvile hjælper.\n",
         "claims": HEAD + claim("t-x", "Forskning viser, at hvile hjælper.",
                                extra="evidence:\n  - source: smith2020\n")},
    ),
    "evidence-indirect-only": (
        {"claims": HEAD + LOADING + "        direct: false\n"},
        {"claims": HEAD + LOADING + "        direct: true\n"},
    ),
    "dose-without-source": (
        {"claims": HEAD + claim("t-x", "Hold i 30 sekunder.", type_="dosage")},
        {"claims": HEAD + claim("t-x", "Hold i 30 sekunder.", type_="dosage",
                                extra="evidence:\n  - source: smith2020\n")},
    ),
    "claim-id-duplicate": (
        {"claims": HEAD + DEFINITION + LOADING.replace("t-loading", "t-definition")},
        {"claims": HEAD + DEFINITION + LOADING},
    ),
    "claim-id-retired": (
        {"claims": HEAD + DEFINITION + LOADING + "retired:\n  - id: t-loading\n"
                   "    reason: merged\n    date: 2026-01-02\n"},
        {"claims": HEAD + DEFINITION + LOADING + "retired:\n  - id: t-old\n"
                   "    reason: merged\n    date: 2026-01-02\n"},
    ),
    "citekey-unknown": (
        {"claims": HEAD + LOADING.replace("smith2020", "smith2021")},
        {"claims": HEAD + LOADING},
    ),
    "claims-invalid": (
        {"claims": HEAD + DEFINITION + "    colour: blue\n"},
        {"claims": HEAD + DEFINITION},
    ),
    "history-invalid": (
        {"history": '- claim: "t-definition"\n  action: review\n  at: [unclosed\n'},
        {"history": '- claim: "t-definition"\n  action: review\n  at: "2026-12-02T10:00:00Z"\n'
                    '  from: {"status": "unreviewed"}\n  to: {"status": "verified"}\n'},
    ),
    "source-printed-unlinked": (
        {"guide": GUIDE + KILDER, "claims": HEAD + DEFINITION},
        {"guide": GUIDE + KILDER},
    ),
    "source-uncited": (
        {"claims": HEAD + DEFINITION},
        {"claims": HEAD + DEFINITION, "guide": GUIDE + KILDER},
    ),
    "source-retracted": (
        {"bib": entry(extra="updates = {retraction 10.1234/retract.1 2021-03-01 publisher}")},
        {"bib": entry()},
    ),
    "source-partially-retracted": (
        {"bib": entry(extra="updates = {partial_retraction 10.1234/part.1 2021-03-01 publisher}")},
        {"bib": entry(extra="updates = {correction 10.1234/fix.1 2021-03-01 publisher}")},
    ),
    "source-notice-reversed": (
        {"bib": entry(extra="updates = {retraction 10.1234/retract.1 2021-03-01 publisher "
                            "reversed=2026-12-01}")},
        {"bib": entry(extra="updates = {retraction 10.1234/retract.1 2021-03-01 publisher "
                            "reversed=2026-12-01 confirmed=2026-12-02}")},
    ),
    "source-corrected": (
        {"bib": entry(extra="updates = {correction 10.1234/fix.1 2021-03-01 publisher}")},
        {"bib": entry()},
    ),
    "source-expression-of-concern": (
        {"bib": entry(extra="updates = {expression_of_concern 10.1234/eoc.1 2021-03-01 "
                            "publisher}")},
        {"bib": entry()},
    ),
    "source-no-doi": (
        {"bib": entry(doi=None)},
        {"bib": entry()},
    ),
    "source-no-study-design": (
        {"bib": entry(design=None)},
        {"bib": entry()},
    ),
    "study-design-suggested": (
        {"bib": entry(design=None, extra="pubtypes = {pmid 1: Journal Article; Meta-Analysis}")},
        {"bib": entry(design=None, extra="pubtypes = {pmid 1: Journal Article}")},
    ),
    "study-design-contradicts-pubmed": (
        {"bib": entry(design="case-report",
                      extra="pubtypes = {pmid 1: Randomized Controlled Trial}")},
        {"bib": entry(design="cohort", extra="pubtypes = {pmid 1: Randomized Controlled Trial}")},
    ),
    "printed-citation-differs": (
        {"guide": GUIDE + KILDER.replace("2020;", "2019;")},
        {"guide": GUIDE + KILDER},
    ),
    "printed-citation-unmatched": (
        {"guide": GUIDE + "\n## Kilder\n\n- Doe J. An unknown work. J Nowhere. 2001;3:1-2.\n"},
        {"guide": GUIDE + KILDER},
    ),
    "printed-doi-missing": (
        {"guide": GUIDE + KILDER + "- Doe J. Another work. J Test. 2021;2(1):1-5. "
                                   "DOI: 10.9999/missing.1\n"},
        {"guide": GUIDE + KILDER},
    ),
    "doi-invalid": (
        {"bib": entry(doi="not a doi")},
        {"bib": entry()},
    ),
    "doi-duplicate": (
        {"bib": entry() + "\n" + entry(key="smith2020b", title="Another")},
        {"bib": entry() + "\n" + entry(key="smith2020b", title="Another",
                                       doi="10.1234/test.2020.2")},
    ),
    "citekey-duplicate": (
        {"bib": entry() + "\n" + entry(doi="10.1234/test.2020.2")},
        {"bib": entry() + "\n" + entry(key="smith2020b", doi="10.1234/test.2020.2")},
    ),
    "study-design-unknown": (
        {"bib": entry(design="anecdote")},
        {"bib": entry()},
    ),
    "bibtex-invalid": (
        {"bib": entry() + "\n@article{broken,\n  title = {unclosed\n"},
        {"bib": entry()},
    ),
    "field-duplicate": (
        {"bib": entry(extra="DOI = {10.1234/test.2020.9}")},
        {"bib": entry(extra="note = {10.1234/test.2020.9}")},
    ),
    "heading-empty": (
        {"guide": GUIDE + "\n## Tom sektion\n\n## Sidste\n\nTekst.\n"},
        {"guide": GUIDE + "\n## Sektion\n\n### Under\n\nTekst.\n"},
    ),
    "lead-in-dangling": (
        {"guide": GUIDE + "\nDet er vigtigt at udelukke andre tilstande:\n\n"
                          "En grundig undersøgelse hjælper.\n"},
        {"guide": GUIDE + "\nDet er vigtigt at udelukke andre tilstande:\n\n"
                          "- Baker's cyste\n- Meniskskade\n"},
    ),
    "paragraph-repeated": (
        {"guide": GUIDE + "\nSøvn er kroppens primære reparationstid, og den betyder meget.\n"
                          "\nSøvn er kroppens primære reparationstid, og den betyder meget!\n"},
        {"guide": GUIDE + "\nSøvn er kroppens primære reparationstid, og den betyder meget.\n"
                          "\nStress påvirker heling, og det har en reel biologisk betydning.\n"},
    ),
    "guide-missing": (
        {"guide_id": "other"},
        {},
    ),
    "guide-without-claims": (
        {"claims": ""},
        {},
    ),
    "doi-not-normalised": (
        {"bib": entry(doi="https://doi.org/10.1234/TEST.2020.1")},
        {"bib": entry()},
    ),
}

# Codes only the build reports (it alone knows what an earlier build holds):
# tests/database/test_reach.py finds each.
BUILD_CODES = {"guide-stale", "guide-unpublished"}


def test_every_code_has_a_case_and_every_case_a_code():
    assert set(CASES) | BUILD_CODES == set(CODE_BY_NAME)


@pytest.mark.parametrize("code", sorted(CASES))
def test_code_is_found_when_true(tmp_path, code):
    trigger, _ = CASES[code]
    if code == "guide-missing":
        project(tmp_path)
        (tmp_path / "claims" / "other").mkdir()
    else:
        project(tmp_path, **trigger)
    found = codes(tmp_path)
    assert code in found, found
    for finding in found[code]:
        assert finding.severity == CODE_BY_NAME[code].severity
        assert finding.message


@pytest.mark.parametrize("code", sorted(CASES))
def test_code_is_not_found_when_fixed(tmp_path, code):
    _, clean = CASES[code]
    project(tmp_path, **clean)
    found = codes(tmp_path)
    assert code not in found
    errors = [f for fs in found.values() for f in fs if f.severity == "error"]
    assert errors == []


def test_the_base_fixture_has_no_findings(tmp_path):
    project(tmp_path)
    assert codes(tmp_path) == {}


# --- Details of individual checks ---------------------------------------------------


def test_consensus_markers_are_not_reasons(tmp_path):
    claims = HEAD + claim("t-x", "Progressiv belastning er centralt.", extra="consensus: yes\n")
    project(tmp_path, claims=claims)
    found = codes(tmp_path)
    assert "consensus-without-reason" in found
    assert "claim-unsupported" not in found  # one finding for one problem


def test_empty_consensus_is_one_finding_with_the_claim(tmp_path):
    project(tmp_path, claims=HEAD + claim("t-x", "Progressiv belastning er centralt.",
                                          extra='consensus: ""\n'))
    found = codes(tmp_path)["consensus-without-reason"]
    assert len(found) == 1
    assert found[0].claim_id == "t-x" and found[0].guide_id == "testguide"
    assert found[0].path == "claims/testguide/claims.yaml" and found[0].line == 8  # the consensus line


def test_retraction_names_every_affected_claim(tmp_path):
    claims = HEAD + LOADING + claim("t-more", "Hold i 30 sekunder.", type_="dosage",
                                    extra="evidence:\n  - source: smith2020\n")
    project(tmp_path, claims=claims,
            bib=entry(extra="updates = {retraction 10.1234/r.1 2021-03-01 publisher; "
                            "retraction 10.1234/r.1 2021-03-02 retraction-watch}"))
    found = codes(tmp_path)
    retracted = found["source-retracted"]
    assert sorted(f.claim_id for f in retracted) == ["t-loading", "t-more"]
    for finding in retracted:
        assert finding.source_id == "smith2020"
        assert "t-loading" in finding.message and "t-more" in finding.message
        assert "10.1234/r.1" in finding.message
    # A retracted source supports nothing: the claims are unsupported now.
    assert {f.claim_id for f in found["claim-unsupported"]} == {"t-loading", "t-more"}


def test_quote_not_found_after_a_guide_edit_names_the_claim(tmp_path):
    project(tmp_path)
    guide = tmp_path / "claims" / "testguide" / "guide.md"
    guide.write_text(GUIDE.replace("centralt", "vigtigt"), encoding="utf-8")
    found = codes(tmp_path)["quote-not-found"]
    assert [f.claim_id for f in found] == ["t-loading"]
    assert "did you mean" in found[0].message
    assert found[0].severity == "error"


def test_research_words_follow_the_guide_language():
    assert research_words("Et studie fra 2025 viser", "da") == ["studie"]
    assert research_words("bred konsensus fra tendinopatilitteraturen", "da") == [
        "tendinopatilitteraturen"]
    assert research_words("en grundig undersøgelse", "da") == []
    assert research_words("Studies show that rest helps", "en") == ["Studies"]
    assert research_words("Studies show that rest helps", "en-GB") == ["Studies"]
    assert research_words("a thorough examination", "en") == []
    assert research_words("Studies show", None) == ["Studies"]


def test_english_guide_uses_english_words(tmp_path):
    guide = "Intro.\n\n## Section\n\nStudies show that rest helps.\n"
    claims = ("guide:\n  title: T\n  language: en\nclaims:\n"
              + claim("t-x", "Studies show that rest helps."))
    project(tmp_path, guide=guide, claims=claims)
    found = codes(tmp_path)["wording-promises-research"]
    assert "Studies" in found[0].message and "on no source" in found[0].message


def test_consensus_claims_promising_research_are_flagged(tmp_path):
    guide = GUIDE + "\nDer er bred konsensus fra tendinopatilitteraturen om belastning.\n"
    claims = HEAD + claim("t-x", "bred konsensus fra tendinopatilitteraturen om belastning",
                          extra="consensus: the guide invokes it\n")
    project(tmp_path, guide=guide, claims=claims)
    assert "on consensus" in codes(tmp_path)["wording-promises-research"][0].message


@pytest.mark.parametrize("text, expected", [
    ("Hold i 30-45 sekunder.", ["30-45 sekunder"]),
    ("3 sæt x 10-15 reps.", ["3 sæt", "10-15 reps"]),
    ("Øg distance langsomt (10-15% per uge)", ["10-15%"]),
    ("Hold kadence høj (90+ rpm)", ["90+ rpm"]),
    ("Protein: 1,6-2,0 g/kg kropsvægt", ["1,6-2,0 g/kg"]),
    ("Fase 1: Symptomkontrol (Uge 1-2)", ["Uge 1-2"]),
    ("Sigt efter 7-9 timer.", ["7-9 timer"]),
    ("moderate tilfælde tager typisk 2-3 måneder", ["2-3 måneder"]),
    ("Hold for 30 seconds, 3 sets of 10 reps", ["30 seconds", "3 sets", "10 reps"]),
    ("En narrativ oversigtsartikel fra 2022 i PM&R", []),
    ("Fase 1: Symptomkontrol", []),
    ("3 hamstring muscles", []),
])
def test_doses(text, expected):
    assert doses(text) == expected


def test_heading_with_only_subheadings_that_have_text_is_not_empty(tmp_path):
    guide = GUIDE + "\n## Øvelser\n\n### Bro\n\nLig på ryggen.\n\n### Tom\n\n## Slut\n\nTekst.\n"
    project(tmp_path, guide=guide)
    found = codes(tmp_path)["heading-empty"]
    assert len(found) == 1 and "'Tom'" in found[0].message
    assert found[0].path == "claims/testguide/guide.md"


def test_last_heading_without_text_is_empty(tmp_path):
    project(tmp_path, guide=GUIDE + "\n## FAQ\n")
    assert "'FAQ'" in codes(tmp_path)["heading-empty"][0].message


@pytest.mark.parametrize("after, dangling", [
    ("- punkt\n", False),
    ("Isometrisk bro: Lig på ryggen og hold.\n", False),
    ('"Mit knæ er ødelagt"\n', False),
    ("Vigtigt: Gul zone er acceptabel.\n", True),
    ("En grundig undersøgelse hjælper.\n", True),
    ("## Næste\n\nTekst.\n", True),
    ("", True),
])
def test_lead_in(tmp_path, after, dangling):
    guide = GUIDE + "\nStyrketræning: Start med isometriske øvelser:\n\n" + after
    project(tmp_path, guide=guide)
    assert ("lead-in-dangling" in codes(tmp_path)) is dangling


def test_short_paragraphs_may_repeat(tmp_path):
    guide = GUIDE + "\nSådan gør du:\n\n- a\n\nSådan gør du:\n\n- b\n"
    project(tmp_path, guide=guide)
    assert "paragraph-repeated" not in codes(tmp_path)


def test_near_duplicate_paragraph_names_the_first(tmp_path):
    text = "Massage kan give kortvarig lindring og føles godt, men der er ingen dokumentation."
    guide = GUIDE + f"\n{text}\n\n{text.replace('godt', 'rart')}\n"
    project(tmp_path, guide=guide)
    found = codes(tmp_path)["paragraph-repeated"]
    assert len(found) == 1 and "nearly repeats the one at line 11" in found[0].message


def test_source_printed_by_a_guide_is_not_uncited(tmp_path):
    project(tmp_path, guide=GUIDE + KILDER, claims=HEAD + DEFINITION)
    found = codes(tmp_path)
    assert "source-uncited" not in found
    unlinked = found["source-printed-unlinked"][0]
    assert unlinked.source_id == "smith2020" and unlinked.guide_id == "testguide"


def test_printed_citation_differences_name_the_field(tmp_path):
    project(tmp_path, guide=GUIDE + KILDER.replace("2020;1(2)", "2019;1(3)"))
    found = codes(tmp_path)["printed-citation-differs"]
    assert {f.source_id for f in found} == {"smith2020"}
    messages = " ".join(f.message for f in found)
    assert "year" in messages and "issue" in messages
    assert len(found) == 2  # one finding per field
    assert found[0].line == GUIDE.count("\n") + 4


def test_load_problems_keep_file_and_line(tmp_path):
    project(tmp_path, claims=HEAD + LOADING.replace("smith2020", "smith2021"))
    finding = codes(tmp_path)["citekey-unknown"][0]
    assert finding.claim_id == "t-loading" and finding.source_id is None
    assert finding.path == "claims/testguide/claims.yaml" and finding.line == 9
    assert "smith2020" in finding.message  # the suggestion


def test_code_table_is_documented():
    docs = Path(__file__).resolve().parents[2] / "docs" / "findings.md"
    text = docs.read_text(encoding="utf-8")
    for code in CODES:
        assert f"`{code.code}`" in text, code.code


def test_stale_review_message_names_the_reviewer(tmp_path):
    claims = HEAD + DEFINITION + LOADING
    project(tmp_path, claims=claims)
    from click.testing import CliRunner

    from evidence.cli import cli

    result = CliRunner().invoke(cli, ["review", "t-definition", "--status", "verified",
                                      "--by", "Ann", "--project", str(tmp_path)])
    assert result.exit_code == 0, result.output
    path = tmp_path / "claims/testguide/claims.yaml"
    path.write_text(path.read_text().replace('quote: "Tendinopati er en overbelastningsskade i '
                                             'senen."', 'quote: "Tendinopati er en '
                                             'overbelastningsskade i senerne."'))
    (tmp_path / "claims/testguide/guide.md").write_text(
        GUIDE.replace("i senen.", "i senerne."))
    stale = codes(tmp_path)["review-stale"][0].message
    assert stale.startswith("marked verified by Ann on ")


def test_dose_without_source_is_quiet_once_marked_needs_source(tmp_path):
    dose = claim("t-dose", "Progressiv belastning er centralt.")
    project(tmp_path, claims=HEAD + dose.replace("centralt.", "centralt i 6 uger."),
            guide=GUIDE.replace("er centralt.", "er centralt i 6 uger."))
    assert "dose-without-source" in codes(tmp_path)
    marked = dose.replace("centralt.", "centralt i 6 uger.") + (
        "    review:\n      status: needs-source\n")
    project(tmp_path, claims=HEAD + marked,
            guide=GUIDE.replace("er centralt.", "er centralt i 6 uger."))
    assert "dose-without-source" not in codes(tmp_path)
