"""Reading claims.yaml for an edit, refused when it changed since a page showed it.

The editor's desk renders a page from the database, which holds the hash of
the claims.yaml it was built from (``guides.claims_sha256``); its forms carry
that hash. An edit made from the page reads the file here: when the file on
disk no longer has that hash (edited by hand, by another editor, or not yet
rebuilt), the edit is refused, so no change is made over words the editor did
not see and no one's edit is lost.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from evidence.errors import EvidenceError


class ChangedOnDisk(EvidenceError):
    """The file is not the one the page was rendered from."""


def file_sha256(path: Path) -> str | None:
    """The hash of a file's bytes; None when it is not there."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def read_for_edit(path: Path, expected_sha256: str | None = None) -> str:
    """The file's text; with ``expected_sha256``, only if it still has that hash."""
    path = Path(path)
    # The bytes, as the build hashes them (guides.claims_sha256): line endings included.
    if expected_sha256 is not None and file_sha256(path) != expected_sha256:
        raise ChangedOnDisk(
            f"{path} changed on disk since this page was shown (edited elsewhere, or not yet "
            "rebuilt); nothing was changed: reload the page, check what changed, and try again")
    return path.read_text(encoding="utf-8")
