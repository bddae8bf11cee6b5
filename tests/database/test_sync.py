"""A rebuild writes a changed guide's claims and links only where they changed,
and what it leaves equals a full build, in both full-text indexes too."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from evidence.database.build import build
from evidence.database.sync import compare
from tests.database.test_incremental import assert_equals_full_build, corpus, first_build, project

__all__ = ["project"]  # the fixture, used by name

GUIDE = "guide-0002"


def test_compare_finds_what_was_removed_changed_and_added():
    stored = [(1, "a", 1, "same"), (2, "b", 1, "old text"), (3, "gone", 1, "x")]
    new = [{"id": "a", "n": True, "text": "same"},   # True is the 1 SQLite gives back
           {"id": "b", "n": 1, "text": "new text"},
           {"id": "c", "n": 0, "text": "added"}]
    change = compare(stored, new, ["id", "n", "text"], ("id",))
    assert change.removed == [(3, "gone", 1, "x")]
    assert change.updated == [((2, "b", 1, "old text"), {"text": "new text"})]
    assert change.added == [{"id": "c", "n": 0, "text": "added"}]
    assert not compare(stored[:1], new[:1], ["id", "n", "text"], ("id",))


def _claims(root: Path) -> Path:
    return root / "claims" / GUIDE / "claims.yaml"


def _rowids(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as conn:
        return dict(conn.execute("select id, rowid from claims where guide_id = ?", (GUIDE,)))


def test_an_edit_early_in_a_guide_shifts_the_later_claims_in_place(project):
    """A sentence added before the first claim moves every claim of the guide:
    they are updated where they stand (same rowids), and equal a full build."""
    database = first_build(project)
    before = _rowids(database)
    lines_before = _lines(database)
    guide = project / "claims" / GUIDE / "guide.md"
    text = guide.read_text(encoding="utf-8")
    guide.write_text("En ny indledende sætning uden påstand.\n\n" + text, encoding="utf-8")
    result = build(project, database)
    assert result.built and result.incremental
    assert _rowids(database) == before
    assert _lines(database) == {claim: line + 2 for claim, line in lines_before.items()}
    assert_equals_full_build(project, database)


def _lines(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as conn:
        return dict(conn.execute("select id, line from claims where guide_id = ?", (GUIDE,)))


def test_a_removed_claim_a_changed_quote_and_changed_links(project):
    """Removing a claim takes its links and its full-text entries with it; a
    changed quote is found under its new words only; a link dropped from one
    claim and one added to another are written as such."""
    database = first_build(project)
    claims = _claims(project).read_text(encoding="utf-8")
    entries = re.split(r"(?m)^(?=  - id: )", claims)
    head, items = entries[0], entries[1:]
    removed = re.match(r"  - id: (\S+)", items[0]).group(1)
    items = items[1:]
    # A link dropped from a claim with several ...
    link = r"(?m)^      - source: .*\n(?:        .*\n)*"
    dropped = next(i for i, item in enumerate(items) if len(re.findall(link, item)) > 1)
    links = re.findall(link, items[dropped])
    items[dropped] = items[dropped].replace(links[-1], "", 1)
    second_id = re.match(r"  - id: (\S+)", items[dropped]).group(1)
    # ... and one added to another claim, which also gets new words.
    source = re.search(r"source: (\S+)", claims).group(1)
    other = 1 if dropped == 0 else 0
    third = items[other]
    quote = re.search(r"(?m)^    quote: (.*)$", third).group(1)
    guide = project / "claims" / GUIDE / "guide.md"
    text = guide.read_text(encoding="utf-8")
    plain = quote.strip("\"'")
    assert plain in text
    new_words = "Zyxwvu-ordet står nu i påstanden."
    guide.write_text(text.replace(plain, new_words, 1), encoding="utf-8")
    third = third.replace(quote, f'"{new_words}"', 1)
    third = third.replace("    evidence:\n", f"    evidence:\n      - source: {source}\n", 1)
    items[other] = third
    _claims(project).write_text(head + "".join(items), encoding="utf-8")

    result = build(project, database)
    assert result.built and result.incremental
    with sqlite3.connect(database) as conn:
        assert not conn.execute("select 1 from claims where id = ?", (removed,)).fetchall()
        assert not conn.execute("select 1 from claim_sources where claim_id = ?",
                                (removed,)).fetchall()
        assert conn.execute("select count(*) from claim_sources where claim_id = ?",
                            (second_id,)).fetchone()[0] == len(links) - 1
        found = conn.execute("select c.guide_id from claims_fts f join claims c "
                             "on c.rowid = f.rowid where claims_fts match 'zyxwvu*'").fetchall()
        assert found == [(GUIDE,)]
    assert_equals_full_build(project, database)


def test_a_written_row_that_would_dangle_is_an_internal_error_and_nothing_is_replaced(
        project, monkeypatch):
    from evidence.database import rows as rows_module
    from evidence.errors import EvidenceError

    database = first_build(project)
    before = database.read_bytes()
    made = rows_module.Rows.for_guides

    def with_a_bad_section(project, guides, built_at):
        rows = made(project, guides, built_at)
        rows.claims[0]["section_id"] = "no-such-section"
        return rows

    monkeypatch.setattr(rows_module.Rows, "for_guides", with_a_bad_section)
    corpus.edit_guide(project, GUIDE)
    with pytest.raises(EvidenceError, match="dangling foreign keys.*claims"):
        build(project, database)
    assert database.read_bytes() == before


def test_an_id_retired_by_two_guides_is_written_once_across_the_batches(tmp_path):
    """The build writes a guide's rows at a time: the first retirement of an
    id, in guide order, is the one kept, as when every row was written at once."""
    root = tmp_path / "project"
    corpus.generate(root, guides=3, claims=5, sources=20, seed=3)
    for guide, reason in (("guide-0001", "merged first"), ("guide-0003", "merged again")):
        with open(root / "claims" / guide / "claims.yaml", "a", encoding="utf-8") as fh:
            fh.write(f"retired:\n  - id: old-claim\n    reason: {reason}\n    date: 2026-01-02\n")
    result = build(root)
    assert result.built
    with sqlite3.connect(root / "evidence.db") as conn:
        assert conn.execute("select guide_id, reason from retired_claims").fetchall() == [
            ("guide-0001", "merged first")]
