"""One build at a time: an OS file lock beside the database.

``evidence build``, ``evidence serve --watch`` (through its child builds) and
the editor's desk all build through :func:`evidence.database.build.build`,
which holds this lock from reading the inputs to renaming the new database
(and its build state) into place. Two builds writing at once could not
corrupt the database, the rename is atomic, but the later rename would win
with whatever inputs its build read: one editor's change could vanish from
the database until the next build, and the build state could describe
another database than the one in place.

The lock is the operating system's: ``flock(2)`` on POSIX, ``msvcrt.locking``
on Windows. It is released when its holder exits, however it exits, so a
killed build never leaves a lock behind. The lock file itself,
``evidence.db-lock``, is empty and stays in place (git ignores it with the
database's other companions).

On POSIX the lock is taken with ``fcntl.flock`` directly, the very call the
``filelock`` library makes there (so the two exclude each other: a test holds
them so). The library is imported only where ``fcntl`` is missing: its import
(decimal, secrets, platform, ...) costs about 8 ms, which is 4% of rebuilding
one guide, paid by every build.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from evidence.errors import EvidenceError

# How long a build waits for another one before giving up. A full build of a
# large project takes a minute or so; a build waiting longer than this is
# waiting for something that is not a build.
LOCK_TIMEOUT = 600.0


def lock_path(database: Path) -> Path:
    """The lock file of a database: ``evidence.db-lock`` beside ``evidence.db``."""
    database = Path(database)
    return database.with_name(database.name + "-lock")


@contextmanager
def build_lock(database: Path, *, timeout: float = LOCK_TIMEOUT,
               on_wait: Callable[[Path], None] | None = None) -> Iterator[bool]:
    """Hold the build lock of ``database``; yield whether another build had to be waited for.

    ``on_wait`` is called once, with the lock file, when the lock is held
    elsewhere, before waiting for it (at most ``timeout`` seconds, then an
    :class:`EvidenceError` that says what holds it and what to do).
    """
    path = lock_path(database)
    lock = _FileLock(path) if fcntl is not None else _LibraryLock(path)
    waited = False
    try:
        if not lock.acquire(timeout=0):
            waited = True
            if on_wait is not None:
                on_wait(path)
            if not lock.acquire(timeout=timeout):
                raise EvidenceError(
                    f"another build of {database} has held its lock ({path}) for more than "
                    f"{timeout:g} s; let it finish (an `evidence build`, `evidence serve --watch` "
                    "or the desk), or stop it, and build again"
                )
    except OSError as exc:
        lock.release()
        raise EvidenceError(f"cannot lock {path} for the build: {exc.strerror or exc}") from exc
    except BaseException:
        lock.release()
        raise
    try:
        yield waited
    finally:
        lock.release()


class _FileLock:
    """``flock(2)`` on the lock file, tried every ``POLL`` seconds until the time is up."""

    POLL = 0.05  # filelock's own interval

    def __init__(self, path: Path):
        self.path = path
        self.fd: int | None = None
        self.held = False

    def acquire(self, *, timeout: float) -> bool:
        assert fcntl is not None
        if self.fd is None:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(self.POLL)
            else:
                self.held = True
                return True

    def release(self) -> None:
        """Let go of the lock, if held, and close the file (closing alone would too)."""
        if self.fd is None:
            return
        try:
            if self.held and fcntl is not None:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            os.close(self.fd)
            self.fd, self.held = None, False


class _LibraryLock:
    """Where there is no ``fcntl`` (Windows): the ``filelock`` library's lock."""

    def __init__(self, path: Path):
        from filelock import FileLock

        self.lock = FileLock(path)

    def acquire(self, *, timeout: float) -> bool:
        from filelock import Timeout

        try:
            self.lock.acquire(timeout=timeout)
        except Timeout:
            return False
        return True

    def release(self) -> None:
        self.lock.release()
