"""The previous database copied in a thread while the rebuild reads (database/copying.py)."""

from __future__ import annotations

import contextlib
import os

import pytest

from evidence.database.copying import copy_ahead, remove_leftovers


def temporary_files(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".db.tmp"))


def test_the_copy_moved_into_place_is_the_source_byte_for_byte(tmp_path):
    source = tmp_path / "evidence.db"
    data = os.urandom(3 * 1024 * 1024 + 17)
    source.write_bytes(data)
    target = tmp_path / "new.db"
    with copy_ahead(source) as copy:
        assert copy.path.parent == tmp_path  # same folder: the rename is atomic
        copy.move_to(target)
    assert target.read_bytes() == data
    assert source.read_bytes() == data
    assert temporary_files(tmp_path) == []


@pytest.mark.parametrize("ending", ["return", "raise"])
def test_a_copy_not_moved_into_place_is_removed_however_the_block_ends(tmp_path, ending):
    source = tmp_path / "evidence.db"
    source.write_bytes(b"x" * 100_000)
    with pytest.raises(RuntimeError) if ending == "raise" else contextlib.nullcontext(), copy_ahead(source):
        if ending == "raise":
            raise RuntimeError("the rebuild gave up")
    assert temporary_files(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evidence.db"]


def test_a_failed_copy_raises_its_error_where_the_copy_is_used(tmp_path):
    source = tmp_path / "evidence.db"  # never written: the copy cannot read it
    target = tmp_path / "new.db"
    with pytest.raises(FileNotFoundError), copy_ahead(source) as copy:
        copy.move_to(target)
    assert not target.exists()
    assert temporary_files(tmp_path) == []


def test_leftovers_of_killed_builds_are_removed_and_nothing_else(tmp_path):
    database = tmp_path / "evidence.db"
    database.write_bytes(b"db")
    leftovers = [tmp_path / ".evidence.db.k1ll3d.db.tmp", tmp_path / ".evidence.db.0a9x_2.db.tmp"]
    kept = [tmp_path / ".other.db.k1ll3d.db.tmp", tmp_path / "evidence.db-build.json",
            tmp_path / ".evidence.db-build.json.x1.tmp", tmp_path / "evidence.db.db.tmp"]
    for path in leftovers + kept:
        path.write_bytes(b"x")
    assert sorted(remove_leftovers(database)) == sorted(leftovers)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["evidence.db"] + [p.name for p in kept])
    assert remove_leftovers(database) == []


def test_a_database_name_with_glob_characters_matches_only_itself(tmp_path):
    database = tmp_path / "ev[1]*.db"
    (tmp_path / ".ev[1]*.db.a.db.tmp").write_bytes(b"x")
    (tmp_path / ".ev1x.db.a.db.tmp").write_bytes(b"x")
    assert [p.name for p in remove_leftovers(database)] == [".ev[1]*.db.a.db.tmp"]
    assert (tmp_path / ".ev1x.db.a.db.tmp").exists()


def test_the_next_build_removes_what_a_killed_build_left(project):
    from evidence.database.build import build

    assert build(project).built
    stranded = project / ".evidence.db.s1gk1ll.db.tmp"
    stranded.write_bytes((project / "evidence.db").read_bytes())  # a copy half made
    (project / "claims" / "testguide" / "guide.md").write_text(
        (project / "claims" / "testguide" / "guide.md").read_text() + "\nEn ny sætning.\n")
    assert build(project).built
    assert not stranded.exists()
    assert sorted(p.name for p in project.iterdir() if p.name.endswith(".db.tmp")) == []
