"""`evidence coverage`: sentence splitting, what looks factual, and the report."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence.check.coverage import (
    factual_reasons,
    project_coverage,
    split_sentences,
)
from evidence.cli import cli
from evidence.language import lexicon as lexicon_for
from evidence.project import load_project

BIB = """\
% test references
@article{smith2020,
  author = {Smith, John},
  title = {Loading for tendinopathy},
  journal = {J Test},
  year = {2020},
  doi = {10.1234/test.2020.1},
  studydesign = {randomised-trial},
  metadatasource = {manual}
}
"""

DANISH_GUIDE = """\
Løbere får ofte ondt bag knæet. Det er en guide.

## Hvad er det?

Tendinopati er en overbelastningsskade i senen. Forskningen er sparsom sammenlignet med andre skader.

## Behandling

- Hold i 30-45 sekunder
- Løft bækkenet let op fra gulvet

Stå med let bøjet knæ (ca. 20-30 grader). Massage er bedre end hvile. Tag 1,6 g/kg protein.

Et studie fra 2025 undersøgte ultralyd.

## Kilder

- Smith J. Loading for tendinopathy. J Test. 2020;1(2):10-20.
"""

DANISH_CLAIMS = """\
guide:
  title: Testguide
  language: da
claims:
  - id: t-sparse
    quote: "Forskningen er sparsom"
    type: treatment
  - id: t-hold
    quote: "Hold i 30-45 sekunder"
    type: dosage
    evidence:
      - source: smith2020
not_claims:
  - quote: "Et studie fra 2025 undersøgte ultralyd."
    reason: "Describes a study."
"""

ENGLISH_GUIDE = """\
Runners often get knee pain. This is a guide.

## Treatment

Research shows that loading works. Hold for 30 seconds, e.g. against a wall.
Lie on your back.

Massage is better than rest. Rest helps.

## References

- Smith J. Loading. J Test. 2020.
"""

ENGLISH_CLAIMS = """\
guide:
  title: English test guide
  language: en
claims:
  - id: e-loading
    quote: "loading works"
    type: treatment
"""


def write_guide(root: Path, guide_id: str, guide: str, claims: str) -> Path:
    folder = root / "claims" / guide_id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "guide.md").write_text(textwrap.dedent(guide), encoding="utf-8")
    (folder / "claims.yaml").write_text(claims, encoding="utf-8")
    (root / "references.bib").write_text(BIB, encoding="utf-8")
    return root


@pytest.fixture
def danish(tmp_path: Path) -> Path:
    return write_guide(tmp_path, "dansk", DANISH_GUIDE, DANISH_CLAIMS)


@pytest.fixture
def english(tmp_path: Path) -> Path:
    return write_guide(tmp_path, "english", ENGLISH_GUIDE, ENGLISH_CLAIMS)


def sentences(text: str) -> list[str]:
    return [text[s.start:s.end] for s in split_sentences(text)]


# --- Sentence splitting -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hold i 30-45 sekunder. 3-5 gentagelser.", ["Hold i 30-45 sekunder.", "3-5 gentagelser."]),
        ("Langsomt tempo (3 sek. op, 3 sek. ned). Næste.", ["Langsomt tempo (3 sek. op, 3 sek. ned).",
                                                            "Næste."]),
        ("Knæene ca. 20-30 grader bøjede. Slut.", ["Knæene ca. 20-30 grader bøjede.", "Slut."]),
        ("Smerte ved knæbøjning: Fx. Squats og lunges.", ["Smerte ved knæbøjning: Fx. Squats og lunges."]),
        ("Baker's cyste, bursitis osv. Det er komplekst.", ["Baker's cyste, bursitis osv. Det er komplekst."]),
        ("Distal vs. proksimal. Ja.", ["Distal vs. proksimal.", "Ja."]),
        ("Protein: 1,6-2,0 g/kg. Også 1.6 g/kg. Slut.", ["Protein: 1,6-2,0 g/kg.", "Også 1.6 g/kg.",
                                                          "Slut."]),
        ('Frustration: "Hvorfor går det ikke hurtigere?" Det er normalt.',
         ['Frustration: "Hvorfor går det ikke hurtigere?"', "Det er normalt."]),
        ("Hold e.g. 30 seconds. Then rest! Why? Because.", ["Hold e.g. 30 seconds.", "Then rest!",
                                                           "Why?", "Because."]),
        ("Reported by M. Sederberg in 2022. Next.", ["Reported by M. Sederberg in 2022.", "Next."]),
        ("Vigtigt: Gul zone er acceptabel – du skal bare træne",
         ["Vigtigt: Gul zone er acceptabel – du skal bare træne"]),
        ("Slutter med parentes (se nedenfor.) Ny sætning.", ["Slutter med parentes (se nedenfor.)",
                                                             "Ny sætning."]),
        ("", []),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_split_spans_point_into_the_text() -> None:
    text = "  Første sætning.   Anden sætning.  "
    spans = split_sentences(text)
    assert [(s.start, s.end) for s in spans] == [(2, 17), (20, 34)]


# --- What looks factual -------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Øg distance langsomt (10-15% per uge)", "percentage"),
        ("3 sæt x 10-15 reps.", "dose"),
        ("Hold kadence høj (90+ rpm)", "dose"),
        ("Protein: 1,6-2,0 g/kg kropsvægt", "dose"),
        ("Sigt efter 7-9 timer.", "duration"),
        ("Have realistiske forventninger (uger til måneder, ikke dage)", "duration"),
        ("Et studie fra 2025 i en tidsskrift.", "number"),
        ("Dine hasemuskler består af tre muskler.", "number"),
        ("Massage er bedre end hvile.", "comparison"),
        ("Kan være værre i starten.", "comparison"),
        ("Der er bred konsensus fra tendinopatilitteraturen.", "evidence word"),
        ("Forskningen er sparsom.", "evidence word"),
        ("Der er ingen dokumentation for langtidseffekt.", "evidence word"),
        ("Der er nogen evidens for shockwave.", "evidence word"),
        ("Bakkeløb: Øger belastningen på hasemuskulaturen, dog primært proksimalt", "effect"),
        ("Søvnmangel reducerer restitution", "effect"),
        ("Højt stressniveau påvirker heling", "effect"),
        ("Underskud hæmmer heling", "effect"),
        ("Excentrisk træning mindsker smerten.", "effect"),
        ("Hvile forbedrer sjældent senen.", "effect"),
        ("Løb i sne forværrede symptomerne.", "effect"),
    ],
)
def test_danish_factual_sentences(sentence: str, kind: str) -> None:
    reasons = factual_reasons(sentence, "da")
    assert any(r.startswith(kind) for r in reasons), reasons


@pytest.mark.parametrize(
    "sentence",
    [
        "Lig på maven på en bænk eller gulv",
        "Pres hælene ned i underlaget",
        "Sådan gør du:",
        "Brug hænderne til at gribe dig i bunden",
        "Øg belastningen gradvist",  # the imperative is an instruction
    ],
)
def test_danish_instructions_do_not_look_factual(sentence: str) -> None:
    assert factual_reasons(sentence, "da") == []


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Research shows that loading works.", "evidence word"),
        ("Two studies found nothing.", "evidence word"),
        ("There is broad consensus.", "evidence word"),
        ("The literature is sparse.", "evidence word"),
        ("Massage is better than rest.", "comparison"),
        ("Aim for seven to nine hours.", "duration"),
        ("Three sets of ten repetitions.", "dose"),
        ("Increase by 10% per week.", "percentage"),
        ("Hill running increases the load on the hamstrings.", "effect"),
        ("Sleep loss reduces recovery.", "effect"),
        ("Loading improves tendon capacity.", "effect"),
        ("Stress worsens the pain.", "effect"),
    ],
)
def test_english_factual_sentences(sentence: str, kind: str) -> None:
    reasons = factual_reasons(sentence, "en")
    assert any(r.startswith(kind) for r in reasons), reasons


def test_word_lists_follow_the_language() -> None:
    # Danish words are not evidence words in an English guide, and the other way round.
    assert factual_reasons("Forskningen er sparsom.", "en") == []
    assert factual_reasons("Research is sparse.", "da") == []
    assert factual_reasons("Lie on your back.", "en") == []
    assert factual_reasons("Increase the load gradually.", "en") == []
    # Regional codes use their language; unknown languages fall back to English.
    assert lexicon_for("da-DK").language == "da"
    assert lexicon_for("en_GB").language == "en"
    assert lexicon_for("sv").language == "en"
    assert lexicon_for(None).language == "en"


@pytest.mark.parametrize(("sentence", "kind", "context"), [
    ("Hvad er distal hasetendinopati?", "question", {}),
    ('Katastrofetænkning: "Mit knæ er ødelagt"', "quotation", {}),
    ("I denne guide gennemgår vi, hvad tilstanden er.", "outline", {}),
    ("Hos LøberLab hjælper vi løbere med at komme tilbage.", "about the authors", {}),
    ("Søg læge hvis du oplever:", "lead-in", {}),
    ("Pres hælene ned i underlaget", "instruction", {}),
    ("Stå med let bøjet knæ (20-30 grader) og hold positionen.", "instruction", {}),
    ("Kan gøres med støtte.", "instruction", {"instructions": True}),
    ("Nej.", "fragment", {}),
    ("Hold i 30-45 sekunder.", "dose", {}),
    ("Det er vigtigt at udelukke andre tilstande:", "advice", {}),
    ("Forfatterne bemærker, at der findes meget lidt litteratur.", "attribution", {}),
    ("Reducer distance og intensitet", "statement", {}),  # advice without a marker word
    ("Semimembranosus fæster på indersiden af knæet på tibia", "statement", {}),
    ("Denne øvelse belaster senen isometrisk.", "statement", {"instructions": True}),
])
def test_what_is_a_claim(sentence: str, kind: str, context: dict) -> None:
    from evidence.check.coverage import NOT_CLAIM_KINDS, classify

    verdict = classify(sentence, "da", **context)
    assert verdict.kind == kind, verdict
    assert verdict.claim == (kind not in NOT_CLAIM_KINDS)


def test_what_is_a_claim_in_english() -> None:
    from evidence.check.coverage import classify

    assert classify("Lie on your back.", "en").kind == "instruction"
    assert classify("Hold for 45 seconds and rest for 2 minutes", "en").kind == "dose"
    assert classify("This guide explains what it is.", "en").kind == "outline"
    assert classify("We believe in active treatment.", "en").kind == "about the authors"
    assert classify("Can I keep running?", "en").kind == "question"
    assert classify("Sleep loss reduces recovery.", "en").claim


def test_reasons_name_what_was_found() -> None:
    reasons = factual_reasons("Ifølge forskning er distal tendinopati mere sjælden.", "da")
    assert "comparison 'mere'" in reasons
    assert "evidence word 'forskning'" in reasons


# --- The report ---------------------------------------------------------------


def test_danish_report(danish: Path) -> None:
    project = load_project(danish, strict=False)
    assert not project.problems
    [report] = project_coverage(project, "dansk")
    texts = {s.text: s for s in report.sentences}
    # Headings and the Kilder section are never looked at.
    assert not any("Smith" in t for t in texts)
    assert not any(t.startswith("Hvad er det") for t in texts)
    # Covered by a claim, by a not_claims entry, or not at all.
    assert texts["Forskningen er sparsom sammenlignet med andre skader."].covered_by == ["t-sparse"]
    assert texts["Hold i 30-45 sekunder"].covered_by == ["t-hold"]
    assert texts["Et studie fra 2025 undersøgte ultralyd."].covered_by == ["not_claims"]
    uncovered = [s.text for s in report.uncovered]
    assert uncovered == [
        "Løbere får ofte ondt bag knæet.",
        "Tendinopati er en overbelastningsskade i senen.",  # a statement, with no signal word
        "Massage er bedre end hvile.",
        "Tag 1,6 g/kg protein.",
    ]
    # Instructions for an exercise (a knee angle is how to do it) and a sentence about
    # the guide itself are not claims, and are not counted.
    assert "Løft bækkenet let op fra gulvet" not in texts
    assert "Stå med let bøjet knæ (ca. 20-30 grader)." not in texts
    assert "Det er en guide." not in texts
    assert report.factual == 7 and report.covered == 3
    assert report.percent == pytest.approx(300 / 7)
    first = report.uncovered[2]
    assert first.section == "Behandling"
    guide_text = (danish / "claims" / "dansk" / "guide.md").read_text(encoding="utf-8")
    assert guide_text[first.start:first.end] == first.text
    assert first.line == guide_text.count("\n", 0, first.start) + 1


def test_english_report(english: Path) -> None:
    [report] = project_coverage(load_project(english, strict=False))
    assert report.language == "en"
    assert [s.text for s in report.uncovered] == [
        "Runners often get knee pain.",
        "Hold for 30 seconds, e.g. against a wall.",
        "Massage is better than rest.",
        "Rest helps.",
    ]
    assert [s.text for s in report.sentences if s.covered] == ["Research shows that loading works."]
    assert report.percent == pytest.approx(100 / 5)


def test_a_guide_without_factual_sentences_is_fully_covered(tmp_path: Path) -> None:
    root = write_guide(tmp_path, "plain", "Lig på ryggen.\n", "guide:\n  language: da\nclaims: []\n")
    [report] = project_coverage(load_project(root, strict=False))
    assert report.factual == 0 and report.percent == 100.0


def test_quotes_that_do_not_anchor_are_reported_not_fatal(danish: Path) -> None:
    claims = danish / "claims" / "dansk" / "claims.yaml"
    claims.write_text(DANISH_CLAIMS.replace('"Forskningen er sparsom"', '"Forskningen er stor"'),
                      encoding="utf-8")
    [report] = project_coverage(load_project(danish, strict=False))
    assert any("t-sparse" in p and "not found" in p for p in report.problems)
    assert "Forskningen er sparsom sammenlignet med andre skader." in [s.text for s in report.uncovered]


def test_a_sentence_is_covered_only_when_the_quotes_leave_nothing_factual(danish: Path) -> None:
    guide = danish / "claims" / "dansk" / "guide.md"
    guide.write_text(guide.read_text(encoding="utf-8").replace(
        "## Kilder", "- Bakkeløb: Øger belastningen på hasemuskulaturen, dog primært "
                     "proksimalt\n\n## Kilder"), encoding="utf-8")
    sentence = "Bakkeløb: Øger belastningen på hasemuskulaturen, dog primært proksimalt"
    claims = danish / "claims" / "dansk" / "claims.yaml"
    both = DANISH_CLAIMS.replace("not_claims:", """  - id: t-hills
    quote: "Bakkeløb: Øger belastningen på hasemuskulaturen"
    type: etiology
  - id: t-proximal
    quote: "dog primært proksimalt"
    type: etiology
not_claims:""")
    claims.write_text(both, encoding="utf-8")
    [report] = project_coverage(load_project(danish, strict=False))
    [hills] = [s for s in report.sentences if s.text == sentence]
    assert hills.covered_by == ["t-hills", "t-proximal"]
    # without the claim that quotes the verb, the rest of the sentence still looks factual
    claims.write_text(both.replace('"Bakkeløb: Øger belastningen på hasemuskulaturen"',
                                   '"Bakkeløb"'), encoding="utf-8")
    [report] = project_coverage(load_project(danish, strict=False))
    [hills] = [s for s in report.uncovered if s.text == sentence]
    assert hills.partly_covered_by == ["t-hills", "t-proximal"]
    assert hills.reasons == ["outside the quotes: effect 'Øger'"]


def test_covered_sentences_that_do_not_look_factual_are_counted_apart(danish: Path) -> None:
    claims = danish / "claims" / "dansk" / "claims.yaml"
    claims.write_text(DANISH_CLAIMS.replace("not_claims:", """  - id: t-lift
    quote: "Løft bækkenet let op fra gulvet"
    type: treatment
not_claims:"""), encoding="utf-8")
    [report] = project_coverage(load_project(danish, strict=False))
    assert report.covered_not_factual == 1
    assert (report.covered, report.factual) == (3, 7)  # the percentage is unchanged
    assert "Løft bækkenet let op fra gulvet" not in [s.text for s in report.sentences]


REAL_GUIDE = Path(__file__).resolve().parents[2] / "claims" / "distal-hasetendinopati" / "guide.md"


@pytest.mark.parametrize("meta", ["", "guide:\n  title: Hasesener\n", "guide:\n  language: en\n"])
def test_the_word_lists_follow_the_text_when_claims_yaml_says_otherwise(tmp_path: Path,
                                                                         meta: str) -> None:
    """An empty claims.yaml (no language: "en") must not count the Danish guide with the
    English word lists: 0 of 29 against 57 of 57 with its claims."""
    guide = REAL_GUIDE.read_text(encoding="utf-8")
    declared = write_guide(tmp_path / "declared", "g", guide, "guide:\n  language: da\n")
    [expected] = project_coverage(load_project(declared, strict=False))
    root = write_guide(tmp_path / "bare", "g", guide, meta)
    [report] = project_coverage(load_project(root, strict=False))
    assert report.language == "en" and report.lexicon == "da"
    assert "set `guide: language: da`" in report.language_note
    assert report.factual == expected.factual and report.covered == 0
    assert [s.text for s in report.sentences] == [s.text for s in expected.sentences]
    assert expected.language_note is None


def test_a_language_without_word_lists_keeps_the_english_ones(tmp_path: Path) -> None:
    root = write_guide(tmp_path, "g", REAL_GUIDE.read_text(encoding="utf-8"),
                       "guide:\n  language: sv\n")
    [report] = project_coverage(load_project(root, strict=False))
    assert report.lexicon == "en" and report.language_note is None


# --- The command --------------------------------------------------------------


def run(*args: str):
    # A wide terminal, so the table does not wrap the sentences the tests look for.
    return CliRunner().invoke(cli, ["coverage", *args], catch_exceptions=False,
                              env={"COLUMNS": "200"})


def test_cli_table(danish: Path) -> None:
    result = run("dansk", "--project", str(danish))
    assert result.exit_code == 0, result.output
    assert "Massage er bedre end hvile." in result.output
    assert "comparison 'bedre'" in result.output
    assert "3 of 7 factual-looking sentences covered (42.9%)." in result.output


def test_cli_json(danish: Path) -> None:
    result = run("dansk", "--project", str(danish), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["guide"] == "dansk" and data["language"] == "da"
    assert data["factual_sentences"] == 7 and data["covered"] == 3
    assert data["percent"] == 42.9
    assert [u["text"] for u in data["uncovered"]][2] == "Massage er bedre end hvile."
    assert set(data["uncovered"][0]) == {"section", "line", "start", "end", "text", "reasons",
                                         "partly_covered_by"}
    assert data["covered_not_factual"] == 0 and data["lexicon"] == "da"


def test_cli_all_guides_as_json_list(danish: Path) -> None:
    write_guide(danish, "english", ENGLISH_GUIDE, ENGLISH_CLAIMS)
    result = run("--project", str(danish), "--json")
    assert result.exit_code == 0, result.output
    assert [r["guide"] for r in json.loads(result.output)] == ["dansk", "english"]


def test_cli_fail_under(danish: Path) -> None:
    assert run("dansk", "--project", str(danish), "--fail-under", "40").exit_code == 0
    assert run("dansk", "--project", str(danish), "--fail-under", "100").exit_code == 1
    assert run("dansk", "--project", str(danish), "--json", "--fail-under", "90").exit_code == 1


def test_cli_unknown_guide(danish: Path) -> None:
    result = run("nosuchguide", "--project", str(danish))
    assert result.exit_code == 1
    assert "no guide 'nosuchguide'" in result.output
    assert "Traceback" not in result.output


def test_cli_escapes_markup(tmp_path: Path) -> None:
    root = write_guide(tmp_path, "g", "Det er [bold]2[/bold] gange bedre.\n",
                       "guide:\n  language: da\nclaims: []\n")
    result = run("g", "--project", str(root))
    assert result.exit_code == 0, result.output
    assert "[bold]2[/bold]" in result.output


def test_cli_summary_is_one_line_when_piped(tmp_path: Path) -> None:
    guide_id = "a-guide-with-a-rather-long-name-for-the-summary-line"
    root = write_guide(tmp_path, guide_id, "Massage er bedre end hvile.\n",
                       "guide:\n  language: da\nclaims:\n  - id: c\n"
                       "    quote: \"Massage er bedre end hvile.\"\n    type: treatment\n")
    # not a terminal, no COLUMNS: rich would wrap at 80 columns
    result = CliRunner().invoke(cli, ["coverage", "--project", str(root)], env={"COLUMNS": None})
    assert result.exit_code == 0, result.output
    assert result.output == (f"{guide_id}: 1 of 1 factual-looking sentences covered (100.0%); "
                             "every one is a claim or a listed non-claim.\n")
