"""A rebuild after an edit writes only the changed guides, and equals a full build."""

from __future__ import annotations

import re
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

from evidence.database.build import build
from evidence.errors import InputError
from evidence.project import load_project

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))
import corpus

sys.path.remove(str(REPO / "benchmarks"))

REAL_GUIDE = "distal-hasetendinopati"


def table_rows(db: Path) -> dict[str, list[str]]:
    """Every table's rows, surrogate ids and build times left out, in a stable order."""
    out = {}
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute(
            "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' "
            "and name not like '%_fts' and name not like '%_fts_%'")]
        for table in tables:
            info = conn.execute(f"pragma table_info([{table}])").fetchall()
            columns = [c[1] for c in info
                       if c[1] != "built_at" and not (c[1] == "id" and c[2] == "INTEGER" and c[5])]
            if table == "_evidence_build":
                columns = ["input_sha256", "evidence_version", "schema_version"]
            rows = conn.execute(
                f"select {', '.join(f'[{c}]' for c in columns)} from [{table}]").fetchall()
            out[table] = sorted(map(repr, rows))
    return out


def search(db: Path, table: str, term: str) -> list:
    with sqlite3.connect(db) as conn:
        conn.execute(f"insert into [{table}_fts]([{table}_fts]) values ('integrity-check')")
        return sorted(r[0] for r in conn.execute(
            f"select t.id from [{table}_fts] f join [{table}] t on t.rowid = f.rowid "
            f"where [{table}_fts] match ?", (term,)))


def assert_equals_full_build(root: Path, database: Path) -> None:
    full = root / "full.db"
    build(root, full, force=True)
    incremental, expected = table_rows(database), table_rows(full)
    assert incremental.keys() == expected.keys()
    for table in expected:
        assert incremental[table] == expected[table], table
    with sqlite3.connect(database) as conn:
        assert conn.execute("select count(distinct built_at) from guides").fetchone()[0] <= 1
    for table, term in (("claims", "smerte*"), ("claims", "hasesener*"), ("claims", "knæ*"),
                        ("sources", "tendinopathy"), ("sources", "Sederberg")):
        assert search(database, table, term) == search(full, table, term), (table, term)
    # the folded index (knae finds knæ) holds the same text for the same claims
    assert folded(database) == folded(full)
    for term in ('"knae"*', '"lob"*', '"aarsag"*', '"smerte"*'):
        assert folded(database, term) == folded(full, term), term
    full.unlink()


def folded(db: Path, term: str | None = None) -> list:
    with sqlite3.connect(db) as conn:
        conn.execute("insert into claims_fold_fts(claims_fold_fts) values ('integrity-check')")
        where = " where claims_fold_fts match ?" if term else ""
        return sorted(conn.execute(
            "select c.id, f.digraphs, f.letters from claims_fold_fts f "
            f"join claims c on c.rowid = f.rowid{where}", (term,) if term else ()).fetchall())


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A synthetic corpus plus the real guide, whose Kilder list prints its sources."""
    root = tmp_path / "project"
    corpus.generate(root, guides=6, claims=30, sources=300, seed=11)
    shutil.copytree(REPO / "claims" / REAL_GUIDE, root / "claims" / REAL_GUIDE)
    bib = root / "references.bib"
    ours = (REPO / "references.bib").read_text(encoding="utf-8")
    theirs = bib.read_text(encoding="utf-8")
    keys = set(re.findall(r"@\w+\{([^,]+),", theirs))
    assert not keys & set(re.findall(r"@\w+\{([^,]+),", ours))
    bib.write_text(theirs + "\n" + ours, encoding="utf-8")
    # A retracted source cited by several guides: its findings list claims across guides.
    retracted = re.search(r"@\w+\{([^,]+),[^@]*retraction", theirs).group(1)
    for guide in ("guide-0001", "guide-0002", "guide-0004"):
        _add_claim_citing(root, guide, retracted, f"{guide}-retracted")
    return root


def _add_claim_citing(root: Path, guide: str, key: str, claim_id: str) -> None:
    folder = root / "claims" / guide
    text = (folder / "guide.md").read_text(encoding="utf-8")
    sentence = f"Sætningen om {claim_id} henviser til et tilbagetrukket studie."
    (folder / "guide.md").write_text(text.rstrip("\n") + "\n\n" + sentence + "\n", encoding="utf-8")
    with open(folder / "claims.yaml", "a", encoding="utf-8") as fh:
        fh.write(f"  - id: {claim_id}\n    quote: \"{sentence}\"\n    type: treatment\n"
                 f"    evidence:\n      - source: {key}\n")


def leftovers(root: Path) -> list[str]:
    """Temporary files a build left beside the database (its copies, its new files)."""
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".evidence.db."))


def first_build(root: Path) -> Path:
    database = root / "evidence.db"
    result = build(root, database)
    assert result.built and not result.incremental
    return database


def test_editing_one_guide_rewrites_only_it_and_equals_a_full_build(project):
    database = first_build(project)
    with sqlite3.connect(database) as conn:
        before = dict(conn.execute("select id, rowid from claims where guide_id != 'guide-0003'"))
    corpus.edit_guide(project, "guide-0003")
    result = build(project, database)
    assert result.built and result.incremental
    assert result.claims == 6 * 30 + 198 + 3 + 1
    with sqlite3.connect(database) as conn:
        after = dict(conn.execute("select id, rowid from claims where guide_id != 'guide-0003'"))
    assert after == before  # the other guides' rows were not touched
    assert leftovers(project) == []
    assert_equals_full_build(project, database)
    assert not build(project, database).built


def test_an_edit_that_changes_cross_guide_findings(project):
    database = first_build(project)
    # Unlink the retracted source from one of the three guides citing it: its
    # finding now lists two claims, and guide-0002's own claim loses a link.
    claims = project / "claims" / "guide-0002" / "claims.yaml"
    text = claims.read_text(encoding="utf-8")
    claims.write_text(re.sub(r"(- id: guide-0002-retracted\n(?:    .*\n)*?)    evidence:\n"
                             r"      - source: \S+\n", r"\1", text), encoding="utf-8")
    assert claims.read_text(encoding="utf-8") != text
    assert build(project, database).incremental
    assert_equals_full_build(project, database)


def test_editing_the_guide_with_a_printed_reference_list(project):
    database = first_build(project)
    claims = project / "claims" / REAL_GUIDE / "claims.yaml"
    text = claims.read_text(encoding="utf-8")
    # Drop every link to one printed source: it becomes printed but unlinked.
    edited = re.sub(r"      - source: mohammed2025\n(?:        .*\n)*", "", text)
    assert edited != text
    claims.write_text(edited, encoding="utf-8")
    assert build(project, database).incremental
    assert_equals_full_build(project, database)


def test_removing_and_adding_guides(project):
    database = first_build(project)
    shutil.rmtree(project / "claims" / "guide-0005")
    assert build(project, database).incremental
    assert_equals_full_build(project, database)
    new = project / "claims" / "guide-0099"
    shutil.copytree(project / "claims" / "guide-0006", new)
    yaml = (new / "claims.yaml").read_text(encoding="utf-8")
    (new / "claims.yaml").write_text(yaml.replace("guide-0006-", "guide-0099-"), encoding="utf-8")
    assert build(project, database).incremental
    assert_equals_full_build(project, database)


def test_a_duplicate_claim_id_is_reported_as_by_a_full_build(project):
    database = first_build(project)
    claims = project / "claims" / "guide-0003" / "claims.yaml"
    text = claims.read_text(encoding="utf-8")
    claims.write_text(text.replace("- id: guide-0003-c001", "- id: guide-0001-c001"),
                      encoding="utf-8")
    rebuilt = build(project, database)
    with pytest.raises(InputError) as full_error:
        load_project(project)
    assert rebuilt.built and not rebuilt.incremental
    assert rebuilt.problems == [str(p) for p in full_error.value.problems]
    assert any("duplicate claim id" in str(p) for p in full_error.value.problems)
    assert leftovers(project) == []  # the copy made ahead for the rebuild is gone


def test_a_changed_references_file_takes_the_full_build(project):
    database = first_build(project)
    bib = project / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace(
        "studydesign = {narrative-review}", "studydesign = {randomised-trial}", 1),
        encoding="utf-8")
    result = build(project, database)
    assert result.built and not result.incremental
    assert_equals_full_build(project, database)


def test_a_missing_or_foreign_state_takes_the_full_build(project):
    database = first_build(project)
    (database.parent / "evidence.db-build.json").write_text("{not json", encoding="utf-8")
    corpus.edit_guide(project, "guide-0001")
    result = build(project, database)
    assert result.built and not result.incremental
    corpus.edit_guide(project, "guide-0001", seed=3)
    assert build(project, database).incremental
    assert_equals_full_build(project, database)


def test_a_guide_file_turned_into_a_link_outside_is_reported_as_by_a_full_build(project, tmp_path):
    database = first_build(project)
    guide = project / "claims" / "guide-0002" / "guide.md"
    outside = tmp_path / "outside.md"
    outside.write_text(guide.read_text(encoding="utf-8"), encoding="utf-8")
    guide.unlink()
    guide.symlink_to(outside)
    rebuilt = build(project, database)
    with pytest.raises(InputError) as full_error:
        load_project(project)
    assert rebuilt.built and not rebuilt.incremental
    assert rebuilt.problems == [str(p) for p in full_error.value.problems]
    assert "outside the project" in str(full_error.value.problems[0])


def test_a_state_without_printed_citekeys_takes_the_full_build(project):
    import json

    database = first_build(project)
    state_file = database.parent / "evidence.db-build.json"
    state = json.loads(state_file.read_text(encoding="utf-8"))
    del state["printed"]
    state_file.write_text(json.dumps(state), encoding="utf-8")
    corpus.edit_guide(project, "guide-0001")
    result = build(project, database)
    assert result.built and not result.incremental
    assert_equals_full_build(project, database)


def test_a_claims_problems_come_in_one_order_whoever_reads_the_guide(project):
    """Duplicate id, unknown citekey, then a quote that does not anchor: the
    reading (anchoring) and the validation (ids, citekeys) are separate steps,
    their problems are reported claim by claim as one."""
    database = first_build(project)
    claims = project / "claims" / "guide-0003" / "claims.yaml"
    text = claims.read_text(encoding="utf-8")
    first = re.search(r"- id: guide-0003-c001\n    quote: (.*)\n", text)
    edited = text.replace(first.group(0), "- id: guide-0001-c001\n    quote: \"no such words\"\n")
    edited = edited.replace("      - source: ", "      - source: nosuchkey", 1)
    claims.write_text(edited, encoding="utf-8")
    rebuilt = build(project, database)
    with pytest.raises(InputError) as full_error:
        load_project(project)
    found = rebuilt.problems
    assert found == [str(p) for p in full_error.value.problems]
    assert ["duplicate claim id" in found[0], "unknown citekey" in found[1],
            "quote not found" in found[2]] == [True, True, True]


def test_only_sources_whose_links_changed_are_checked_again_and_equal_a_full_build(project):
    database = first_build(project)
    # The claim citing the retracted source is renamed: the names of the claims
    # linking it change (its finding lists them), nothing else does.
    claims = project / "claims" / "guide-0004" / "claims.yaml"
    text = claims.read_text(encoding="utf-8")
    claims.write_text(text.replace("- id: guide-0004-retracted\n",
                                   "- id: guide-0004-retracted-renamed\n"), encoding="utf-8")
    assert claims.read_text(encoding="utf-8") != text
    result = build(project, database)
    assert result.incremental
    assert_equals_full_build(project, database)
    # An edit of words alone links nothing new: every source keeps its findings.
    guide = project / "claims" / "guide-0005" / "guide.md"
    guide.write_text(guide.read_text(encoding="utf-8") + "\nEn ny sætning uden påstand.\n",
                     encoding="utf-8")
    assert build(project, database).incremental
    assert_equals_full_build(project, database)


def test_a_guide_saved_with_windows_line_ends_is_unchanged_until_edited(project):
    """guides.sha256 is of the text with its line ends made "\\n": a guide.md
    saved with "\\r\\n" is not taken for changed when another guide is edited,
    and an edit of its own is rebuilt incrementally, equal to a full build."""
    crlf = project / "claims" / "guide-0005" / "guide.md"
    crlf.write_bytes(crlf.read_bytes().replace(b"\n", b"\r\n"))
    database = first_build(project)
    guide_row = "select rowid from guides where id = 'guide-0005'"  # a rewritten guide's changes
    with sqlite3.connect(database) as conn:
        before = conn.execute(guide_row).fetchone()
    corpus.edit_guide(project, "guide-0003")
    result = build(project, database)
    assert result.built and result.incremental
    with sqlite3.connect(database) as conn:
        assert conn.execute(guide_row).fetchone() == before
    assert_equals_full_build(project, database)

    crlf.write_bytes(crlf.read_bytes() + "\r\nEn ny afsluttende sætning.\r\n".encode())
    result = build(project, database)
    assert result.built and result.incremental
    assert_equals_full_build(project, database)


def _repeat_state(database: Path) -> dict:
    import json

    from evidence.database.incremental import state_path
    return json.loads(state_path(database).read_text(encoding="utf-8"))["repeats"]["guides"]


@pytest.mark.parametrize("where", ["first", "last"])
def test_an_edited_paragraph_anywhere_gives_the_repeats_of_a_full_build(tmp_path, where):
    """The near-repeat results kept in the build state: a guide is joined again
    from its first changed paragraph on; the findings equal a full build's
    whether the edit is before every repeat or after them."""
    project = tmp_path / "project"
    corpus.generate(project, guides=4, claims=60, sources=100, seed=5, text="repetitive")
    database = first_build(project)
    guides = sorted(p.name for p in (project / "claims").iterdir())
    before = _repeat_state(database)
    assert sorted(before) == guides  # the full build kept every guide's
    guide = project / "claims" / "guide-0002" / "guide.md"
    text = guide.read_text(encoding="utf-8")
    paragraphs = text.split("\n\n")
    index = next(i for i, p in enumerate(paragraphs) if not p.startswith("#")) \
        if where == "first" else len(paragraphs) - 1
    paragraphs[index] = paragraphs[index].rstrip("\n") + " Et ord mere om senen og knæet."
    guide.write_text("\n\n".join(paragraphs) + ("\n" if where == "first" else ""),
                     encoding="utf-8")
    result = build(project, database)
    assert result.built and result.incremental
    after = _repeat_state(database)
    assert sorted(after) == guides
    assert {g: after[g] for g in guides if g != "guide-0002"} == \
        {g: before[g] for g in guides if g != "guide-0002"}
    assert after["guide-0002"] != before["guide-0002"]
    with sqlite3.connect(database) as conn:
        assert conn.execute("select count(*) from findings where code = 'paragraph-repeated' "
                            "and guide_id = 'guide-0002'").fetchone()[0] > 0
    assert_equals_full_build(project, database)


def test_a_hand_edited_repeat_memo_is_not_trusted(tmp_path):
    """Results in the build state that the join did not find (well formed, so
    only their seal tells) are dropped: the rebuild's findings are a full build's."""
    import json

    from evidence.database.incremental import state_path

    project = tmp_path / "project"
    corpus.generate(project, guides=3, claims=60, sources=100, seed=5, text="repetitive")
    database = first_build(project)
    path = state_path(database)
    state = json.loads(path.read_text(encoding="utf-8"))
    entry = state["repeats"]["guides"]["guide-0001"]
    assert any(i is not None for i in entry["first"])
    entry["first"] = [None] * len(entry["first"])  # "nothing repeats"
    path.write_text(json.dumps(state), encoding="utf-8")
    guide = project / "claims" / "guide-0001" / "guide.md"
    guide.write_text(guide.read_text(encoding="utf-8") + "\nEt nyt afsnit om senen.\n",
                     encoding="utf-8")
    result = build(project, database)
    assert result.built and result.incremental
    with sqlite3.connect(database) as conn:
        assert conn.execute("select count(*) from findings where code = 'paragraph-repeated' "
                            "and guide_id = 'guide-0001'").fetchone()[0] > 0
    assert_equals_full_build(project, database)
