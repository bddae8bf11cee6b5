"""`evidence import` and `evidence draft` end to end: files written, build, no link, twice."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence.bib.citekeys import printed_citekeys
from evidence.bib.printed import parse_printed_citations
from evidence.bib.references import load_references
from evidence.claims.loader import load_claims
from evidence.cli import cli
from evidence.guide.document import parse_guide
from evidence.guide.reference_list import reference_list
from evidence.importing.draft import insert_stubs
from evidence.importing.ids import claim_id, guide_prefix
from evidence.importing.stubs import Stub
from tests.importing.support import DANISH_HTML, ENGLISH_MD_FOR_DOCX, make_docx, new_project

PLAIN = """\
Løberknæ er en almindelig skade hos løbere.
Hvad siger forskningen?
Et studie fra 2020 i Ugeskrift for Læger viste, at styrketræning af hoften mindsker smerten. Forfatterne fandt, at effekten holdt i et år.
Sådan gør du:
- Læg dig på siden
- Løft benet 3 sæt x 10 gentagelser
Hvorfor gør det ondt?
Kilder
- Jensen A, Holm B. Hoftetræning ved løberknæ. Ugeskr Laeger. 2020;182(3):110-115. DOI: 10.5555/evidence.test.plain.1
"""


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return new_project(tmp_path / "project")


def imported(project: Path, tmp_path: Path, text: str = PLAIN, slug: str = "loeberknae"):
    source = tmp_path / "guide.txt"
    source.write_text(text, encoding="utf-8")
    result = run("import", str(source), "--guide", slug, "--project", str(project),
                 "--language", "da")
    assert result.exit_code == 0, result.output
    return result, project / "claims" / slug


def test_import_writes_the_guide_and_names_what_it_recognised(project, tmp_path) -> None:
    result, folder = imported(project, tmp_path)
    assert "3 headings, 1 list, 3 paragraphs, a reference list of 1" in result.output
    assert (folder / "guide.md").read_text(encoding="utf-8").startswith(
        "Løberknæ er en almindelig skade hos løbere.\n\n## Hvad siger forskningen?\n")
    claims, problems = load_claims(folder / "claims.yaml")
    assert claims is not None and not problems
    assert claims.meta.language == "da" and claims.meta.title == "Loeberknae"
    quotes = [c.quote for c in claims.claims]
    # statements, a dose and an attribution are stubs; the instruction, the question,
    # the lead-in and the heading are not
    assert quotes == [
        "Løberknæ er en almindelig skade hos løbere.",
        "Et studie fra 2020 i Ugeskrift for Læger viste, at styrketræning af hoften mindsker "
        "smerten.",
        "Forfatterne fandt, at effekten holdt i et år.",
        "Løft benet 3 sæt x 10 gentagelser",
    ]


def test_no_stub_links_a_source_and_the_drafted_key_is_add_from_guides(project, tmp_path):
    _, folder = imported(project, tmp_path)
    claims, _ = load_claims(folder / "claims.yaml")
    assert claims is not None
    for claim in claims.claims:
        assert claim.evidence == [] and claim.consensus is None
        assert claim.review.status == "unreviewed" and claim.type
    text = (folder / "claims.yaml").read_text(encoding="utf-8")
    guide = (folder / "guide.md").read_text(encoding="utf-8")
    section = reference_list(parse_guide("g", guide)).text
    [key] = printed_citekeys(parse_printed_citations(section),
                             load_references(project / "references.bib"))
    assert key == "jensen2020"
    # drafted for the sentence naming the journal and the one pointing back at it
    assert text.count(f"    #   - source: {key}\n") == 2
    assert "\n    evidence:" not in text


def test_evidence_build_passes_right_after_import(project, tmp_path) -> None:
    imported(project, tmp_path)
    result = run("build", "--project", str(project))
    assert result.exit_code == 0, result.output
    assert "4 claims" in result.output


@pytest.mark.parametrize("kind", ["html", "docx"])
def test_build_passes_after_importing_documents(project, tmp_path, kind) -> None:
    source = DANISH_HTML if kind == "html" else make_docx(ENGLISH_MD_FOR_DOCX,
                                                          tmp_path / "guide.docx")
    result = run("import", str(source), "--guide", f"test-{kind}", "--project", str(project))
    assert result.exit_code == 0, result.output
    assert re.search(r"\d+ headings, \d+ lists?, \d+ paragraphs, a reference list of 3",
                     result.output)
    assert "warning: dropped 1 table" in result.output or kind == "docx"
    result = run("build", "--project", str(project))
    assert result.exit_code == 0, result.output


def test_import_never_writes_over_a_guide(project, tmp_path) -> None:
    _, folder = imported(project, tmp_path)
    before = (folder / "guide.md").read_bytes(), (folder / "claims.yaml").read_bytes()
    source = tmp_path / "other.txt"
    source.write_text("Noget andet helt.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(source), "--guide", "loeberknae",
                                      "--project", str(project)])
    assert result.exit_code == 1 and "import never writes over a guide" in result.output
    assert ((folder / "guide.md").read_bytes(), (folder / "claims.yaml").read_bytes()) == before
    (folder / "guide.md").unlink()  # claims.yaml alone is a guide too
    result = CliRunner().invoke(cli, ["import", str(source), "--guide", "loeberknae",
                                      "--project", str(project)])
    assert result.exit_code == 1 and not (folder / "guide.md").exists()


def test_a_language_that_cannot_be_told_is_named(project, tmp_path) -> None:
    source = tmp_path / "short.txt"
    source.write_text("Overskrift\nKnæet gør ondt.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(source), "--guide", "kort",
                                      "--project", str(project)])
    assert result.exit_code == 0, result.output
    assert "warning: the text is too short to tell its language: 'en' was assumed" in result.output


def test_bad_input_is_named(project, tmp_path) -> None:
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Overskrift\nKnæ\n".encode("latin-1"))
    result = CliRunner().invoke(cli, ["import", str(latin1), "--guide", "x",
                                      "--project", str(project)])
    assert result.exit_code == 1 and "latin1.txt:2: not UTF-8" in result.output
    result = CliRunner().invoke(cli, ["import", str(latin1), "--guide", "Bad Name",
                                      "--project", str(project)])
    assert result.exit_code == 1 and "lower-case letters" in result.output


def test_ids_are_readable_stable_unique_and_never_retired(project, tmp_path) -> None:
    assert guide_prefix("distal-hasetendinopati") == "dh" and guide_prefix("knee") == "kne"
    taken = {"lk-loeberknae-almindelig-skade-loebere"}
    assert claim_id("loeberknae-x", "Løberknæ er en almindelig skade hos løbere.", set()) == \
        "lx-loeberknae-almindelig-skade-loebere"
    # another guide's claim id and a retired id are taken
    other = project / "claims" / "other"
    other.mkdir()
    (other / "claims.yaml").write_text(
        "claims:\n  - id: lk-loeberknae-almindelig-skade-loebere\n    quote: x\n    type: anatomy\n"
        "retired:\n  - id: lk-studie-2020-ugeskrift-laeger-viste\n    quote: gone\n",
        encoding="utf-8")
    (other / "guide.md").write_text("x\n", encoding="utf-8")
    _, folder = imported(project, tmp_path, slug="loeber-knae")
    claims, _ = load_claims(folder / "claims.yaml")
    ids = [c.id for c in claims.claims]
    assert ids[0] == "lk-loeberknae-almindelig-skade-loebere-2"
    assert ids[1] == "lk-studie-2020-ugeskrift-laeger-viste-2"
    assert len(set(ids)) == len(ids) and not taken & set(ids)


# --- draft --------------------------------------------------------------------


def test_draft_adds_stubs_keeping_every_line_and_twice_adds_nothing(project, tmp_path):
    _, folder = imported(project, tmp_path)
    claims_path = folder / "claims.yaml"
    # the editor's own touches: a comment, a not_claims entry after the claims
    edited = claims_path.read_text(encoding="utf-8") + (
        "# Sentences that are not claims\nnot_claims:\n"
        "  - quote: \"Læg dig på siden\"\n    reason: \"Instruction.\"\n")
    claims_path.write_text(edited, encoding="utf-8")
    guide = folder / "guide.md"
    guide.write_text(guide.read_text(encoding="utf-8").replace(
        "## Hvad siger forskningen?",
        "Smerten sidder typisk på ydersiden af knæet.\n\n## Hvad siger forskningen?"),
        encoding="utf-8")
    before = claims_path.read_bytes().splitlines(keepends=True)
    result = run("draft", "loeberknae", "--project", str(project))
    assert result.exit_code == 0, result.output
    assert "1 claim stub" in result.output and "loe-smerten-sidder-typisk-ydersiden" in result.output
    after = claims_path.read_bytes().splitlines(keepends=True)
    # every old line, byte for byte, with the new ones inserted in one place
    k = next(i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b)
    added = after[k:k + len(after) - len(before)]
    assert after == before[:k] + added + before[k:]
    assert b'    quote: "Smerten sidder typisk p\xc3\xa5 ydersiden af kn\xc3\xa6et."\n' in added
    # inserted at the end of the claims list, before the comment that opens not_claims
    assert after.index(b"# Sentences that are not claims\n") > after.index(added[-1])
    result = run("draft", "loeberknae", "--project", str(project))
    assert result.exit_code == 0 and "nothing added" in result.output
    assert claims_path.read_bytes().splitlines(keepends=True) == after
    assert run("build", "--project", str(project)).exit_code == 0


def test_draft_leaves_retired_words_and_refuses_while_quotes_do_not_anchor(project, tmp_path):
    _, folder = imported(project, tmp_path)
    guide = folder / "guide.md"
    claims_path = folder / "claims.yaml"
    guide.write_text(guide.read_text(encoding="utf-8") + "\nHvile hjælper sjældent på knæet.\n",
                     encoding="utf-8")
    claims_path.write_text(claims_path.read_text(encoding="utf-8") + (
        "retired:\n  - id: lk-old\n    quote: \"Hvile hjælper sjældent på knæet.\"\n"),
        encoding="utf-8")
    result = run("draft", "loeberknae", "--project", str(project))
    assert result.exit_code == 0 and "nothing added" in result.output, result.output
    guide.write_text(guide.read_text(encoding="utf-8").replace("almindelig skade", "skade"),
                     encoding="utf-8")
    before = claims_path.read_bytes()
    result = CliRunner().invoke(cli, ["draft", "loeberknae", "--project", str(project)])
    assert result.exit_code == 1 and "no longer anchor" in result.output
    assert claims_path.read_bytes() == before


def _stub(quote: str) -> Stub:
    return Stub(id="g-x", quote=quote, type="treatment", section="S", line=1)


@pytest.mark.parametrize(("text", "expected"), [
    ("guide:\n  language: da\nclaims: []\n",
     "guide:\n  language: da\nclaims:\n  # --- S ---\n  - id: g-x\n"),
    ("guide:\r\n  language: da\r\nclaims:\r\n    - id: a\r\n      quote: q\r\n      type: anatomy\r\n",
     "      type: anatomy\r\n\r\n    # --- S ---\r\n    - id: g-x\r\n"),
    ("guide:\n  language: da\n", "guide:\n  language: da\nclaims:\n  # --- S ---\n"),
])
def test_insertion_keeps_the_files_layout(text: str, expected: str) -> None:
    written = insert_stubs(text, [_stub("Noget.")])
    assert expected in written
    assert written.startswith(text.replace("claims: []", "claims:"))


def test_a_sentence_opening_with_emphasis_gets_its_stub(project) -> None:
    result = run("import", str(DANISH_HTML), "--guide", "akillessene", "--project", str(project))
    assert result.exit_code == 0 and "no stub for" not in result.output, result.output
    claims, _ = load_claims(project / "claims" / "akillessene" / "claims.yaml")
    quotes = [c.quote for c in claims.claims]
    assert any(q.startswith("Bemærk: Et pludseligt “knald”") for q in quotes)
    assert "Nej." not in quotes  # a one-word answer is no claim


def test_a_stub_id_takes_the_prefix_the_guide_s_ids_use() -> None:
    from evidence.importing.ids import prefix_in_use

    assert prefix_in_use(["dht-rare", "dht-course", "dh-old"]) == "dht"
    assert prefix_in_use(["dht-rare", "abc-x"]) is None  # no prefix is most ids'
    assert prefix_in_use([]) is None and prefix_in_use(["single"]) is None
    assert claim_id("distal-hasetendinopati", "Is reducerer smerten.", set(), "dht") == \
        "dht-reducerer-smerten"
    assert claim_id("distal-hasetendinopati", "Is reducerer smerten.", set()) == \
        "dh-reducerer-smerten"


def test_the_bundled_guide_s_stubs_read_like_its_ids() -> None:
    from evidence.importing.draft import pending_stubs
    from evidence.project import load_project

    root = Path(__file__).resolve().parents[2]
    stubs = pending_stubs(load_project(root, strict=False), "distal-hasetendinopati")
    assert stubs and all(s.id.startswith("dht-") for s in stubs)


@pytest.mark.parametrize(("sentence", "expected"), [
    # a duration or amount word with no number is no dose: the default, not dosage
    ("Knæet bærer hele kroppens vægt hver dag.", "treatment"),
    ("Have realistiske forventninger (uger til måneder, ikke dage)", "treatment"),
    # cue words before a bare number with a unit
    ("Milde tilfælde tager typisk 2-3 måneder.", "prognosis"),
    ("Manglende bedring efter 6-8 uger med korrekt genoptræning", "prognosis"),
    # amounts of training stay doses
    ("Hold i 30-45 sekunder.", "dosage"),
    ("3 sæt x 10-15 reps.", "dosage"),
    ("Øg løbemængden med højst 10 % om ugen.", "dosage"),
    ("Protein: 1,6-2,0 g/kg kropsvægt for at understøtte vævsreparation", "dosage"),
])
def test_a_stub_s_type_is_dosage_only_for_an_amount(sentence: str, expected: str) -> None:
    from evidence.check.coverage import classify
    from evidence.importing.claimtype import guess_type
    from evidence.language import lexicon

    danish = lexicon("da")
    assert guess_type(sentence, "", classify(sentence, danish), danish) == expected


def test_draft_puts_each_stub_in_its_guide_order_place(tmp_path) -> None:
    # claims.yaml follows the guide: a drafted stub goes where its sentence stands,
    # not at the end of the list (the claim before it, or its section's first place)
    import shutil

    root = Path(__file__).resolve().parents[2]
    project = tmp_path / "project"
    shutil.copytree(root / "claims", project / "claims")
    shutil.copy(root / "references.bib", project / "references.bib")
    path = project / "claims" / "distal-hasetendinopati" / "claims.yaml"
    original = path.read_text(encoding="utf-8")
    from evidence.importing.draft import pending_stubs
    from evidence.project import load_project

    # what the bundled file leaves uncovered gets its stub too
    uncovered = {s.id for s in pending_stubs(load_project(project, strict=False),
                                            "distal-hasetendinopati")}
    removed = ["dht-often-overlooked",  # in the middle of the lead
               "dht-definition",  # the first claim of its section, after its comment
               "dht-faq-seek-professional-assessment"]  # the last claim of the file
    text = original
    for claim in removed:
        block = re.search(rf"  - id: {claim}\n(?:    .*\n)*", text)
        assert block is not None
        text = text[:block.start()] + text[block.end():]
    path.write_text(text, encoding="utf-8")
    result = run("draft", "distal-hasetendinopati", "--project", str(project))
    assert result.exit_code == 0, result.output
    after = path.read_text(encoding="utf-8")
    ids = re.findall(r"^  - id: (\S+)$", after, flags=re.MULTILINE)
    new = set(ids) - set(re.findall(r"^  - id: (\S+)$", text, flags=re.MULTILINE))
    assert len(new) == len(removed) + len(uncovered)
    # the removed claims' places hold the stubs of their sentences
    assert ["stub" if i in new else i for i in ids if i not in uncovered] == \
        ["stub" if i in removed else i for i in re.findall(r"^  - id: (\S+)$", original,
                                                            flags=re.MULTILINE)]
    # every other line as it was, and the section comments in their places
    assert [line for line in after.splitlines() if line.startswith("  #")] == \
        [line for line in original.splitlines() if line.startswith("  #")]
    assert "  # --- Hvad er distal hasetendinopati? ---\n  - id: dht-distal-hasetendinopati-" \
        in after
    assert run("build", "--project", str(project)).exit_code == 0


def test_a_stub_of_a_section_without_claims_opens_it_in_its_place(tmp_path) -> None:
    from tests.conftest import write_project

    guide = ("Senen tåler mere belastning med tiden.\n\n## Anatomi\n\n"
             "Hasemusklerne fæster ved knæet.\n\n## Årsager\n\n"
             "Smerten skyldes ofte overbelastning.\n\n## Prognose\n\n"
             "De fleste bliver raske på tre måneder.\n")
    claims = ("guide:\n  title: T\n  language: da\nclaims:\n"
              "  # --- Anatomi ---\n"
              "  - id: t-attach\n    quote: \"Hasemusklerne fæster ved knæet.\"\n"
              "    type: anatomy\n    # a comment of the claim's own\n\n"
              "  # --- Prognose ---\n  # An editor's note on the next claim.\n"
              "  - id: t-course\n    quote: \"De fleste bliver raske på tre måneder.\"\n"
              "    type: prognosis\n# What is no claim\nnot_claims: []\n")
    project = write_project(tmp_path, guide=guide, claims=claims, bib="", guide_id="t")
    result = run("draft", "t", "--project", str(project))
    assert result.exit_code == 0, result.output
    assert (project / "claims" / "t" / "claims.yaml").read_text(encoding="utf-8") == (
        "guide:\n  title: T\n  language: da\nclaims:\n"
        "  # --- T ---\n"
        "  - id: t-senen-taaler-belastning-tiden\n"
        "    quote: \"Senen tåler mere belastning med tiden.\"\n"
        "    type: treatment\n    review:\n      status: unreviewed\n\n"
        "  # --- Anatomi ---\n"
        "  - id: t-attach\n    quote: \"Hasemusklerne fæster ved knæet.\"\n"
        "    type: anatomy\n    # a comment of the claim's own\n\n"
        "  # --- Årsager ---\n"
        "  - id: t-smerten-skyldes-ofte-overbelastning\n"
        "    quote: \"Smerten skyldes ofte overbelastning.\"\n"
        "    type: etiology\n    review:\n      status: unreviewed\n\n"
        "  # --- Prognose ---\n  # An editor's note on the next claim.\n"
        "  - id: t-course\n    quote: \"De fleste bliver raske på tre måneder.\"\n"
        "    type: prognosis\n# What is no claim\nnot_claims: []\n")
