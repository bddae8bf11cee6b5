"""The previous database copied while the rebuild reads: the copy costs no wait.

An incremental rebuild writes into a copy of the previous database and renames
it into place, so that a crash or a reader (``serve --public`` opens the file
immutable) never meets half a write. Copying 40 MB takes about 11 ms, a tenth
of the rebuild of one guide. The copy is the kernel's (``shutil.copyfile`` uses
``sendfile``), which runs without the GIL: started in a thread as soon as a
rebuild is likely, it is done on the second core while the changed guides are
read, anchored and checked, and the write finds it ready.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path


class CopyAhead:
    """A copy of ``source`` being made in a temporary file beside it."""

    def __init__(self, source: Path):
        self.source = Path(source)
        fd, name = tempfile.mkstemp(prefix=f".{self.source.name}.", suffix=".copy",
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
