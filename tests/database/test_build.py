"""evidence build: the contract schema, skipping, and safety on bad input."""

import sqlite3

import pytest
from click.testing import CliRunner

from evidence.cli import cli
from tests.conftest import BIB, CLAIMS, write_project

CONTRACT = {
    "guides": "id title language path sha256 built_at",
    "sections": "id guide_id position heading level",
    "claims": "id guide_id section_id position quote prefix suffix start end type basis "
              "indirect contested consensus status reviewed_by reviewed_on review_note",
    "sources": "id doi entry_type title container_title year volume issue pages authors "
               "study_design tier metadata_source retracted",
    "source_authors": "source_id position family given orcid",
    "claim_sources": "claim_id source_id relation direct locator note",
    "study_designs": "code label tier ocebm_level description",
    "tiers": "code label rank",
    "bases": "code label rank description",
    "source_updates": "source_id update_type notice_doi updated label origin",
    "findings": "guide_id claim_id source_id severity code message",
}


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def build(project, *options):
    return run("build", "--project", str(project), *options)


def columns(db, table):
    return {row[1] for row in db.execute(f"pragma table_info([{table}])")}


def test_database_has_every_table_and_column_of_the_contract(project):
    result = build(project)
    assert result.exit_code == 0, result.output
    assert "1 guide(s), 2 claims, 1 sources" in result.output
    db = sqlite3.connect(project / "evidence.db")
    for table, names in CONTRACT.items():
        assert set(names.split()) <= columns(db, table), table
    fts = {r[0]: r[1] for r in db.execute(
        "select name, sql from sqlite_master where name in ('claims_fts', 'sources_fts')")}
    assert 'content="claims"' in fts["claims_fts"]
    assert "remove_diacritics 0" in fts["claims_fts"]
    assert db.execute("pragma foreign_key_check").fetchall() == []


def test_rows_are_computed_from_the_files(project):
    build(project)
    db = sqlite3.connect(project / "evidence.db")
    db.row_factory = sqlite3.Row
    claims = {r["id"]: r for r in db.execute("select * from claims")}
    assert claims["t-definition"]["basis"] == "consensus"
    assert claims["t-loading"]["basis"] == "trial"
    assert claims["t-loading"]["section_id"] == "testguide--behandling"
    guide = (project / "claims/testguide/guide.md").read_text()
    loading = claims["t-loading"]
    assert guide[loading["start"]:loading["end"]] == "Progressiv belastning er centralt."
    source = db.execute("select * from sources").fetchone()
    assert (source["doi"], source["tier"], source["authors"]) == (
        "10.1234/test.2020.1", "trial", "Smith J, World Health Organization")
    assert source["title"] == "Loading for tendinopathy: a randomised trial"
    authors = db.execute("select family, given from source_authors order by position").fetchall()
    assert [tuple(a) for a in authors] == [("Smith", "John"), ("World Health Organization", None)]
    hits = db.execute(
        "select id from claims where rowid in "
        "(select rowid from claims_fts where claims_fts match 'belast*')").fetchall()
    assert [h[0] for h in hits] == ["t-loading"]
    sections = db.execute("select position, heading, level from sections").fetchall()
    assert tuple(sections[0]) == (0, "Testguide", 1)


def test_unchanged_inputs_skip_the_build(project):
    build(project)
    before = (project / "evidence.db").stat().st_mtime_ns
    result = build(project)
    assert "up to date" in result.output
    assert (project / "evidence.db").stat().st_mtime_ns == before
    claims = project / "claims/testguide/claims.yaml"
    claims.write_text(claims.read_text().replace("Standard definition.", "Textbook."))
    assert "Built" in build(project).output


BAD_INPUTS = {
    "malformed YAML": (
        {"claims": CLAIMS.replace("  - id: t-loading", "  - id: t-loading\n   oops: [")},
        "claims.yaml:", "malformed YAML"),
    "unknown citekey": (
        {"claims": CLAIMS.replace("source: smith2020", "source: smyth2020")},
        "claims.yaml:14: t-loading: unknown citekey 'smyth2020'", "did you mean 'smith2020'"),
    "duplicate claim id": (
        {"claims": CLAIMS.replace("id: t-loading", "id: t-definition")},
        "claims.yaml:10: t-definition: duplicate claim id", "claims.yaml:6"),
    "quote not in the guide": (
        {"claims": CLAIMS.replace("Progressiv belastning er centralt.",
                                  "Progressiv belastning er central.")},
        "claims.yaml:10: t-loading: quote not found in the guide",
        "did you mean 'Progressiv belastning er centralt"),
    "ambiguous quote": (
        {"claims": CLAIMS.replace("Progressiv belastning er centralt.", "Hold i 30 sekunder")},
        "t-loading: the quote occurs 2 times", "line 7"),
    "unclosed brace": (
        {"bib": BIB + "\n@article{broken,\n  title = {unclosed\n"},
        "references.bib:15: BibTeX could not be parsed", "broken"),
    "two entries with one DOI": (
        {"bib": BIB + BIB.replace("smith2020", "smith2020b").replace("% test references", "")},
        "smith2020b: DOI 10.1234/test.2020.1 is also the DOI of smith2020", "merge"),
    "invalid DOI": (
        {"bib": BIB.replace("10.1234/test.2020.1", "10.12/oops")},
        "references.bib:10: smith2020: '10.12/oops' is not a DOI", "registrant code"),
    "unknown study design": (
        {"bib": BIB.replace("randomised-trial", "rct")},
        "references.bib:11: smith2020: unknown study design 'rct'", "randomised-trial"),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_strict_build_on_bad_input_gives_a_clear_message_and_keeps_the_previous_database(
        tmp_path, case):
    """--strict: all or nothing (what each problem takes down without it: test_reach.py)."""
    project = write_project(tmp_path)
    assert build(project).exit_code == 0
    database = project / "evidence.db"
    before = database.read_bytes()

    changes, expected, hint = BAD_INPUTS[case]
    write_project(tmp_path, claims=changes.get("claims", CLAIMS), bib=changes.get("bib", BIB))
    result = build(project, "--strict")

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert expected in result.output
    assert hint in result.output
    assert "nothing was changed" in result.output
    assert database.read_bytes() == before
    assert [p.name for p in project.iterdir() if p.name.startswith(".evidence")] == []


def test_not_a_project_is_a_clear_error(tmp_path):
    result = run("build", "--project", str(tmp_path))
    assert result.exit_code == 1
    assert "is not an evidence project" in result.output


def test_build_of_the_repository(tmp_path):
    from tests.conftest import REPO

    result = run("build", "--project", str(REPO), "--database", str(tmp_path / "e.db"))
    assert result.exit_code == 0, result.output
    db = sqlite3.connect(tmp_path / "e.db")
    assert db.execute("select count(*) from guides").fetchone()[0] >= 1
    assert db.execute("select count(*) from sources").fetchone()[0] >= 6
    assert db.execute("select count(*) from claims where start is null").fetchone()[0] == 0
