"""``evidence serve --watch``: rebuild on every change to the project's inputs.

The inputs of a build are references.bib and everything under claims/.
They are watched with ``watchfiles`` (inotify and its kin): claims/
recursively, and the project folder itself without recursion, for
references.bib. A file named directly would not do: a watch on a file
follows its inode, and references.bib is replaced by a rename (``evidence
resolve``, ``evidence add``, most editors), after which such a watch sees
nothing more. The project folder is not watched recursively either: it holds
.git, a virtualenv and the database, which the builds themselves write.

Each batch of changes runs ``evidence build`` in a child process, so its
messages reach the terminal exactly as the command prints them, a crash of
the build cannot take the server down, and the build takes the same lock as
any other. Changes made while a build runs start one more build after it. A
failed build leaves the previous database in place, so the pages go on
answering from the last good one; the server follows a good one as soon as it
is renamed into place (:mod:`evidence.host.follow`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import sys
from collections.abc import Callable
from pathlib import Path

from watchfiles import Change, DefaultFilter, awatch

from evidence.errors import EvidenceError
from evidence.project import CLAIMS_DIR, REFERENCES_FILE


def build_command(root: Path, database: Path) -> list[str]:
    """``evidence build`` for this project and database, run by this Python."""
    return [sys.executable, "-m", "evidence", "build", "--project", str(root),
            "--database", str(database)]


class _ClaimsFilter(DefaultFilter):
    """Anything under claims/ but hidden files (the temporary files of an
    atomic write start with a dot) and what editors and tools leave around."""

    def __call__(self, change: Change, path: str) -> bool:
        return super().__call__(change, path) and not Path(path).name.startswith(".")


def _is_references(root: Path) -> Callable[[Change, str], bool]:
    name = Path(REFERENCES_FILE).name

    def keep(change: Change, path: str) -> bool:
        return Path(path).name == name and Path(path).parent.resolve() == root
    return keep


class Rebuilder:
    """Watches a project's inputs and rebuilds its database after each change.

    Use as ``async with Rebuilder(...) as rebuilder``: the watch starts on
    entering, so that no change made during the first build is missed, and
    ends on leaving (a build still running is stopped).
    """

    def __init__(self, root: Path, database: Path, *,
                 echo: Callable[[str], None] | None = None,
                 force_polling: bool | None = None):
        self.root = Path(root).resolve()
        self.database = Path(database)
        self._echo = echo or _echo_to_stderr
        self._force_polling = force_polling
        self._changed: set[str] = set()
        self._dirty = asyncio.Event()
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self.builds = 0  # builds run, for tests

    async def __aenter__(self) -> Rebuilder:
        claims = self.root / CLAIMS_DIR
        self._tasks = [
            asyncio.create_task(self._watch(claims, recursive=True, keep=_ClaimsFilter())),
            asyncio.create_task(self._watch(self.root, recursive=False,
                                            keep=_is_references(self.root))),
        ]
        for task, path in zip(self._tasks, (claims, self.root), strict=True):
            task.add_done_callback(functools.partial(self._watch_ended, path))
        # Each task sets its watch up in its first step, before it first
        # waits: once both have run, no change can be missed.
        await asyncio.sleep(0)
        for task, path in zip(self._tasks, (claims, self.root), strict=True):
            if task.done() and task.exception() is not None:
                await self.__aexit__(None, None, None)
                raise EvidenceError(f"cannot watch {path} for changes: {task.exception()}")
        return self

    async def __aexit__(self, *exc_info) -> None:
        self._stop.set()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _watch(self, path: Path, *, recursive: bool,
                     keep: Callable[[Change, str], bool]) -> None:
        async for changes in awatch(path, recursive=recursive, watch_filter=keep,
                                    stop_event=self._stop, force_polling=self._force_polling,
                                    rust_timeout=1000):
            self._changed.update(p for _, p in changes)
            self._dirty.set()

    def _watch_ended(self, path: Path, task: asyncio.Task) -> None:
        if not self._stop.is_set() and not task.cancelled() and task.exception() is not None:
            self._echo(f"The watch of {path} stopped ({task.exception()}): changes there are "
                       "no longer rebuilt; restart `evidence serve --watch`.")

    async def build(self) -> int:
        """Run one build in a child process; its exit status."""
        self.builds += 1
        process = await asyncio.create_subprocess_exec(*build_command(self.root, self.database))
        try:
            return await process.wait()
        except asyncio.CancelledError:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            await process.wait()
            raise

    async def run(self) -> None:
        """Rebuild after every batch of changes, until cancelled."""
        while True:
            await self._dirty.wait()
            self._dirty.clear()
            changed, self._changed = sorted(self._changed), set()
            self._echo(f"{self._describe(changed)} changed: building {self.database.name}")
            before = _identity(self.database)
            status = await self.build()
            if status == 0:
                continue
            if _identity(self.database) != before:
                # A problem takes down only what it concerns (database/reach.py).
                self._echo(f"Built {self.database.name} around the problems above (exit "
                           f"{status}): what they concern is left out, orphaned or kept from "
                           "its last good build; fix them and save again.")
            else:
                self._echo(f"The build failed (exit {status}): still serving the last good "
                           f"{self.database.name}; fix the problems above and save again.")

    def _describe(self, changed: list[str]) -> str:
        names = []
        for path in changed:
            try:
                names.append(str(Path(path).relative_to(self.root)))
            except ValueError:
                names.append(path)
        shown = ", ".join(names[:3])
        return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _echo_to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _identity(path: Path) -> tuple[int, int, int] | None:
    """What tells one database file from the next a build renames into place."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns
