"""evidence review: verdicts recorded in claims.yaml without losing a comment, and pinned."""

from __future__ import annotations

import datetime as dt
import difflib
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence.check.run import check_project
from evidence.claims.loader import parse_claims
from evidence.claims.review import edit_reviews, round_trip_yaml
from evidence.cli import cli
from evidence.edit import review as review_verb
from evidence.project import load_project
from tests.conftest import write_project

REPO = Path(__file__).resolve().parents[2]

GUIDE = """\
Løbere får ofte ondt.

## Hvad er det?

Tendinopati er en overbelastningsskade i senen.

## Behandling

Progressiv belastning er centralt. Massage hjælper kortvarigt.
"""

CLAIMS = """\
# Claims of the test guide.
guide:
  title: Testguide
  language: da
claims:
  # --- Hvad er det? ---
  - id: t-definition
    quote: "Tendinopati er en overbelastningsskade i senen."
    type: definition
    consensus: "Standard definition."

  # --- Behandling ---
  # The loading claim is linked.
  - id: t-loading
    quote: 'Progressiv belastning er centralt.'
    type: treatment
    evidence:
      - source: smith2020
        relation: supports   # as the guide says
  - id: t-massage
    quote: "Massage hjælper kortvarigt."
    type: treatment
    review:
      status: unreviewed  # nobody yet
      note: "check the review"

not_claims:
  - quote: "Løbere får ofte ondt."
    reason: "Introduction."
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_project(tmp_path, guide=GUIDE, claims=CLAIMS)


def claims_path(root: Path) -> Path:
    return root / "claims" / "testguide" / "claims.yaml"


def run(root: Path, *args, env=None):
    return CliRunner().invoke(cli, [*args, "--project", str(root)], env=env,
                              catch_exceptions=False)


def review(root: Path, *args):
    return run(root, "review", *args, env={"EVIDENCE_EDITOR": "Ann Editor"})


def added_and_removed(before: str, after: str) -> tuple[list[str], list[str]]:
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    return ([d[2:] for d in diff if d.startswith("+ ")],
            [d[2:] for d in diff if d.startswith("- ")])


# --- Round trip ---------------------------------------------------------------------


def _dump(text: str) -> str:
    yaml = round_trip_yaml()
    out = io.StringIO()
    yaml.dump(yaml.load(text), out)
    return out.getvalue()


def test_a_load_and_dump_is_byte_identical():
    assert _dump(CLAIMS) == CLAIMS


def test_the_real_claims_file_round_trips_byte_for_byte():
    files = sorted((REPO / "claims").glob("*/claims.yaml"))
    if not files:
        pytest.skip("no claims file in the repository")
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert _dump(text) == text, path


# --- Recording ----------------------------------------------------------------------


def test_review_keeps_comments_order_and_quoting(root):
    before = claims_path(root).read_text(encoding="utf-8")
    result = review(root, "t-definition", "t-loading", "--status", "verified",
                    "--on", "2026-01-02")
    assert result.exit_code == 0, result.output
    assert ("t-definition: verified by Ann Editor (from $EVIDENCE_EDITOR; --by to change) on "
            "2026-01-02") in result.output
    after = claims_path(root).read_text(encoding="utf-8")
    added, removed = added_and_removed(before, after)
    assert removed == []  # nothing of the file was lost or rewritten
    project = load_project(root, strict=False)
    guide = project.guides[0]
    pins = {c.id: project.pin_values(guide, c) for c in guide.claims}
    evidence = {c: pins[c].evidence for c in pins}

    def block(claim_id, sources):
        pin = pins[claim_id]
        return ["    review:", "      status: verified", "      by: Ann Editor",
                "      on: 2026-01-02", "      pin:", "        version: 2",
                f'        quote: "{pin.quote}"', f'        sentence: "{pin.sentence}"',
                *sources, f"        evidence: {evidence[claim_id]}"]

    assert added == block("t-definition", ["        sources: []"]) + block(
        "t-loading", ["        sources:", '          - {key: "smith2020", design: '
                      '"randomised-trial", tier: "trial", retracted: false, doi: '
                      '"10.1234/test.2020.1"}'])
    # The review sits inside its claim, before the comments that head the next one.
    expected = """\
    consensus: "Standard definition."
    review:
      status: verified
      by: Ann Editor
      on: 2026-01-02
      pin:
        version: 2
        quote: "Tendinopati er en overbelastningsskade i senen."
        sentence: "Tendinopati er en overbelastningsskade i senen."
        sources: []
        evidence: {e}

  # --- Behandling ---
  # The loading claim is linked.
""".format(e=evidence["t-definition"])
    assert expected in after
    assert "relation: supports   # as the guide says\n    review:\n" in after
    assert "\n  - id: t-massage" in after
    assert "&id" not in after and "*id" not in after  # no YAML anchors for the shared date


def test_review_replaces_the_previous_verdict_and_keeps_end_of_line_comments(root):
    result = review(root, "t-massage", "--status", "needs-source",
                    "--note", "Which trial? Cite it.", "--on", "2026-02-03")
    assert result.exit_code == 0, result.output
    after = claims_path(root).read_text(encoding="utf-8")
    assert "      status: needs-source # nobody yet\n" in after  # the comment stays
    assert '      note: "Which trial? Cite it."\n' in after
    assert "check the review" not in after
    # The blank line and not_claims stay after the claim.
    assert after.endswith('\nnot_claims:\n  - quote: "Løbere får ofte ondt."\n'
                          '    reason: "Introduction."\n')
    claims = {c.id: c for c in parse_claims(after, "x")[0].claims}
    assert claims["t-massage"].review.status == "needs-source"
    assert claims["t-massage"].review.on == "2026-02-03"
    assert claims["t-massage"].review.by == "Ann Editor"


def test_review_date_defaults_to_today(root):
    assert review(root, "t-definition", "--status", "disputed").exit_code == 0
    claims = {c.id: c for c in parse_claims(claims_path(root).read_text(), "x")[0].claims}
    assert claims["t-definition"].review.on == dt.date.today().isoformat()


def test_editor_comes_from_git_when_not_given(root, monkeypatch):
    monkeypatch.delenv("EVIDENCE_EDITOR", raising=False)
    monkeypatch.setattr(review_verb, "default_editor", lambda cwd=None: "Git Name")
    result = run(root, "review", "t-definition", "--status", "verified")
    assert result.exit_code == 0, result.output
    assert "by: Git Name" in claims_path(root).read_text()
    # The name taken from git is shown, so a wrong default is seen.
    assert "verified by Git Name (from git's user.name; --by to change)" in result.output


def test_no_editor_is_an_error(root, monkeypatch):
    monkeypatch.delenv("EVIDENCE_EDITOR", raising=False)
    monkeypatch.setattr(review_verb, "default_editor", lambda cwd=None: None)
    before = claims_path(root).read_bytes()
    result = run(root, "review", "t-definition", "--status", "verified")
    assert result.exit_code == 1
    assert "--by" in result.output
    assert claims_path(root).read_bytes() == before


def test_unknown_claim_is_an_error_and_leaves_the_file_untouched(root):
    path = claims_path(root)
    before, mtime = path.read_bytes(), path.stat().st_mtime_ns
    result = review(root, "t-definition", "t-defnition", "--status", "verified")
    assert result.exit_code == 1
    assert "no claim 't-defnition'" in result.output
    assert "did you mean 't-definition'" in result.output
    assert "Traceback" not in result.output
    assert path.read_bytes() == before and path.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in path.parent.iterdir()) == ["claims.yaml", "guide.md"]


def test_a_claim_that_does_not_anchor_is_not_reviewed(root):
    (root / "claims" / "testguide" / "guide.md").write_text(
        GUIDE.replace("centralt", "vigtigt"), encoding="utf-8")
    before = claims_path(root).read_bytes()
    result = review(root, "t-loading", "--status", "verified")
    assert result.exit_code == 1 and "does not anchor" in result.output
    assert claims_path(root).read_bytes() == before


def test_usage_errors(root):
    assert review(root, "t-definition").exit_code == 2  # no --status
    assert review(root, "--status", "verified").exit_code == 2  # no claim
    assert review(root, "t-definition", "--status", "approved").exit_code == 2
    assert review(root, "t-definition", "--status", "verified", "--on", "2.1.2026").exit_code == 2


def test_hashes_that_look_like_numbers_stay_strings():
    pin = {"version": 2, "quote": "012345678901", "sentence": "1e5", "evidence": "1234e5678901",
           "sources": [{"key": "2020", "design": None, "tier": None, "retracted": False,
                        "doi": "10.1000"}]}
    text, pins = edit_reviews(CLAIMS, "claims.yaml", ["t-definition"], status="verified",
                              by="No", on=dt.date(2026, 1, 2), note=None,
                              pins={"t-definition": pin})
    claims = {c.id: c for c in parse_claims(text, "x")[0].claims}
    assert claims["t-definition"].review.pin == pins["t-definition"]
    assert claims["t-definition"].review.by == "No"


# --- Stale reviews and pending ------------------------------------------------------


def test_a_later_quote_edit_makes_the_review_stale(root):
    assert review(root, "t-loading", "--status", "verified").exit_code == 0
    _, findings = check_project(root)
    assert "review-stale" not in {f.code for f in findings}

    guide = root / "claims" / "testguide" / "guide.md"
    guide.write_text(GUIDE.replace("er centralt", "er helt centralt"), encoding="utf-8")
    path = claims_path(root)
    path.write_text(path.read_text().replace("quote: 'Progressiv belastning er centralt.'",
                                             "quote: 'Progressiv belastning er helt centralt.'"),
                    encoding="utf-8")
    _, findings = check_project(root)
    stale = [f for f in findings if f.code == "review-stale"]
    assert [f.claim_id for f in stale] == ["t-loading"]
    assert "quote changed" in stale[0].message and stale[0].severity == "warning"

    pending = run(root, "review", "--pending")
    assert "t-loading  [stale, trial] (verified on " in pending.output
    assert ("- the sentence changed: Progressiv belastning er {+helt+} centralt."
            in pending.output)

    assert review(root, "t-loading", "--status", "verified").exit_code == 0
    _, findings = check_project(root)
    assert "review-stale" not in {f.code for f in findings}


def test_changed_evidence_makes_the_review_stale(root):
    assert review(root, "t-loading", "--status", "verified").exit_code == 0
    path = claims_path(root)
    path.write_text(path.read_text().replace("        relation: supports   # as the guide says",
                                             "        relation: supports\n        direct: false"),
                    encoding="utf-8")
    _, findings = check_project(root)
    stale = [f for f in findings if f.code == "review-stale"]
    assert stale and "evidence changed" in stale[0].message


def test_rewrapping_the_quote_does_not_make_the_review_stale(root):
    assert review(root, "t-definition", "--status", "verified").exit_code == 0
    path = claims_path(root)
    path.write_text(path.read_text().replace(
        '"Tendinopati er en overbelastningsskade i senen."',
        '"Tendinopati er en  overbelastningsskade\n      i senen."'), encoding="utf-8")
    _, findings = check_project(root)
    assert "review-stale" not in {f.code for f in findings}


def test_pending_lists_unreviewed_claims_in_guide_order(root):
    assert review(root, "t-definition", "--status", "verified").exit_code == 0
    result = run(root, "review", "--pending", "--guide", "testguide")
    assert result.exit_code == 0
    lines = [line for line in result.output.splitlines() if line.startswith("testguide")]
    assert lines == ["testguide  t-loading  [unreviewed, trial]",
                     "testguide  t-massage  [unreviewed, unsupported]"]
    assert "2 claim(s) await review (0 changed since reviewed)." in result.output


def test_pending_for_an_unknown_guide_is_an_error(root):
    result = run(root, "review", "--pending", "--guide", "nope")
    assert result.exit_code == 1 and "no guide 'nope'" in result.output


def test_a_problem_elsewhere_in_the_file_does_not_stop_a_review(root):
    path = claims_path(root)
    path.write_text(path.read_text().replace('    type: definition\n',
                                             '    type: definition\n    colour: blue\n'),
                    encoding="utf-8")
    result = review(root, "t-loading", "--status", "verified")
    assert result.exit_code == 0, result.output
    assert "colour: blue" in path.read_text()
