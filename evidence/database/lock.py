"""One build at a time: an OS file lock beside the database.

``evidence build``, ``evidence serve --watch`` (through its child builds) and
the editor's desk all build through :func:`evidence.database.build.build`,
which holds this lock from reading the inputs to renaming the new database
(and its build state) into place. Two builds writing at once could not
corrupt the database, the rename is atomic, but the later rename would win
with whatever inputs its build read: one editor's change could vanish from
the database until the next build, and the build state could describe
another database than the one in place.

The lock is the operating system's (``flock`` on POSIX, through the
``filelock`` library): it is released when its holder exits, however it
exits, so a killed build never leaves a lock behind. The lock file itself,
``evidence.db-lock``, is empty and stays in place (git ignores it with the
database's other companions).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

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
    # Imported here: finding that the database is up to date takes no lock.
    from filelock import FileLock, Timeout

    path = lock_path(database)
    lock = FileLock(path)
    waited = False
    try:
        lock.acquire(timeout=0)
    except Timeout:
        waited = True
        if on_wait is not None:
            on_wait(path)
        try:
            lock.acquire(timeout=timeout)
        except Timeout:
            raise EvidenceError(
                f"another build of {database} has held its lock ({path}) for more than "
                f"{timeout:g} s; let it finish (an `evidence build`, `evidence serve --watch` "
                "or the desk), or stop it, and build again"
            ) from None
    except OSError as exc:
        raise EvidenceError(f"cannot lock {path} for the build: {exc.strerror or exc}") from exc
    try:
        yield waited
    finally:
        lock.release()
