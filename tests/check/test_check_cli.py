"""evidence check on the command line: formats, filters, exit status; findings in the database."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence.check.report import to_markdown
from evidence.check.run import check_project
from evidence.cli import cli
from tests.check.test_check import GUIDE, HEAD, KILDER, LOADING, claim, entry, project

REPO = Path(__file__).resolve().parents[2]

# One error (unknown citekey), warnings (unsupported claim, printed but unlinked
# source, empty heading) and info (a dose without source).
CLAIMS = (HEAD + claim("t-dose", "Hold i 30 sekunder.", type_="dosage")
          + LOADING.replace("smith2020", "smyth2020"))
BIB = entry() + "\n" + entry(key="jones2019", doi="10.1234/other.2019", title="Other work",
                             year="2019")
KILDER_BOTH = KILDER + ("- Smith J, Jones A. Other work. J Test. 2019;1(2):10-20. "
                        "DOI: 10.1234/other.2019\n")


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def messy(tmp_path):
    return project(tmp_path, guide=GUIDE + "\n## Tom\n" + KILDER_BOTH, claims=CLAIMS, bib=BIB)


def test_text_groups_by_severity_and_guide(messy):
    result = run("check", "--project", str(messy))
    assert result.exit_code == 1
    out = result.output
    assert out.index("Errors (1)") < out.index("Warnings") < out.index("Info")
    assert "  testguide\n" in out
    assert "citekey-unknown  t-loading  claims/testguide/claims.yaml:12" in out
    assert "did you mean 'smith2020'?" in out
    assert "Summary: 1 error, " in out
    assert "\x1b[" not in out  # no colour codes when not on a terminal


def test_only_warnings_exit_0_unless_strict(tmp_path):
    root = project(tmp_path, claims=HEAD + claim("t-x", "Progressiv belastning er centralt."))
    assert run("check", "--project", str(root)).exit_code == 0
    assert run("check", "--project", str(root), "--strict").exit_code == 1
    assert run("check", "--project", str(root), "--strict", "--severity", "error").exit_code == 0


def test_filters(messy):
    result = run("check", "--project", str(messy), "--code", "heading-empty", "-f", "json")
    data = json.loads(result.output)
    assert [f["code"] for f in data["findings"]] == ["heading-empty"]
    assert result.exit_code == 0  # the error is filtered out
    result = run("check", "--project", str(messy), "--severity", "warning", "-f", "json")
    severities = {f["severity"] for f in json.loads(result.output)["findings"]}
    assert severities == {"error", "warning"}
    result = run("check", "--project", str(messy), "--guide", "testguide", "-f", "json")
    assert json.loads(result.output)["summary"]["info"] == 1


def test_source_findings_follow_the_guides_that_cite_them(tmp_path):
    root = project(tmp_path, guide=GUIDE + KILDER_BOTH, bib=BIB)
    project(tmp_path, guide=GUIDE.replace("Løbere", "Cyklister"), guide_id="other",
            claims=HEAD.replace("claims:", "claims: []"), bib=BIB)
    result = run("check", "--project", str(root), "--guide", "testguide", "-f", "json")
    data = json.loads(result.output)["findings"]
    assert ("source-printed-unlinked", "jones2019") in [(f["code"], f["source_id"]) for f in data]
    result = run("check", "--project", str(root), "--guide", "other", "-f", "json")
    assert not any(f["source_id"] == "jones2019" for f in json.loads(result.output)["findings"])


def test_unknown_guide_or_code_is_a_usage_error(messy):
    assert run("check", "--project", str(messy), "--guide", "nope").exit_code == 2
    assert run("check", "--project", str(messy), "--code", "no-such-code").exit_code == 2


def test_json_has_summary_and_locations(messy):
    data = json.loads(run("check", "--project", str(messy), "--format", "json").output)
    assert data["summary"]["error"] == 1
    assert data["summary"]["by_code"]["citekey-unknown"] == 1
    finding = next(f for f in data["findings"] if f["code"] == "citekey-unknown")
    assert finding == {
        "guide_id": "testguide", "claim_id": "t-loading", "source_id": None,
        "severity": "error", "code": "citekey-unknown", "message": finding["message"],
        "path": "claims/testguide/claims.yaml", "line": 12,
    }


def test_markdown_for_a_pull_request(messy):
    result = run("check", "--project", str(messy), "--format", "markdown")
    text = result.output
    assert text.startswith("## evidence check\n")
    assert ":x: **1 error, " in text
    assert "| error | `citekey-unknown` | 1 |" in text
    assert "<details open><summary><b>Errors (1)</b></summary>" in text
    assert "<details><summary><b>Warnings" in text
    assert result.exit_code == 1


def test_markdown_escapes_cells_and_truncates(tmp_path):
    root = project(tmp_path)
    _, findings = check_project(root)
    assert "No findings" in to_markdown(findings)
    from evidence.check.finding import Finding

    many = [Finding("heading-empty", f"heading <b>{i}</b> | x", "g", path="g.md", line=i)
            for i in range(5)]
    text = to_markdown(many, limit=3)
    assert "&lt;b&gt;0&lt;/b&gt; \\| x" in text and "<b>0</b>" not in text
    assert "… and 2 more" in text


def test_check_works_on_a_project_with_errors_that_stop_the_build(tmp_path):
    root = project(tmp_path, claims=HEAD + claim("t-x", "Ikke i guiden."),
                   bib=entry(doi="not a doi"))
    assert run("build", "--project", str(root)).exit_code == 1
    data = json.loads(run("check", "--project", str(root), "-f", "json").output)
    assert {"quote-not-found", "doi-invalid"} <= {f["code"] for f in data["findings"]}


def test_build_publishes_the_findings(messy):
    root = messy
    path = root / "claims" / "testguide" / "claims.yaml"
    path.write_text(CLAIMS.replace("smyth2020", "smith2020"), encoding="utf-8")
    assert run("build", "--project", str(root)).exit_code == 0
    db = sqlite3.connect(root / "evidence.db")
    rows = db.execute("select guide_id, claim_id, source_id, severity, code from findings "
                      "order by code").fetchall()
    _, findings = check_project(root)
    assert sorted(rows, key=lambda r: r[4]) == sorted(
        [(f.guide_id, f.claim_id, f.source_id, f.severity, f.code) for f in findings],
        key=lambda r: r[4])
    assert ("testguide", "t-dose", None, "info", "dose-without-source") in rows
    assert ("testguide", None, "jones2019", "warning", "source-printed-unlinked") in rows
    assert db.execute("pragma foreign_key_check").fetchall() == []


def test_findings_are_faceted_in_the_publication():
    from evidence.publish.metadata import TABLES

    facets = TABLES["findings"]["facets"]
    assert "code" in facets and "severity" in facets


def test_the_repository_has_no_error_findings():
    if not (REPO / "claims").is_dir():
        pytest.skip("no claims in the repository")
    _, findings = check_project(REPO)
    errors = [f"{f.code} {f.location()} {f.message}" for f in findings if f.severity == "error"]
    assert errors == []


def test_the_real_guide_has_the_two_dangling_lead_ins():
    guide = REPO / "claims" / "distal-hasetendinopati" / "guide.md"
    if not guide.is_file():
        pytest.skip("the distal hamstring guide is not in the repository")
    text = guide.read_text(encoding="utf-8")
    lead_ins = ("Det er vigtigt at udelukke andre tilstande:",
                "Brug lyskrydsmodellen til at vurdere, om din belastning er passende:")
    _, findings = check_project(REPO)
    found = [f for f in findings if f.code == "lead-in-dangling"]
    lines = text.splitlines()
    flagged = {lead for lead in lead_ins for f in found if lead in lines[f.line - 1]}
    assert flagged == {lead for lead in lead_ins if lead in text}
    # "Styrketræning: Start med isometriske øvelser:" introduces item-like paragraphs.
    assert not any("isometriske øvelser:" in lines[f.line - 1] for f in found)


def test_text_is_coloured_on_a_terminal(messy):
    import io

    from rich.console import Console

    from evidence.check.report import print_text

    out = io.StringIO()
    _, findings = check_project(messy)
    print_text(findings, Console(file=out, force_terminal=True, color_system="standard"))
    assert "\x1b[" in out.getvalue() and "citekey-unknown" in out.getvalue()


def test_check_of_one_guide_reports_the_problems_of_the_sources_it_cites(tmp_path):
    """Regression: `check --guide G` said "No findings." while the build failed on a
    source G cites."""
    from click.testing import CliRunner

    from evidence.cli import cli
    from tests.conftest import BIB, CLAIMS, write_project

    write_project(tmp_path, bib=BIB.replace("10.1234/test.2020.1", "10.12/oops"),
                  guide_id="cites")
    write_project(tmp_path, claims=CLAIMS.replace("t-", "o-").replace(
        "      - source: smith2020\n        relation: supports\n", ""), bib=None,
        guide_id="other")
    shown = CliRunner().invoke(cli, ["check", "--project", str(tmp_path), "--guide", "cites",
                                     "--severity", "error"])
    assert shown.exit_code == 1
    assert "doi-invalid" in shown.output and "10.12/oops" in shown.output
    other = CliRunner().invoke(cli, ["check", "--project", str(tmp_path), "--guide", "other",
                                     "--code", "doi-invalid"])
    assert "doi-invalid" not in other.output
    # A guide whose claims.yaml cannot be read is still a guide to check.
    path = tmp_path / "claims/other/claims.yaml"
    path.write_text(path.read_text() + "   oops: [\n")
    broken = CliRunner().invoke(cli, ["check", "--project", str(tmp_path), "--guide", "other"])
    assert broken.exit_code == 1 and "malformed YAML" in broken.output
