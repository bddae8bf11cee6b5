"""Verdicts that lapse: a verified claim whose pin no longer matches is published stale."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence.cli import cli
from evidence.host.serve import make_datasette
from tests.conftest import BIB, write_project

GUIDE = """\
# Smerte

Smerte er et signal, og det er ikke bare "blødt" – det har reel biologisk betydning. Hvil lidt.

## Behandling

Progressiv belastning er centralt. Massage hjælper kortvarigt.
"""

CLAIMS = """\
guide:
  title: Testguide
  language: da
claims:
  - id: t-pain
    quote: "det har reel biologisk betydning"
    type: mechanism
    consensus: "Standard physiology."
  - id: t-loading
    quote: "Progressiv belastning er centralt."
    type: treatment
    evidence:
      - source: smith2020
        relation: supports
"""


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def status(root: Path) -> dict[str, tuple[str, str | None]]:
    with sqlite3.connect(root / "evidence.db") as db:
        return {r[0]: (r[1], r[2]) for r in db.execute(
            "select id, status, stale_reason from claims")}


@pytest.fixture
def root(tmp_path, monkeypatch):
    monkeypatch.setenv("EVIDENCE_EDITOR", "Ann Editor")
    write_project(tmp_path, guide=GUIDE, claims=CLAIMS)
    result = run("review", "t-pain", "t-loading", "--status", "verified", "--project", tmp_path)
    assert result.exit_code == 0, result.output
    assert run("build", "--project", tmp_path).exit_code == 0
    assert status(tmp_path) == {"t-pain": ("verified", None), "t-loading": ("verified", None)}
    return tmp_path


def test_the_context_flip_turns_a_published_verified_into_stale(root):
    guide = root / "claims/testguide/guide.md"
    guide.write_text(GUIDE.replace("det er ikke bare", "det er bare"), encoding="utf-8")
    assert run("build", "--project", root).exit_code == 0  # the quote still anchors
    found = status(root)
    assert found["t-loading"] == ("verified", None)
    state, reason = found["t-pain"]
    assert state == "stale"
    assert reason.startswith("verified on ")
    assert "the sentence changed: " in reason and "[-ikke-]" in reason
    pending = run("review", "--pending", "--project", root).output.splitlines()
    assert pending[0].startswith("testguide  t-pain  [stale, consensus] (verified on ")
    assert "[-ikke-]" in pending[2]


def test_a_source_recode_turns_a_published_verified_into_stale(root):
    (root / "references.bib").write_text(BIB.replace("randomised-trial", "case-report"),
                                         encoding="utf-8")
    assert run("build", "--project", root).exit_code == 0
    state, reason = status(root)["t-loading"]
    assert state == "stale"
    assert "the design of smith2020 changed from randomised-trial to case-report" in reason
    assert "the tier of smith2020 changed from trial to case" in reason
    assert status(root)["t-pain"] == ("verified", None)
    pending = run("review", "--pending", "--project", root).output
    assert "design of smith2020 changed from randomised-trial to case-report" in pending
    # Reviewed again: verified once more.
    assert run("review", "t-loading", "--status", "verified", "--project", root).exit_code == 0
    assert run("build", "--project", root).exit_code == 0
    assert status(root)["t-loading"] == ("verified", None)


async def test_a_stale_verdict_is_never_shown_as_verified(root):
    (root / "references.bib").write_text(BIB.replace("randomised-trial", "cohort"),
                                         encoding="utf-8")
    assert run("build", "--project", root).exit_code == 0
    ds = make_datasette(root / "evidence.db")
    await ds.invoke_startup()
    page = (await ds.client.get("/evidence/claims/t-loading")).text
    assert 'status-stale">stale</span>' in page and "status-verified" not in page
    assert "The verdict lapsed: verified on" in page
    facet = (await ds.client.get("/evidence/claims.json?_facet=status&_shape=objects")).json()
    counts = {r["value"]: r["count"] for r in facet["facet_results"]["status"]["results"]}
    assert counts == {"stale": 1, "verified": 1}


def test_typography_and_wrapping_do_not_lapse_a_verdict(root):
    guide = root / "claims/testguide/guide.md"
    guide.write_text(GUIDE.replace('"blødt" –', "\u201cblødt\u201d -").replace(
        "og det er", "og  det\u00a0er"), encoding="utf-8")
    assert run("build", "--project", root).exit_code == 0
    assert status(root)["t-pain"] == ("verified", None)


def test_a_version_1_pin_still_holds_by_its_hashes_and_says_so(tmp_path):
    from evidence.claims.pins import quote_hash

    old = CLAIMS.replace('    consensus: "Standard physiology."\n',
                         '    consensus: "Standard physiology."\n    review:\n'
                         "      status: verified\n      pin:\n"
                         f"        quote: {quote_hash('det har reel biologisk betydning')}\n"
                         "        evidence: EVIDENCE\n")
    write_project(tmp_path, guide=GUIDE, claims=old)
    from evidence.claims.loader import parse_claims
    from evidence.claims.pins import evidence_hash

    claim = next(c for c in parse_claims(old, "x")[0].claims if c.id == "t-pain")
    (tmp_path / "claims/testguide/claims.yaml").write_text(
        old.replace("EVIDENCE", evidence_hash(claim)), encoding="utf-8")
    assert run("build", "--project", tmp_path).exit_code == 0
    assert status(tmp_path)["t-pain"] == ("verified", None)
    report = run("check", "--project", tmp_path, "--code", "review-pin-old").output
    assert "version 1 pin" in report and "record the review again" in report
    # A version 1 pin whose quote changed lapses as before.
    guide = tmp_path / "claims/testguide/guide.md"
    guide.write_text(GUIDE.replace("reel biologisk", "reel fysiologisk"), encoding="utf-8")
    path = tmp_path / "claims/testguide/claims.yaml"
    path.write_text(path.read_text().replace('quote: "det har reel biologisk',
                                             'quote: "det har reel fysiologisk'))
    assert run("build", "--project", tmp_path).exit_code == 0
    assert status(tmp_path)["t-pain"] == ("stale", "verified, since then its quote changed")
