"""references.bib as CSL-JSON, kept between runs of ``evidence bibliography``.

Parsing references.bib and converting its entries to CSL-JSON is most of what
the command does besides pandoc (0.15 s of 1,000 entries). What they give
depends only on the file's bytes and on the code that reads them, so the
items are kept in the cache folder under a name made of both: the SHA-256 of
references.bib, of every module of ``evidence/bib/`` (the parser's settings,
names, LaTeX, the conversion), of this module, and of the version stamps of
bibtexparser and pylatexenc. A file of that name holds exactly what the slow
path would make; any other change of the bytes or of the code gives another
name. Checking costs one read and one hash of references.bib.

A file holds every citekey of references.bib in file order and the items
converted so far (a bibliography of a few citekeys converts only those); a
run that needs an item the file lacks reads references.bib as before and adds
what it converted. Only a file bibtexparser read without a failed block is
kept (such a file stops the command). The newest :data:`KEEP` files are kept.
The exports that need BibTeX itself (``-f bibtex``) and the bibliographies of
a guide, a section or claims (which read the project anyway) do not use it.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from evidence.bibliography.styles import cache_folders

KEEP = 8
_FORMAT = b"evidence csl cache 1\0"


@dataclass
class CachedSource:
    key: str


class CachedReferences:
    """What a bibliography of citekeys or of --all reads of references.bib."""

    def __init__(self, path: Path, keys: list[str], items: dict[str, dict]):
        self.path = path
        self.keys = keys
        self.items = items
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


@lru_cache(maxsize=1)
def code_digest() -> bytes:
    """The SHA-256 of what reads references.bib into CSL-JSON (see the docstring)."""
    digest = hashlib.sha256(_FORMAT)
    bib = Path(__file__).resolve().parents[1] / "bib"
    for path in sorted(bib.glob("*.py")) + [Path(__file__)]:
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


def load(path: Path, data: bytes) -> CachedReferences | None:
    """The kept CSL-JSON of references.bib (``data``: its bytes), or None."""
    name = name_for(data)
    for folder in cache_folders("csl"):
        try:
            stored = json.loads((folder / name).read_bytes())
            keys, items = stored["keys"], stored["items"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if isinstance(keys, list) and isinstance(items, dict):
            with contextlib.suppress(OSError):
                os.utime(folder / name)  # in use: the last to be pruned
            return CachedReferences(path, keys, items)
    return None


def store(data: bytes, keys: list[str], items: dict[str, dict],
          previous: CachedReferences | None = None) -> None:
    """Keep the items converted from references.bib's bytes ``data``, with those
    an earlier run kept; a folder that cannot be written is skipped."""
    if previous is not None:
        items = {**previous.items, **items}
    text = json.dumps({"keys": keys, "items": items}, ensure_ascii=False)
    name = name_for(data)
    for folder in cache_folders("csl"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(text)
                os.replace(tmp, folder / name)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
        except OSError:
            continue
        _prune(folder)
        return


def _prune(folder: Path) -> None:
    """Keep the newest :data:`KEEP` files (a file in use is read whole first)."""
    with contextlib.suppress(OSError):
        kept = sorted((p for p in folder.glob("*.json")),
                      key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in kept[KEEP:]:
            with contextlib.suppress(OSError):
                old.unlink()
