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
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from evidence import SCHEMA_VERSION, __version__
from evidence.database.result import BuildResult
from evidence.errors import EvidenceError
from evidence.perf import collector_paused
from evidence.project import InputDigest, input_digests

if TYPE_CHECKING:
    from evidence.database.reach import Reach
    from evidence.project import Project

# SQLAlchemy, the models and the rest are imported where used: finding that
# evidence.db is up to date must take well under half a second, imports included.

DEFAULT_DATABASE = "evidence.db"


def build_inputs(root: Path) -> InputDigest:
    """The digest a build records (of every input, this evidence and its
    schema), with each input file's own."""
    return input_digests(root, extra=f"evidence {__version__} schema {SCHEMA_VERSION}")


def stored_digest(database: Path) -> str | None:
    """The input digest recorded in an existing database, if readable."""
    from evidence.database.previous import stored_build

    stored = stored_build(database)
    return stored.input_sha256 if stored else None


def build(root: Path | str = ".", database: Path | str | None = None, *,
          force: bool = False, strict: bool = False, lock_timeout: float | None = None,
          on_wait: Callable[[Path], None] | None = None) -> BuildResult:
    """Build evidence.db from the project's files, unless it is up to date.

    A problem confined to a claim, a guide or a source takes down only that
    (database/reach.py); the problems that remain are in the result (the CLI
    exits 1), and recorded in the database, so a rebuild with nothing changed
    reports them again. With ``strict``, any problem is an InputError and
    nothing is written.

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
    inputs = build_inputs(root)
    if not force and (done := _up_to_date(database, inputs.value, strict)) is not None:
        return done
    from evidence.database.lock import LOCK_TIMEOUT, build_lock

    timeout = LOCK_TIMEOUT if lock_timeout is None else lock_timeout
    with build_lock(database, timeout=timeout, on_wait=on_wait) as waited:
        if waited:
            # The inputs may have changed meanwhile, and the other build may
            # have built them already.
            inputs = build_inputs(root)
            if not force and (done := _up_to_date(database, inputs.value, strict)) is not None:
                return done
        return _build_locked(root, database, inputs, force=force, strict=strict)


def _up_to_date(database: Path, digest: str, strict: bool) -> BuildResult | None:
    """The result of a build with nothing to do, or None when there is work."""
    from evidence.database.previous import stored_build

    stored = stored_build(database)
    if stored is None or stored.input_sha256 != digest:
        return None
    if strict and stored.problems:
        raise StoredProblems(stored.problems)
    return BuildResult(database, built=False, problems=stored.problems)


def _build_locked(root: Path, database: Path, inputs: InputDigest, *, force: bool,
                  strict: bool) -> BuildResult:
    from evidence.atomic import atomic_path
    from evidence.check.text import RepeatMemo
    from evidence.database import incremental
    from evidence.database.copying import TEMP_SUFFIX, remove_leftovers
    from evidence.database.write import write_database
    from evidence.project import load_project

    digest = inputs.value
    remove_leftovers(database)  # of builds killed before they could clean up
    with collector_paused():
        if not force:
            result = incremental.rebuild(root, database, inputs)
            if result is not None:
                return result
        if strict:
            # Raises InputError before anything is written.
            project = load_project(root)
            reach = None
        else:
            project, reach = _lenient_project(root, database)
        repeats = RepeatMemo()
        with atomic_path(database, suffix=TEMP_SUFFIX) as tmp:
            counts = write_database(project, tmp, digest, reach, repeats)
        # Without its state the next build is a full one: nothing lost.
        with contextlib.suppress(OSError):
            incremental.write_state(database, digest, project, repeats)
        # Let the project go while the collector is paused: switched back on
        # with it alive, the collector would walk its millions of objects once
        # more (0.4 s of a build of 25,000 sources) just before they are freed.
        del project
    result = BuildResult.written(database, counts)
    result.problems = [str(p) for p in reach.problems] if reach else []
    return result


def _lenient_project(root: Path, database: Path) -> tuple[Project, Reach]:
    """The project as the build writes it, with what each problem takes down."""
    from evidence.database.previous import read_last_good
    from evidence.database.reach import apply_reach
    from evidence.errors import InputError
    from evidence.project import REFERENCES_FILE, load_project, unsafe_input

    why = unsafe_input(root / REFERENCES_FILE, root)
    if why:  # references.bib unreadable takes the whole build down
        project = load_project(root, strict=False)
        raise InputError([p for p in project.problems if Path(str(p.path)).name == REFERENCES_FILE
                          and p.item is None] or project.problems)
    project = load_project(root, strict=False)
    # Only the guides that need them: those that cannot be built, and those with
    # orphans (a stale guide's own orphans included).
    with_orphans = {g.id for g in project.guides if len(g.anchors) < len(g.claims)}
    last = read_last_good(database, project.broken, with_orphans | set(project.broken))
    return project, apply_reach(project, last)


def refuse_stale_guides(root: Path | str, database: Path | str | None = None) -> BuildResult:
    """Build if needed; an EvidenceError naming every guide the database shows
    from its last good build (what ``evidence package`` refuses to publish)."""
    from evidence.database.previous import stale_guides

    result = build(root, database)
    stale = stale_guides(result.database)
    if stale:
        named = "; ".join(f"{guide_id} ({why})" for guide_id, why in stale)
        raise EvidenceError(f"{len(stale)} guide(s) would be published from their last good "
                            f"build, marked stale: {named}. Fix them, or package anyway with "
                            "--allow-stale. Nothing was written.")
    return result


class StoredProblems(EvidenceError):
    """``--strict`` on a database built around problems that are still there."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(
            f"{len(problems)} problem(s) remain from the last build, and nothing changed "
            "since:\n" + "\n".join(problems))
