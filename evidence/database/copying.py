"""The previous database copied while the rebuild reads: the copy costs no wait.

An incremental rebuild writes into a copy of the previous database and renames
it into place, so that a crash or a reader (``serve --public`` opens the file
immutable) never meets half a write. Copying 40 MB takes about 11 ms, a tenth
of the rebuild of one guide. The copy is the kernel's (``shutil.copyfile`` uses
``sendfile``), which runs without the GIL: started in a thread as soon as a
rebuild is likely, it is done on the second core while the changed guides are
read, anchored and checked, and the write finds it ready.

Every temporary file of a build is named ``.<database>.<random>.db.tmp``
beside the database (ignored by git as ``*.db.tmp*``). A build killed outright
(SIGKILL, or the SIGTERM ``serve --watch`` sends a cancelled build) leaves its
own behind; the next build, holding the lock no other build of the same
database can hold, removes them (:func:`remove_leftovers`).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

TEMP_SUFFIX = ".db.tmp"


def temp_prefix(database: Path) -> str:
    return f".{Path(database).name}."


def remove_leftovers(database: Path) -> list[Path]:
    """Remove what killed builds of ``database`` left beside it; call it only
    while holding the build lock (then no other build is writing one)."""
    database = Path(database)
    pattern = glob.escape(str(database.parent / temp_prefix(database))) + "*" + TEMP_SUFFIX
    removed = []
    for name in glob.glob(pattern):  # the pattern names the leading dot: hidden files match
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
            removed.append(Path(name))
    return removed


class CopyAhead:
    """A copy of ``source`` being made in a temporary file beside it."""

    def __init__(self, source: Path):
        self.source = Path(source)
        fd, name = tempfile.mkstemp(prefix=temp_prefix(self.source), suffix=TEMP_SUFFIX,
                                    dir=self.source.parent)
        os.close(fd)
        self.path = Path(name)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._copy, name="evidence-copy", daemon=True)
        self._thread.start()

    def _copy(self) -> None:
        try:
            shutil.copyfile(self.source, self.path)
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            self._error = exc

    def move_to(self, target: Path) -> None:
        """Wait for the copy, then rename it to ``target`` (in the same folder);
        the copy's error, if it failed, is raised here, in the caller's thread."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        os.replace(self.path, target)

    def discard(self) -> None:
        """Wait for the copy and remove what is left of it."""
        self._thread.join()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


@contextlib.contextmanager
def copy_ahead(source: Path) -> Iterator[CopyAhead]:
    """Copy ``source`` in the background for the block; what the block does not
    move into place is removed when it ends, however it ends."""
    copy = CopyAhead(source)
    try:
        yield copy
    finally:
        copy.discard()
