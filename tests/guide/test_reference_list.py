"""One rule finds a guide's printed reference list, and every command uses it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence.cli import cli
from evidence.guide.document import parse_guide
from evidence.guide.reference_list import reference_list, reference_section
from evidence.language import REFERENCE_HEADINGS, is_reference_heading, lexicon

REPO = Path(__file__).resolve().parents[2]
GUIDE_ID = "distal-hasetendinopati"
HEADINGS = ["Kilder", "Kildeliste", "Referencer", "Litteratur", "References", "Bibliography"]


@pytest.mark.parametrize("heading", [*HEADINGS, "KILDELISTE", "Kildeliste:", "  Works  cited "])
def test_reference_headings_in_any_case_and_spacing(heading):
    assert is_reference_heading(heading)


@pytest.mark.parametrize("heading", ["Kilder til smerte", "Referencepunkter", "Sources of pain", ""])
def test_other_headings_are_not_reference_lists(heading):
    assert not is_reference_heading(heading)


def test_every_lexicon_contributes_its_headings():
    assert lexicon("da").reference_headings <= REFERENCE_HEADINGS
    assert lexicon("en").reference_headings <= REFERENCE_HEADINGS
    assert {"kildeliste", "references", "literaturverzeichnis"} <= REFERENCE_HEADINGS


def test_the_list_takes_its_subsections_and_stops_at_the_next_heading_of_its_level():
    text = ("# Guide\n\nLead.\n\n## Kildeliste\n\n### Studier\n\n- A. DOI: 10.1/a\n\n"
            "### Bøger\n\n- B.\n\n## Om forfatteren\n\nTekst.\n")
    guide = parse_guide("g", text)
    found = reference_list(guide)
    assert found is not None and found.section.heading == "Kildeliste"
    assert found.first_line == 6
    assert "- A. DOI: 10.1/a" in found.text and "- B." in found.text
    assert "Om forfatteren" not in found.text
    assert [b.text for b in found.blocks if b.kind == "item"] == ["A. DOI: 10.1/a", "B."]


def test_the_last_reference_heading_is_the_list_and_a_lead_is_never_one():
    text = "Kilder\n\n## Kilder\n\n- first\n\n## Midt\n\nx\n\n## References\n\n- last\n"
    guide = parse_guide("Kilder", text, title="Kilder")
    assert reference_section(guide).heading == "References"
    assert reference_list(parse_guide("g", "# Kilder til smerte\n\n- x\n")) is None


@pytest.fixture(params=["Kildeliste", "Referencer", "References"])
def project(request, tmp_path: Path) -> Path:
    """The bundled project with its Kilder heading renamed, and one printed year changed."""
    shutil.copytree(REPO / "claims", tmp_path / "claims")
    shutil.copy(REPO / "references.bib", tmp_path / "references.bib")
    guide = tmp_path / "claims" / GUIDE_ID / "guide.md"
    text = guide.read_text(encoding="utf-8")
    assert "\n## Kilder\n" in text and "PM R. 2022;14(8)" in text
    text = text.replace("\n## Kilder\n", f"\n## {request.param}\n")
    guide.write_text(text.replace("PM R. 2022;14(8)", "PM R. 2021;14(8)"), encoding="utf-8")
    return tmp_path


def test_check_reads_the_list(project):
    result = CliRunner().invoke(cli, ["check", "--project", str(project), "--format", "json"])
    findings = json.loads(result.output)["findings"]
    differs = [f for f in findings if f["code"] == "printed-citation-differs"]
    assert len(differs) == 1 and "2021" in differs[0]["message"]


HOLM = ("- Holm K. Excentrisk træning reducerer smerte med 50% på 12 uger. "
        "J Test. 2020;1:1-2.\n")


def uncovered(project: Path) -> list[str]:
    result = CliRunner().invoke(cli, ["coverage", GUIDE_ID, "--project", str(project), "--json"])
    assert result.exit_code == 0, result.output
    return [s["text"] for s in json.loads(result.output)["uncovered"]]


def test_coverage_leaves_the_list_out(project):
    guide = project / "claims" / GUIDE_ID / "guide.md"
    text = guide.read_text(encoding="utf-8")
    guide.write_text(text + HOLM, encoding="utf-8")
    assert not any("Holm K" in s for s in uncovered(project))
    guide.write_text(text + "\n## Noter\n\n" + HOLM, encoding="utf-8")
    assert any("Holm K" in s for s in uncovered(project))  # the same words outside the list


def test_the_bibliography_is_numbered_by_the_list(project):
    result = CliRunner().invoke(cli, ["bibliography", "--guide", GUIDE_ID,
                                      "--project", str(project)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("Sederberg M, LaMarche L")
