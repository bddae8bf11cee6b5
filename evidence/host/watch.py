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
any other. The child is a warm one: ``evidence build-worker`` starts once,
imports what a build needs, and then runs the build command once per request
(a line on its stdin; the exit status comes back on a pipe of its own), so a
rebuild after an edit pays neither Python's start nor the imports, only the
(incremental) build. A worker that dies (a crash, a signal) takes only its
build with it: the database renamed into place last stays, and the next
change starts a fresh worker. Changes made while a build runs start one more
build after it. A failed build leaves the previous database in place, so the
pages go on answering from the last good one; after a good one the server is
told at once (``on_built``), so it makes and warms its instance for the new
file before the next request comes (:mod:`evidence.host.follow`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from watchfiles import Change, DefaultFilter, awatch

from evidence.errors import EvidenceError
from evidence.project import CLAIMS_DIR, REFERENCES_FILE

# A batch of changes is built once no further change came for STEP_MS (one save
# of an editor, a rename with its temporary file, is one batch); watchfiles'
# default is 50 ms. Where the file system sends no events (force_polling), the
# files are looked at every POLL_DELAY_MS (watchfiles: 300 ms).
STEP_MS = 20
POLL_DELAY_MS = 100


def build_command(root: Path, database: Path) -> list[str]:
    """``evidence build`` for this project and database, run by this Python."""
    return [sys.executable, "-m", "evidence", "build", "--project", str(root),
            "--database", str(database)]


def worker_command(root: Path, database: Path, status_fd: int) -> list[str]:
    """``evidence build-worker``: the warm child that runs one build per request."""
    return [sys.executable, "-m", "evidence", "build-worker", "--project", str(root),
            "--database", str(database), "--status-fd", str(status_fd)]


# What a build imports (evidence/database/build.py imports them where used): a
# worker imports them before its first request, so no build waits for them.
BUILD_MODULES = (
    "evidence.database.build", "evidence.database.incremental", "evidence.database.write",
    "evidence.database.rows", "evidence.database.reach", "evidence.database.previous",
    "evidence.database.lock", "evidence.check.run", "evidence.project",
    "sqlalchemy.dialects.sqlite",  # imported by the engine, lazily
)


def warm_imports() -> None:
    """Import what a build needs, once, in the process that will run many builds."""
    import importlib

    for name in BUILD_MODULES:
        importlib.import_module(name)


class _Worker:
    """One ``evidence build-worker`` child and the pipe its exit statuses come back on."""

    def __init__(self, process: asyncio.subprocess.Process, status: asyncio.StreamReader,
                 transport: asyncio.BaseTransport):
        self.process = process
        self.status = status
        self._transport = transport

    @classmethod
    async def start(cls, root: Path, database: Path) -> _Worker:
        read_fd, write_fd = os.pipe()
        try:
            process = await asyncio.create_subprocess_exec(
                *worker_command(root, database, write_fd), stdin=asyncio.subprocess.PIPE,
                pass_fds=(write_fd,))
        except BaseException:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)  # the child has its copy; EOF once it ends
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(read_fd, "rb", 0))
        return cls(process, reader, transport)

    async def build(self) -> int | None:
        """One build; its exit status, or None when the worker ended instead."""
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(b"build\n")
            await self.process.stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            return None
        line = await self.status.readline()
        if not line:
            return None
        try:
            return int(line)
        except ValueError:
            return None

    @property
    def alive(self) -> bool:
        return self.process.returncode is None

    async def stop(self) -> None:
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.terminate()
        await self.process.wait()
        self._transport.close()


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
                 force_polling: bool | None = None,
                 on_built: Callable[[], Awaitable[object]] | None = None):
        self.root = Path(root).resolve()
        self.database = Path(database)
        self._echo = echo or _echo_to_stderr
        self._force_polling = force_polling
        self._changed: set[str] = set()
        self._dirty = asyncio.Event()
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self.builds = 0  # builds run, for tests
        # Awaited after each build that renamed a new database into place (the
        # server follows it at once: serve.py sets it to FollowingApp.check).
        self.on_built = on_built
        self._worker: _Worker | None = None

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
        if self._worker is not None:
            worker, self._worker = self._worker, None
            await worker.stop()

    async def _watch(self, path: Path, *, recursive: bool,
                     keep: Callable[[Change, str], bool]) -> None:
        async for changes in awatch(path, recursive=recursive, watch_filter=keep,
                                    stop_event=self._stop, force_polling=self._force_polling,
                                    rust_timeout=1000, step=STEP_MS,
                                    poll_delay_ms=POLL_DELAY_MS):
            self._changed.update(p for _, p in changes)
            self._dirty.set()

    def _watch_ended(self, path: Path, task: asyncio.Task) -> None:
        if not self._stop.is_set() and not task.cancelled() and task.exception() is not None:
            self._echo(f"The watch of {path} stopped ({task.exception()}): changes there are "
                       "no longer rebuilt; restart `evidence serve --watch`.")

    async def build(self) -> int:
        """Run one build in the warm child process; its exit status."""
        self.builds += 1
        if self._worker is None or not self._worker.alive:
            if self._worker is not None:
                await self._worker.stop()
            self._worker = await _Worker.start(self.root, self.database)
        worker = self._worker
        try:
            status = await worker.build()
        except asyncio.CancelledError:
            self._worker = None
            await worker.stop()  # a killed build leaves the previous database in place
            raise
        if status is None:  # the worker ended during the build: the next starts anew
            self._worker = None
            await worker.stop()
            code = worker.process.returncode
            self._echo(f"The build process ended ({_ended(code)}) without finishing the "
                       "build; a new one runs the next build.")
            return code if code else 1
        return status

    async def run(self) -> None:
        """Rebuild after every batch of changes, until cancelled."""
        while True:
            await self._dirty.wait()
            self._dirty.clear()
            changed, self._changed = sorted(self._changed), set()
            self._echo(f"{self._describe(changed)} changed: building {self.database.name}")
            before = _identity(self.database)
            status = await self.build()
            renamed = _identity(self.database) != before
            if renamed and self.on_built is not None:
                try:
                    await self.on_built()
                except Exception as exc:  # noqa: BLE001 - the next request follows it anyway
                    self._echo(f"Following the new {self.database.name} failed ({exc}); the "
                               "next request tries again.")
            if status == 0:
                continue
            if renamed:
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


def _ended(code: int | None) -> str:
    if code is not None and code < 0:
        return f"signal {-code}"
    return f"exit {code}"


def _echo_to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _identity(path: Path) -> tuple[int, int, int] | None:
    """What tells one database file from the next a build renames into place."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns
