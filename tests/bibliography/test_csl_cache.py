"""The CSL-JSON kept between runs (evidence/bibliography/csl_cache.py) gives
exactly what parsing references.bib gives, and is never used for other bytes."""

from __future__ import annotations

import pytest

from evidence.bibliography import csl_cache
from evidence.bibliography.make import SelectionError, make
from tests.conftest import BIB, REPO, SHARED, write_project

FORMATS = ("text", "markdown", "html", "csl-json", "ris", "bibtex")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", str(folder))
    monkeypatch.setattr(csl_cache, "cache_folders", lambda kind: [folder / kind])
    return folder / "csl"


def _kept(cache):
    """The kept files of CSL-JSON, without the pandoc files beside them."""
    return [p for p in cache.glob("*.json") if not p.name.endswith(".pandoc.json")]


def _without_cache(monkeypatch):
    monkeypatch.setattr(csl_cache, "cache_folders", lambda kind: [])


def _both(root, monkeypatch, cache, **kwargs):
    """(slow, first run with the cache, second run from it) of one bibliography."""
    with monkeypatch.context() as m:
        _without_cache(m)
        slow = make(root, **kwargs)
    first = make(root, **kwargs)
    second = make(root, **kwargs)
    return slow, first, second


@pytest.mark.parametrize("fmt", FORMATS)
def test_from_the_cache_as_from_references_bib(tmp_path, monkeypatch, cache, fmt):
    root = write_project(tmp_path / "p", bib=(REPO / "references.bib").read_text("utf-8"))
    slow, first, second = _both(root, monkeypatch, cache, include_all=True, fmt=fmt)
    assert slow[0] == first[0] == second[0]
    assert slow[1].keys == first[1].keys == second[1].keys
    assert (fmt == "bibtex") == (not _kept(cache))
    # the pandoc file of every item: for a styled --all only
    assert bool(list(cache.glob("*.pandoc.json"))) == (fmt in ("text", "markdown", "html"))


def test_citekeys_from_the_cache_and_items_added(tmp_path, monkeypatch, cache):
    root = write_project(tmp_path / "p", bib=(REPO / "references.bib").read_text("utf-8"))
    keys = [s.key for s in csl_cache_keys(root)]
    one, two = keys[:1], keys[1:3]
    for chosen in (one, two, one + two, keys[::-1]):
        slow, first, second = _both(root, monkeypatch, cache, keys=chosen)
        assert slow[0] == first[0] == second[0]
    [kept] = _kept(cache)
    assert kept.name == csl_cache.name_for((root / "references.bib").read_bytes())


def csl_cache_keys(root):
    from evidence.bib.references import load_references

    return load_references(root / "references.bib", validate=False).sources


def test_an_unknown_citekey_is_refused_from_the_cache_as_without(tmp_path, monkeypatch, cache):
    root = write_project(tmp_path / "p", bib=BIB)
    make(root, include_all=True)
    with pytest.raises(SelectionError) as cached:
        make(root, keys=["smith2021"])
    _without_cache(monkeypatch)
    with pytest.raises(SelectionError) as parsed:
        make(root, keys=["smith2021"])
    assert str(cached.value) == str(parsed.value)


def test_other_bytes_are_read_again(tmp_path, cache):
    root = write_project(tmp_path / "p", bib=BIB)
    before, _ = make(root, include_all=True, fmt="csl-json")
    bib = root / "references.bib"
    bib.write_text(BIB.replace("Smith, John", "Smith, Jane"), encoding="utf-8")
    after, _ = make(root, include_all=True, fmt="csl-json")
    assert '"given": "John"' in before and '"given": "Jane"' in after
    assert len(_kept(cache)) == 2


def test_a_damaged_cache_file_is_read_past(tmp_path, cache):
    root = write_project(tmp_path / "p", bib=BIB)
    text, _ = make(root, include_all=True)
    [kept] = _kept(cache)
    kept.write_text('{"keys": [', encoding="utf-8")
    assert make(root, include_all=True)[0] == text


def test_a_damaged_pandoc_file_is_made_again(tmp_path, cache):
    root = write_project(tmp_path / "p", bib=BIB)
    make(root, include_all=True)
    text, _ = make(root, include_all=True)
    [pandoc_file] = cache.glob("*.pandoc.json")
    made = pandoc_file.read_bytes()
    pandoc_file.write_text('[{"id": ', encoding="utf-8")
    assert make(root, include_all=True)[0] == text
    assert pandoc_file.read_bytes() == made


def test_all_from_the_pandoc_file(tmp_path, monkeypatch, cache):
    """A styled --all hands pandoc the kept pandoc file itself: the items as
    formatting would write them for pandoc, in file order."""
    import json

    from evidence.bibliography import formatting

    root = write_project(tmp_path / "p", bib=(REPO / "references.bib").read_text("utf-8"))
    make(root, include_all=True)
    started = []
    real = formatting.Citeproc.__init__

    def recording(self, bibliography, *args, **kwargs):
        started.append(bibliography)
        real(self, bibliography, *args, **kwargs)

    monkeypatch.setattr(formatting.Citeproc, "__init__", recording)
    for fmt in ("text", "markdown", "html"):
        text, selection = make(root, include_all=True, fmt=fmt)
        with monkeypatch.context() as m:
            _without_cache(m)
            assert make(root, include_all=True, fmt=fmt)[0] == text
    [pandoc_file] = cache.glob("*.pandoc.json")
    assert started[::2] == [pandoc_file] * 3
    items = json.loads(make(root, include_all=True, fmt="csl-json")[0])
    assert [i["id"] for i in items] == selection.keys
    assert pandoc_file.read_bytes() == json.dumps(
        [formatting._for_pandoc(i) for i in items], ensure_ascii=False).encode()


def test_a_file_with_a_failed_block_is_never_kept(tmp_path, cache):
    from evidence.errors import InputError

    root = write_project(tmp_path / "p", bib=BIB + "\n@article{broken,\n  title = {x\n")
    with pytest.raises(InputError):
        make(root, include_all=True)
    assert not list(cache.glob("*.json"))


def test_only_the_newest_files_are_kept(tmp_path, cache):
    root = write_project(tmp_path / "p", bib=BIB)
    for n in range(csl_cache.KEEP + 3):
        (root / "references.bib").write_text(BIB + f"\n% edit {n}\n", encoding="utf-8")
        make(root, include_all=True, fmt="csl-json" if n % 2 else "text")
    assert len(_kept(cache)) == csl_cache.KEEP
    # each pandoc file goes with its kept file
    assert {p.name.removesuffix(".pandoc.json") for p in cache.glob("*.pandoc.json")} <= {
        p.name.removesuffix(".json") for p in _kept(cache)}


def test_the_name_changes_with_the_code(monkeypatch):
    data = b"@misc{a, title={A}}"
    name = csl_cache.name_for(data)
    csl_cache.code_digest.cache_clear()
    monkeypatch.setattr(csl_cache, "_FORMAT", b"another format\0")
    try:
        assert csl_cache.name_for(data) != name
    finally:
        csl_cache.code_digest.cache_clear()


def test_cdl_from_the_cache_as_from_references_bib(tmp_path, monkeypatch, cache):
    cdl = SHARED / "bench" / "cdl.bib"
    if not cdl.is_file():
        pytest.skip("../shared/bench/cdl.bib is not present")
    root = write_project(tmp_path / "p", bib=None)
    (root / "references.bib").write_bytes(cdl.read_bytes())  # a copy in tmp, not the project
    for fmt in ("csl-json", "ris"):
        slow, first, second = _both(root, monkeypatch, cache, include_all=True, fmt=fmt)
        assert slow[0] == first[0] == second[0]


def test_a_pandoc_failure_from_the_kept_files_is_reported(tmp_path, monkeypatch, cache):
    from click.testing import CliRunner

    from evidence.cli import cli

    root = write_project(tmp_path / "p", bib=BIB)
    make(root, include_all=True)
    make(root, include_all=True)  # from the kept files
    fake = tmp_path / "pandoc"
    fake.write_text("#!/bin/sh\necho 'something broke' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("EVIDENCE_PANDOC", str(fake))
    result = CliRunner().invoke(cli, ["bibliography", "--project", str(root), "--all"])
    assert result.exit_code == 1
    assert "pandoc failed formatting with style 'loeberlab': something broke" in result.output
    assert "Traceback" not in result.output
