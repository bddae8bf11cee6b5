"""The folders the bibliography keeps files in (style copies, CSL-JSON, the
last pandoc call): a module of its own, light enough for
:mod:`evidence.bibliography.early`, which runs before any other import."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path


def cache_folders(kind: str) -> Iterator[Path]:
    """Where the bibliography keeps ``kind`` (``styles``, ``csl``, ``calls``), first
    writable first: $EVIDENCE_CACHE_DIR, the user's cache folder, a folder of the
    temp dir (each made only when the one before it did not serve)."""
    if os.environ.get("EVIDENCE_CACHE_DIR"):
        yield Path(os.environ["EVIDENCE_CACHE_DIR"]) / kind
    try:
        from platformdirs import user_cache_dir
    except ImportError:
        pass
    else:
        yield Path(user_cache_dir("evidence")) / kind
    import tempfile

    shared = Path(tempfile.gettempdir()) / f"evidence-{kind}-{getattr(os, 'getuid', lambda: 0)()}"
    # Anyone may make a folder of that name in a shared temp dir first and
    # plant files in it (a style, an item, a pandoc call to run): one that is
    # not this user's alone is not used.
    if not shared.exists() or private(shared):
        yield shared


def private(path: Path) -> bool:
    """``path`` is this user's and no one else may write to it (always true
    where there are no owners, on Windows)."""
    getuid = getattr(os, "getuid", None)
    if getuid is None:
        return True
    try:
        stat = path.lstat()
    except OSError:
        return False
    return stat.st_uid == getuid() and not stat.st_mode & 0o022
