"""The editor's daily life in one scenario (issue 14, "Done when"): three guides
change in one build, and nothing good is lost."""

from __future__ import annotations

import sqlite3

from click.testing import CliRunner

from evidence.cli import cli
from tests.conftest import CLAIMS, GUIDE, write_project


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def table(root, sql):
    with sqlite3.connect(root / "evidence.db") as db:
        return db.execute(sql).fetchall()


def test_a_reworded_quote_a_broken_file_and_a_new_claim_in_one_build(tmp_path, monkeypatch):
    monkeypatch.setenv("EVIDENCE_EDITOR", "Ann")
    for guide in ("aaa", "bbb", "ccc"):
        write_project(tmp_path, claims=CLAIMS.replace("t-", f"{guide}-"), guide_id=guide)
    assert run("review", "aaa-loading", "--status", "verified", "--project", tmp_path
               ).exit_code == 0
    assert run("build", "--project", tmp_path).exit_code == 0
    database = tmp_path / "evidence.db"

    # aaa: one quoted sentence reworded, another (quoted) deleted.
    (tmp_path / "claims/aaa/guide.md").write_text(
        GUIDE.replace("Progressiv belastning er centralt.",
                      "Progressiv belastning er helt centralt.")
        .replace("Tendinopati er en overbelastningsskade i senen.", "Se nedenfor."),
        encoding="utf-8")
    # bbb: a syntax error in claims.yaml.
    broken = tmp_path / "claims/bbb/claims.yaml"
    broken.write_text(broken.read_text().replace("  - id: bbb-loading",
                                                 "  - id: bbb-loading\n   oops: ["))
    # ccc: a new claim.
    added = tmp_path / "claims/ccc/claims.yaml"
    added.write_text(added.read_text() + '  - id: ccc-massage\n    quote: "Massage hjælper '
                     'kortvarigt."\n    type: treatment\n')

    before = database.read_bytes()
    strict = run("build", "--strict", "--project", tmp_path)
    assert strict.exit_code == 1 and "nothing was changed" in strict.output
    assert database.read_bytes() == before

    result = run("build", "--project", tmp_path)
    assert result.exit_code == 1
    claims = dict(table(tmp_path, "select id, anchor || ' ' || status from claims"))
    assert claims["ccc-massage"] == "exact unreviewed"  # the new claim
    assert claims["aaa-loading"] == "orphaned stale"  # reworded: orphaned, verdict lapsed
    assert claims["aaa-definition"].startswith("orphaned")  # its sentence deleted
    assert claims["bbb-loading"] == "exact unreviewed"  # the broken guide's last good rows
    guides = {r[0]: r[1:] for r in table(tmp_path, "select id, stale, stale_reason from guides")}
    assert guides["aaa"] == (0, None) and guides["ccc"] == (0, None)
    assert guides["bbb"][0] == 1 and "malformed YAML" in guides["bbb"][1]
    assert run("build", "--project", tmp_path).exit_code == 1  # nothing changed, errors remain
    assert run("build", "--strict", "--project", tmp_path).exit_code == 1

    # reanchor moves the reworded claim and leaves the deleted sentence's orphaned.
    moved = run("reanchor", "aaa", "--apply", "--project", tmp_path)
    assert "aaa-loading" in moved.output and "moved" in moved.output
    assert "aaa-definition" in moved.output and "stays orphaned" in moved.output
    assert run("retire", "aaa-definition", "--reason", "Sentence deleted.", "--project",
               tmp_path).exit_code == 0
    broken.write_text(broken.read_text().replace("\n   oops: [", ""))
    final = run("build", "--project", tmp_path)
    assert final.exit_code == 0, final.output
    claims = dict(table(tmp_path, "select id, anchor || ' ' || status from claims"))
    assert claims["aaa-loading"] == "exact stale"  # moved; reviewed words changed
    assert "aaa-definition" not in claims
    assert table(tmp_path, "select id from retired_claims") == [("aaa-definition",)]
    assert table(tmp_path, "select count(*) from guides where stale") == [(0,)]
