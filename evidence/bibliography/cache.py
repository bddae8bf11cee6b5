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

    yield Path(tempfile.gettempdir()) / f"evidence-{kind}-{getattr(os, 'getuid', lambda: 0)()}"
