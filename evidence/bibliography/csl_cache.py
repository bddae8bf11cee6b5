"""references.bib as CSL-JSON, kept between runs of ``evidence bibliography``.

Parsing references.bib and converting its entries to CSL-JSON is most of what
the command does besides pandoc (0.15 s of 1,000 entries). What they give
depends only on the file's bytes and on the code that reads them, so the
items are kept in the cache folder under a name made of both: the SHA-256 of
references.bib, of every module of ``evidence/bib/`` (the parser's settings,
names, LaTeX, the conversion), of this module and of formatting.py (which
makes the pandoc file below), and of the version stamps of bibtexparser and
pylatexenc. A file of that name holds exactly what the slow
path would make; any other change of the bytes or of the code gives another
name. Checking costs one read and one hash of references.bib.

A file holds every citekey of references.bib in file order and the items
converted so far (a bibliography of a few citekeys converts only those); a
run that needs an item the file lacks reads references.bib as before and adds
what it converted. Only a file bibtexparser read without a failed block is
kept (such a file stops the command). The newest :data:`KEEP` files are kept.
The exports that need BibTeX itself (``-f bibtex``) and the bibliographies of
a guide, a section or claims (which read the project anyway) do not use it.

Beside a file that has every item, the items in file order as pandoc reads
them (``<name>.pandoc.json``, :func:`for_pandoc`): ``--all`` hands pandoc that
file as its bibliography, so pandoc starts before the kept items are read and
nothing is written for it on each run.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from evidence.bibliography.cache import cache_folders

KEEP = 8
_FORMAT = b"evidence csl cache 1\0"


@dataclass
class CachedSource:
    key: str


class CachedReferences:
    """What a bibliography of citekeys or of --all reads of references.bib."""

    def __init__(self, path: Path, keys: list[str], items: dict[str, dict],
                 file: Path | None = None):
        self.path = path
        self.keys = keys
        self.items = items
        self.file = file  # the kept file read
        self._keys = set(keys)
        self.sources = [CachedSource(k) for k in keys]

    def __contains__(self, key: str) -> bool:
        return key in self._keys

    def __iter__(self):
        return iter(self.sources)

    def __len__(self) -> int:
        return len(self.sources)

    def has_items(self, keys: list[str]) -> bool:
        return all(k in self.items for k in keys)

    def complete(self) -> bool:
        """Whether every citekey of references.bib has its item."""
        return len(self.items) == len(self._keys) and self.has_items(self.keys)


@lru_cache(maxsize=1)
def code_digest() -> bytes:
    """The SHA-256 of what reads references.bib into CSL-JSON (see the docstring)."""
    digest = hashlib.sha256(_FORMAT)
    here = Path(__file__).resolve()
    bib = here.parents[1] / "bib"
    # formatting.py: its _for_pandoc makes the pandoc file (keep_for_pandoc)
    for path in sorted(bib.glob("*.py")) + [here, here.with_name("formatting.py")]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for package, stamp in (("bibtexparser", "__init__.py"), ("pylatexenc", "version.py")):
        spec = importlib.util.find_spec(package)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            with contextlib.suppress(OSError):
                digest.update((Path(folder) / stamp).read_bytes())
            break
        digest.update(b"\0")
    return digest.digest()


def name_for(data: bytes) -> str:
    """The cache file's name for references.bib's bytes ``data``."""
    return hashlib.sha256(code_digest() + data).hexdigest() + ".json"


def load(path: Path, data: bytes, *, with_items: bool = True) -> CachedReferences | None:
    """The kept CSL-JSON of references.bib (``data``: its bytes), or None.
    Without ``with_items`` only the citekeys are read (the items stay empty): all
    that --all from the pandoc file needs."""
    name = name_for(data)
    for folder in cache_folders("csl"):
        try:
            keys, items = _decode((folder / name).read_bytes(), with_items)
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if isinstance(keys, list) and isinstance(items, dict):
            with contextlib.suppress(OSError):
                os.utime(folder / name)  # in use: the last to be pruned
            return CachedReferences(path, keys, items, folder / name)
    return None


_KEYS_FIRST = '{"keys": '  # how store() writes a kept file: the citekeys first


def _decode(raw: bytes, with_items: bool) -> tuple[list[str], dict[str, dict]]:
    """A kept file's citekeys and items; without ``with_items`` the items, most
    of the file, are not decoded (about 5 ms at 1,000 entries) and come back
    empty."""
    text = raw.decode("utf-8")
    if not with_items and text.startswith(_KEYS_FIRST):
        keys, _ = json.JSONDecoder().raw_decode(text, len(_KEYS_FIRST))
        return keys, {}
    stored = json.loads(text)
    return stored["keys"], stored["items"]


_PANDOC_SUFFIX = ".pandoc.json"  # .json: pandoc reads a bibliography so named as CSL-JSON


def _pandoc_name(name: str) -> str:
    return name.removesuffix(".json") + _PANDOC_SUFFIX


def for_pandoc(data: bytes) -> Path | None:
    """The kept file of every item of references.bib (``data``: its bytes) as
    pandoc reads them, in file order, or None."""
    name = _pandoc_name(name_for(data))
    for folder in cache_folders("csl"):
        if (folder / name).is_file():
            return folder / name
    return None


def keep_for_pandoc(cached: CachedReferences) -> Path | None:
    """Write :func:`for_pandoc`'s file beside the kept file ``cached`` came from
    (every item in it, at least one); None when it cannot be written."""
    from evidence.bibliography.formatting import _for_pandoc

    if cached.file is None or not cached.keys or not cached.complete():
        return None
    target = cached.file.with_name(_pandoc_name(cached.file.name))
    text = json.dumps([_for_pandoc(cached.items[k]) for k in cached.keys],
                      ensure_ascii=False)
    try:
        _write_atomically(target, text)
    except OSError:
        return None
    return target


def store(path: Path, data: bytes, keys: list[str], items: dict[str, dict],
          previous: CachedReferences | None = None) -> CachedReferences | None:
    """Keep the items converted from references.bib (``path``, its bytes ``data``), with those
    an earlier run kept; a folder that cannot be written is skipped. What was
    kept, or None when no folder could be written."""
    if previous is not None:
        items = {**previous.items, **items}
    text = json.dumps({"keys": keys, "items": items}, ensure_ascii=False)
    name = name_for(data)
    for folder in cache_folders("csl"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _write_atomically(folder / name, text)
        except OSError:
            continue
        _prune(folder)
        return CachedReferences(path, keys, items, folder / name)
    return None


def _write_atomically(target: Path, text: str) -> None:
    import tempfile  # only when writing: not imported by a run from the kept files

    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _prune(folder: Path) -> None:
    """Keep the newest :data:`KEEP` files, each with its pandoc file (a file in
    use is read whole first)."""
    with contextlib.suppress(OSError):
        kept = sorted((p for p in folder.glob("*.json")
                       if not p.name.endswith(_PANDOC_SUFFIX)),
                      key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in kept[KEEP:]:
            for path in (old, old.with_name(_pandoc_name(old.name))):
                with contextlib.suppress(OSError):
                    path.unlink()
