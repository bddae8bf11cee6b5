"""Serving whatever database a build last renamed into place, without a restart.

A build writes a new file and renames it over evidence.db. A Datasette 0.65
instance cannot follow that: each of its SQL threads keeps one connection,
opened once, to the file that was there then (the old inode, unlinked but
still open), and even a new ``Database`` object added under the same name
reuses those connections, which are kept per thread under the database's
name. (Each thread connects on its first query, so an instance can even
answer from both files at once, depending on the thread a query lands on.) What it caches besides (the inspect data and row counts of public mode,
the schema tables of ``_internal``, the plugins' startup state) belongs to
the instance as well.

So :class:`FollowingApp` keeps whole instances, one per version of the file.
Before a request it compares the file's identity (device, inode, size,
modification time: a rename changes the inode, an edit in place the time) with
the one the current instance was made for; when it differs, it makes a fresh
instance with the same factory (in a thread: public mode hashes and counts the
new file), starts it, and sends this request and the following ones to it.
Requests already running on the old instance finish there; when its last one
has finished, its SQL threads and connections are closed, which also frees
the old file's disk space. If the new file cannot be served (a make that
fails), the old instance goes on answering and the error is logged once.

The check costs one ``stat`` per request (benchmarks/bench_serve.py); with
``interval`` it is made at most that often instead.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datasette.app import Datasette

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# (st_dev, st_ino, st_size, st_mtime_ns); None when the file is not there.
Identity = tuple[int, int, int, int]


def file_identity(path: Path) -> Identity | None:
    """What tells one version of a file from the next one renamed over it."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


@dataclass(eq=False)
class Generation:
    """One Datasette instance and the version of the file it was made for."""

    datasette: Datasette
    identity: Identity | None
    app: ASGIApp = field(init=False)
    active: int = 0  # requests running on it

    def __post_init__(self) -> None:
        self.app = self.datasette.app()


class FollowingApp:
    """An ASGI app that serves ``database`` through the newest Datasette instance.

    ``make`` builds an instance for the file as it is now (the caller's
    ``make_datasette``, with its settings); it is called once at
    :meth:`start` and again after every change of the file.
    """

    def __init__(self, database: Path, make: Callable[[], Datasette], *,
                 interval: float = 0.0, log: Callable[[str], None] | None = None):
        self.database = Path(database)
        self._make = make
        self.interval = interval
        self._log = log or _log_to_stderr
        self._current: Generation | None = None
        self._checked_at = float("-inf")
        self._failed: Identity | None = None  # the version that could not be served
        self._swap_lock: asyncio.Lock | None = None
        self.generations = 0  # instances made so far, for tests and the log
        self.retired = 0  # old instances closed

    @property
    def datasette(self) -> Datasette:
        """The instance that serves the next request (after a check)."""
        if self._current is None:
            raise RuntimeError("FollowingApp.start() was not awaited")
        return self._current.datasette

    async def start(self) -> None:
        """Make and start the first instance; errors propagate (nothing to serve)."""
        generation = await asyncio.to_thread(self._new_generation, file_identity(self.database))
        await _warm(generation.datasette)
        self._current = generation
        self.generations += 1

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        generation = await self._generation()
        generation.active += 1
        try:
            await generation.app(scope, receive, send)
        finally:
            generation.active -= 1
            if generation is not self._current and generation.active == 0:
                self._retire(generation)

    async def check(self) -> Generation:
        """Follow the file now, whatever the interval: the generation that serves next."""
        self._checked_at = float("-inf")
        return await self._generation()

    async def _generation(self) -> Generation:
        if self._swap_lock is None:
            self._swap_lock = asyncio.Lock()
        current = self._current
        if current is None:  # served without lifespan and without start()
            async with self._swap_lock:
                if self._current is None:
                    await self.start()
            assert self._current is not None
            return self._current
        now = time.monotonic()
        if now - self._checked_at < self.interval:
            return current
        self._checked_at = now
        identity = file_identity(self.database)
        if identity == current.identity or identity is None or identity == self._failed:
            # Unchanged, or gone (the old instance still holds its file open),
            # or a version already found unservable.
            return current
        async with self._swap_lock:
            # Another request may have followed the change while this one waited.
            current = self._current
            assert current is not None
            identity = file_identity(self.database)
            if identity == current.identity or identity is None or identity == self._failed:
                return current
            try:
                made = await asyncio.to_thread(self._new_generation, identity)
                await _warm(made.datasette)
            except Exception as exc:  # noqa: BLE001 - any failure leaves the old instance serving
                self._failed = identity
                self._log(f"{self.database} changed but cannot be served ({exc}); "
                          "still serving the previous version")
                return current
            self._failed = None
            self._current = made
            self.generations += 1
            if current.active == 0:
                self._retire(current)
            return made

    def _new_generation(self, identity: Identity | None) -> Generation:
        # The identity is taken before the file is opened: a rename in between
        # is then seen by the next request, never missed.
        return Generation(self._make(), identity)

    def _retire(self, generation: Generation) -> None:
        """Close an old instance once nothing runs on it: in a thread, since
        its SQL threads may still be finishing a query a client gave up on."""
        generation.active = -1  # never retired twice
        self.retired += 1
        threading.Thread(target=close_datasette, args=(generation.datasette,),
                         name="evidence-retire", daemon=True).start()

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    if self._current is None:
                        await self.start()
                except Exception as exc:  # noqa: BLE001 - reported to the server, which stops
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._current is not None and self._current.active <= 0:
                    close_datasette(self._current.datasette)
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _warm(ds: Datasette) -> None:
    """Start an instance before it serves: its plugins' startup hooks and its
    schema tables, which its first request would otherwise wait for."""
    await ds.invoke_startup()
    await ds.refresh_schemas()


def close_datasette(ds: Datasette) -> None:
    """End what a Datasette 0.65 instance leaves running: its SQL threads (their
    connections to in-memory databases go with them), the write thread of each
    database that was written (``_internal``'s schema tables), and every file
    connection, so an old file's inode is released.

    Datasette has no method for this; the write thread is told to stop by a
    task that raises SystemExit, which its loop (catching Exception) lets out.
    """
    from datasette.database import WriteTask

    if ds.executor is not None:
        ds.executor.shutdown(wait=True, cancel_futures=True)
    for db in list(ds.databases.values()):
        # Private in 0.65, and no public way exists: these two are the thread.
        thread, tasks = db._write_thread, db._write_queue  # noqa: SLF001
        if thread is not None and tasks is not None:
            tasks.put(WriteTask(_stop_write_thread, None, None))
            thread.join(timeout=5)
        db.close()  # every file connection it opened, in any thread


def _stop_write_thread(conn) -> None:
    conn.close()
    raise SystemExit


def _log_to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
