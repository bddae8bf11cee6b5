"""``evidence build``: the text files in git, baked into evidence.db.

The database is written to a temporary file beside the target and renamed
into place only when complete, so a failed or concurrent build never leaves
a half-written database and the previous one survives any error. A build
holds the lock beside the database (:mod:`evidence.database.lock`) from
reading the inputs to the rename: builds by several processes run one after
the other.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from pathlib import Path

from evidence import SCHEMA_VERSION, __version__
from evidence.database.result import BuildResult
from evidence.errors import EvidenceError
from evidence.perf import collector_paused
from evidence.project import input_digest

# SQLAlchemy, the models and the rest are imported where used: finding that
# evidence.db is up to date must take well under half a second, imports included.

DEFAULT_DATABASE = "evidence.db"


def build_digest(root: Path) -> str:
    return input_digest(root, extra=f"evidence {__version__} schema {SCHEMA_VERSION}")


def stored_digest(database: Path) -> str | None:
    """The input digest recorded in an existing database, if readable."""
    if not database.exists():
        return None
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
            row = conn.execute("select input_sha256 from _evidence_build").fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def build(root: Path | str = ".", database: Path | str | None = None, *,
          force: bool = False, lock_timeout: float | None = None,
          on_wait: Callable[[Path], None] | None = None) -> BuildResult:
    """Build ``database`` from the project at ``root``, unless it is up to date.

    Another build of the same database is waited for (``on_wait`` is told, with
    the lock file) for at most ``lock_timeout`` seconds (default
    :data:`evidence.database.lock.LOCK_TIMEOUT`); when it has built what this
    one would, nothing is written again.
    """
    root = Path(root)
    database = Path(database) if database else root / DEFAULT_DATABASE
    if not database.parent.is_dir():
        raise EvidenceError(f"cannot write {database}: the folder {database.parent} does not "
                            "exist (create it, or choose another --database)")
    digest = build_digest(root)
    if not force and stored_digest(database) == digest:
        return BuildResult(database, built=False)
    from evidence.database.lock import LOCK_TIMEOUT, build_lock

    timeout = LOCK_TIMEOUT if lock_timeout is None else lock_timeout
    with build_lock(database, timeout=timeout, on_wait=on_wait) as waited:
        if waited:
            # The inputs may have changed meanwhile, and the other build may
            # have built them already.
            digest = build_digest(root)
            if not force and stored_digest(database) == digest:
                return BuildResult(database, built=False)
        return _build_locked(root, database, digest, force=force)


def _build_locked(root: Path, database: Path, digest: str, *, force: bool) -> BuildResult:
    from evidence.atomic import atomic_path
    from evidence.database import incremental
    from evidence.database.write import write_database
    from evidence.project import load_project

    with collector_paused():
        if not force:
            result = incremental.rebuild(root, database, digest)
            if result is not None:
                return result
        # Raises InputError before anything is written.
        project = load_project(root)
        with atomic_path(database, suffix=".db.tmp") as tmp:
            counts = write_database(project, tmp, digest)
        # Without its state the next build is a full one: nothing lost.
        with contextlib.suppress(OSError):
            incremental.write_state(database, digest, project)
    return BuildResult.written(database, counts)
