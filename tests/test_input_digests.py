"""The inputs a build digests: every project file inside the project, each hashed."""

from __future__ import annotations

import hashlib

import pytest

from evidence import project as project_module
from evidence.project import input_digests, input_files

from .conftest import write_project


def _add_guide(root, name, text="# G\n\nTekst.\n"):
    folder = root / "claims" / name
    folder.mkdir(parents=True)
    (folder / "guide.md").write_text(text, encoding="utf-8")
    (folder / "claims.yaml").write_text("claims: []\n", encoding="utf-8")
    return folder


def test_every_input_is_hashed_by_its_bytes(tmp_path):
    root = write_project(tmp_path / "p")
    for number in range(7):
        _add_guide(root, f"guide-{number}", f"# G {number}\n\nTekst {number}.\n")
    (root / "claims" / "guide-3" / "history.yaml").write_text("[]\n", encoding="utf-8")
    files = input_files(root)
    assert files[0] == root / "references.bib"
    assert root / "claims" / "guide-3" / "history.yaml" in files
    assert not any(f.name == "history.yaml" and f.parent.name != "guide-3" for f in files)
    digests = input_digests(root)
    assert digests.files == {f: hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
    expected = hashlib.sha256(b"")
    for f in files:
        expected.update(f"{f.relative_to(root)}".encode() + b"\0"
                        + hashlib.sha256(f.read_bytes()).hexdigest().encode() + b"\0")
    assert digests.value == expected.hexdigest()


def test_links_that_lead_outside_and_linked_folders_are_left_out(tmp_path):
    root = write_project(tmp_path / "p")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("# Hemmelig\n", encoding="utf-8")
    linked_file = _add_guide(root, "linked-file")
    (linked_file / "guide.md").unlink()
    (linked_file / "guide.md").symlink_to(outside / "secret.md")
    other = _add_guide(tmp_path, "elsewhere")
    (root / "claims" / "linked-folder").symlink_to(other, target_is_directory=True)
    inside = _add_guide(root, "linked-inside")
    (inside / "history.yaml").symlink_to(root / "references.bib")  # a link within: read
    files = input_files(root)
    assert linked_file / "guide.md" not in files
    assert linked_file / "claims.yaml" in files
    assert not any("linked-folder" in str(f) for f in files)
    assert inside / "history.yaml" in files


@pytest.mark.parametrize("make", ["link-out", "fifo", "folder", "linked-guide-folder"])
def test_a_refused_input_that_appears_changes_the_digest(tmp_path, make):
    """What the build refuses to read is not read, but its appearing is a change:
    the next build reports it instead of calling the database up to date."""
    import os

    root = write_project(tmp_path / "p")
    folder = _add_guide(root, "g")
    outside = _add_guide(tmp_path, "outside")
    before = input_digests(root)
    history = folder / "history.yaml"
    if make == "link-out":
        history.symlink_to(outside / "guide.md")
    elif make == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("needs FIFOs")
        os.mkfifo(history)
    elif make == "folder":
        history.mkdir()
    else:
        (root / "claims" / "h").symlink_to(outside, target_is_directory=True)
    after = input_digests(root)
    assert after.files == before.files  # nothing refused is read
    assert after.value != before.value
    assert input_digests(root).value == after.value  # and the digest is still a function


def test_a_file_that_cannot_be_read_is_an_error_of_the_digest(tmp_path, monkeypatch):
    root = write_project(tmp_path / "p")
    for number in range(5):
        _add_guide(root, f"guide-{number}")
    broken = root / "claims" / "guide-2" / "claims.yaml"
    real_read = type(broken).read_bytes

    def read_bytes(self):
        if self == broken:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read(self)

    monkeypatch.setattr(type(broken), "read_bytes", read_bytes)
    with pytest.raises(PermissionError):
        input_digests(root)
    # the helper thread was joined before the error was raised
    assert all(t.name != "evidence-digest" for t in project_module.threading.enumerate())
