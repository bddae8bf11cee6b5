"""A real local server with the editor's desk, as ``evidence serve`` runs it: the
FollowingApp (so the pages follow each rebuild) under uvicorn, in a thread."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from tests.publish.live import Answer, Live, free_socket
from tests.publish_support import make_project

# The guide after an edit: one sentence reworded (its claim, h-massage, orphaned,
# with a re-anchoring to accept), one gone (h-prognosis, orphaned, to retire).
EDITED = ("Massage hjælper kortvarigt.", "Massage hjælper ofte kortvarigt.",
          "De fleste bliver raske på tre til seks måneder.",
          "Ingen ved, hvor længe det varer for den enkelte.")


def make_desk_project(root: Path) -> Path:
    make_project(root)
    guide = root / "claims" / "hasesener" / "guide.md"
    text = guide.read_text(encoding="utf-8")
    for old, new in zip(EDITED[::2], EDITED[1::2], strict=True):
        assert old in text
        text = text.replace(old, new)
    guide.write_text(text, encoding="utf-8")
    return root


@dataclass
class LocalDesk(Live):
    desk: object = None

    def post(self, path: str, fields: dict, headers: dict | None = None) -> Answer:
        base = {"Content-Type": "application/x-www-form-urlencoded",
                "Host": f"127.0.0.1:{self.port}"}
        return self.request("POST", path, headers=base | (headers or {}),
                            body=urlencode(fields).encode())


@contextlib.contextmanager
def serve_local(project: Path, database: Path, *, editor: str | None = None) -> Iterator[LocalDesk]:
    """``evidence serve`` in local mode on 127.0.0.1, with its desk."""
    import uvicorn

    from evidence.desk.state import Desk, register, unregister
    from evidence.host.follow import FollowingApp
    from evidence.host.serve import make_datasette

    sock = free_socket()
    port = sock.getsockname()[1]
    desk = register(Desk(project.resolve(), database.resolve(), port=port, editor=editor))
    app = FollowingApp(database, functools.partial(make_datasette, database, desk=desk))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=lambda: server.run(sockets=[sock]), daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    try:
        yield LocalDesk("127.0.0.1", port, desk)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
        unregister(desk)


def build(root: Path) -> Path:
    from evidence.database.build import build as run_build

    database = root / "evidence.db"
    run_build(root, database, force=True)
    return database


def run_async(coro):
    return asyncio.run(coro)
