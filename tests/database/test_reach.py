"""What an error takes down (docs/DESIGN.md, "What an error takes down"): one test per row."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from click.testing import CliRunner

from evidence.cli import cli
from tests.conftest import BIB, CLAIMS, GUIDE, write_project


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def build(root: Path, *options: str):
    return run("build", "--project", str(root), *options)


def rows(root: Path, sql: str, *params) -> list[sqlite3.Row]:
    with sqlite3.connect(root / "evidence.db") as db:
        db.row_factory = sqlite3.Row
        return db.execute(sql, params).fetchall()


def claims(root: Path) -> dict[str, sqlite3.Row]:
    return {r["id"]: r for r in rows(root, "select * from claims")}


def finding_codes(root: Path) -> list[str]:
    return sorted(r["code"] for r in rows(root, "select code from findings"))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_quote_not_found_orphans_that_claim_at_its_last_good_place(project):
    assert build(project).exit_code == 0
    before = claims(project)["t-loading"]
    assert before["anchor"] == "exact"
    edit(project / "claims/testguide/guide.md", "Progressiv belastning er centralt.",
         "Gradvis belastning er det vigtigste.")
    result = build(project)
    assert result.exit_code == 1
    assert "t-loading: quote not found in the guide" in result.output
    after = claims(project)
    orphan = after["t-loading"]
    assert orphan["anchor"] == "orphaned"
    assert (orphan["section_id"], orphan["start"], orphan["end"], orphan["line"]) == (
        before["section_id"], before["start"], before["end"], before["line"])
    assert orphan["basis"] == "trial"  # its links are built as usual
    assert after["t-definition"]["anchor"] == "exact"
    found = rows(project, "select claim_id, severity from findings where code = 'claim-orphaned'")
    assert [tuple(r) for r in found] == [("t-loading", "error")]
    # Still orphaned a build later: the place is the last *good* one, not lost.
    edit(project / "claims/testguide/claims.yaml", "Standard definition.", "Textbook.")
    assert build(project).exit_code == 1
    again = claims(project)["t-loading"]
    assert (again["anchor"], again["start"], again["section_id"]) == (
        "orphaned", before["start"], before["section_id"])


def test_an_ambiguous_quote_orphans_that_claim(project):
    assert build(project).exit_code == 0
    edit(project / "claims/testguide/guide.md", "Massage hjælper kortvarigt.",
         "Massage hjælper kortvarigt. Progressiv belastning er centralt.")
    result = build(project)
    assert result.exit_code == 1
    assert "the quote occurs 2 times" in result.output
    assert claims(project)["t-loading"]["anchor"] == "orphaned"


def test_a_new_claim_that_never_anchored_is_orphaned_without_a_place(project):
    edit(project / "claims/testguide/claims.yaml", "  - id: t-loading",
         '  - id: t-new\n    quote: "Ord der ikke står der."\n    type: symptom\n'
         "  - id: t-loading")
    assert build(project).exit_code == 1
    new = claims(project)["t-new"]
    assert (new["anchor"], new["section_id"], new["start"], new["end"]) == (
        "orphaned", None, None, None)


def test_an_unknown_citekey_leaves_out_that_link_and_builds_the_rest_of_the_claim(project):
    assert build(project).exit_code == 0
    edit(project / "claims/testguide/claims.yaml", "source: smith2020", "source: smyth2020")
    result = build(project)
    assert result.exit_code == 1
    assert "unknown citekey 'smyth2020'" in result.output
    loading = claims(project)["t-loading"]
    assert (loading["anchor"], loading["basis"], loading["supporting_sources"]) == (
        "exact", "unsupported", 0)
    assert rows(project, "select * from claim_sources") == []
    assert "citekey-unknown" in finding_codes(project)


def test_a_bad_type_or_relation_leaves_out_that_part(project):
    edit(project / "claims/testguide/claims.yaml", "type: treatment", "type: therapy")
    edit(project / "claims/testguide/claims.yaml", "relation: supports", "relation: backs")
    result = build(project)
    assert result.exit_code == 1
    assert "unknown claim type 'therapy'" in result.output
    assert "unknown relation 'backs'" in result.output
    loading = claims(project)["t-loading"]
    assert (loading["type"], loading["basis"], loading["anchor"]) == (None, "unsupported", "exact")
    assert claims(project)["t-definition"]["type"] == "definition"


def test_a_boolean_or_bare_yes_consensus_is_a_build_error_and_left_out(project):
    edit(project / "claims/testguide/claims.yaml", 'consensus: "Standard definition."',
         "consensus: true")
    result = build(project)
    assert result.exit_code == 1
    assert "t-definition: 'consensus' is True, not a reason" in result.output
    definition = claims(project)["t-definition"]
    assert (definition["consensus"], definition["basis"]) == (None, "unsupported")
    for bare in ("yes", '"ja"'):
        edit(project / "claims/testguide/claims.yaml", "consensus: true", f"consensus: {bare}")
        result = build(project)
        assert result.exit_code == 1
        assert f"'consensus' is {bare.strip(chr(34))!r}, not a reason" in result.output
        edit(project / "claims/testguide/claims.yaml", f"consensus: {bare}", "consensus: true")


def stale_guide_case(project: Path, break_it) -> None:
    assert build(project).exit_code == 0
    before = {k: dict(v) for k, v in claims(project).items()}
    # The source is recoded in the same build: the stale rows are graded again.
    edit(project / "references.bib", "randomised-trial", "cohort")
    break_it(project / "claims/testguide")
    result = build(project)
    assert result.exit_code == 1
    guide = rows(project, "select stale, stale_reason, claim_count from guides")[0]
    assert guide["stale"] == 1 and guide["stale_reason"]
    after = claims(project)
    assert set(after) == set(before)
    assert after["t-loading"]["quote"] == before["t-loading"]["quote"]
    assert after["t-loading"]["start"] == before["t-loading"]["start"]
    assert after["t-loading"]["basis"] == "observational"  # re-graded: was trial
    assert "guide-stale" in finding_codes(project)
    return guide["stale_reason"]


def test_yaml_syntax_keeps_the_guides_last_good_rows_marked_stale(project):
    def break_it(folder):
        edit(folder / "claims.yaml", "  - id: t-loading", "  - id: t-loading\n   oops: [")

    reason = stale_guide_case(project, break_it)
    assert "malformed YAML" in reason


def test_an_unreadable_guide_keeps_the_guides_last_good_rows_marked_stale(project):
    def break_it(folder):
        (folder / "guide.md").write_bytes(GUIDE.encode("utf-8") + b"\xff\xfe")

    assert "not UTF-8" in stale_guide_case(project, break_it)


def test_an_id_twice_in_one_guide_keeps_the_guides_last_good_rows_marked_stale(project):
    def break_it(folder):
        edit(folder / "claims.yaml", "id: t-loading", "id: t-definition")

    assert "used twice" in stale_guide_case(project, break_it)


def test_a_broken_guide_on_a_fresh_clone_is_absent_and_a_finding_names_it(tmp_path):
    write_project(tmp_path, guide_id="aaa")
    write_project(tmp_path, claims=CLAIMS.replace("t-", "z-").replace(
        "  - id: z-loading", "  - id: z-loading\n   oops: ["), guide_id="zzz")
    result = build(tmp_path)
    assert result.exit_code == 1
    assert [r["id"] for r in rows(tmp_path, "select id from guides")] == ["aaa"]
    found = rows(tmp_path, "select guide_id, message from findings where code = "
                           "'guide-unpublished'")
    assert len(found) == 1 and found[0]["guide_id"] is None
    assert "guide 'zzz' is not published" in found[0]["message"]


def test_a_claim_id_in_two_guides_leaves_out_the_later_guides_claim(tmp_path):
    write_project(tmp_path, guide_id="aaa")
    other = CLAIMS.replace("t-loading", "b-loading")  # t-definition is in both
    write_project(tmp_path, claims=other, guide_id="bbb")
    result = build(tmp_path)
    assert result.exit_code == 1
    assert "t-definition: duplicate claim id" in result.output
    homes = {r["id"]: r["guide_id"] for r in rows(tmp_path, "select id, guide_id from claims")}
    assert homes == {"t-definition": "aaa", "t-loading": "aaa", "b-loading": "bbb"}
    assert rows(tmp_path, "select count(*) from guides")[0][0] == 2


def test_a_bad_references_entry_leaves_out_that_source_and_its_links_are_unknown(project):
    bib = BIB + BIB.replace("smith2020", "jones2021").replace(
        "10.1234/test.2020.1", "10.12/oops").replace("% test references", "")
    claims_text = CLAIMS.replace("      - source: smith2020\n",
                                 "      - source: smith2020\n      - source: jones2021\n")
    write_project(project, claims=claims_text, bib=bib)
    result = build(project)
    assert result.exit_code == 1
    assert "jones2021: '10.12/oops' is not a DOI" in result.output
    assert "unknown citekey 'jones2021'" in result.output
    assert [r["id"] for r in rows(project, "select id from sources")] == ["smith2020"]
    assert [r["source_id"] for r in rows(project, "select source_id from claim_sources")] == [
        "smith2020"]
    assert claims(project)["t-loading"]["basis"] == "trial"
    assert rows(project, "pragma foreign_key_check") == []


def test_an_unreadable_references_file_fails_the_whole_build_and_keeps_the_database(project):
    assert build(project).exit_code == 0
    before = (project / "evidence.db").read_bytes()
    (project / "references.bib").write_bytes(BIB.encode("utf-8") + b"\xff")
    result = build(project)
    assert result.exit_code == 1
    assert "not UTF-8" in result.output and "nothing was changed" in result.output
    assert (project / "evidence.db").read_bytes() == before


def test_a_rebuild_with_nothing_changed_exits_1_while_errors_remain(project):
    edit(project / "claims/testguide/claims.yaml", "source: smith2020", "source: smyth2020")
    assert build(project).exit_code == 1
    again = build(project)
    assert again.exit_code == 1
    assert "up to date" in again.output
    assert "unknown citekey 'smyth2020'" in again.output
    strict = build(project, "--strict")
    assert strict.exit_code == 1 and "remain from the last build" in strict.output
    edit(project / "claims/testguide/claims.yaml", "source: smyth2020", "source: smith2020")
    assert build(project).exit_code == 0
    assert build(project).exit_code == 0


def test_strict_writes_nothing_on_a_fresh_project_with_an_error(project):
    edit(project / "claims/testguide/claims.yaml", "source: smith2020", "source: smyth2020")
    result = build(project, "--strict")
    assert result.exit_code == 1 and "nothing was changed" in result.output
    assert not (project / "evidence.db").exists()


def test_package_refuses_a_stale_guide_unless_allowed(project, tmp_path):
    assert build(project).exit_code == 0
    edit(project / "claims/testguide/claims.yaml", "  - id: t-loading",
         "  - id: t-loading\n   oops: [")
    out = tmp_path / "site"
    refused = run("package", str(out), "--project", str(project))
    assert refused.exit_code == 1
    assert "testguide (line" in refused.output and "--allow-stale" in refused.output
    assert not out.exists()
    allowed = run("package", str(out), "--project", str(project), "--allow-stale")
    assert allowed.exit_code == 0, allowed.output
    assert (out / "evidence.db").exists()
