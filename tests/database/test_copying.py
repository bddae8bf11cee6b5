"""The previous database copied in a thread while the rebuild reads (database/copying.py)."""

from __future__ import annotations

import contextlib
import os

import pytest

from evidence.database.copying import copy_ahead


def temporary_files(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".copy"))


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
