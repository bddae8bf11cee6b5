"""Real servers for the publication's tests: ``evidence serve --public`` as it
runs (Datasette under uvicorn, in a thread) and an ``evidence package`` folder
started by its own ``run.sh`` (in a subprocess, without the repository on its path)."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str


@dataclass
class Live:
    host: str
    port: int

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def request(self, method: str, path: str, headers: dict | None = None,
                body: bytes | None = None) -> Answer:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            data = response.read().decode("utf-8", "replace")
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()},
                          data)
        finally:
            conn.close()

    def get(self, path: str, **kw) -> Answer:
        return self.request("GET", path, **kw)


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextlib.contextmanager
def serve_public(database: Path, **kwargs) -> Iterator[Live]:
    """``evidence serve --public``'s Datasette under uvicorn, on 127.0.0.1."""
    import uvicorn

    from evidence.host.serve import make_datasette

    ds = make_datasette(database, public=True, **kwargs)
    sock = free_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(ds.app(), log_level="warning", lifespan="off"))

    def run():
        asyncio.run(ds.invoke_startup())
        server.run(sockets=[sock])

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    try:
        yield Live("127.0.0.1", port)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextlib.contextmanager
def serve_package(project: Path, folder: Path) -> Iterator[Live]:
    """An ``evidence package`` folder, started by its own ``run.sh``: it installs the
    package's wheel into a venv beside itself, offline, and runs plain Datasette."""
    from evidence.host.package import package
    from tests.package_support import dependencies_only, offline_environment, venv_beside

    package(project, folder)
    assert "-m datasette serve" in (folder / "run.sh").read_text(encoding="utf-8")
    venv_beside(folder, dependencies_only(folder.parent / f"{folder.name}-dependencies"))
    with free_socket() as sock:
        port = sock.getsockname()[1]
    server = subprocess.Popen(["sh", str(folder / "run.sh")],
                              env=offline_environment(HOST="127.0.0.1", PORT=str(port)),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    live = Live("127.0.0.1", port)
    deadline = time.monotonic() + 120  # run.sh installs the wheel first
    while True:
        try:
            if live.get("/robots.txt").status == 200:
                break
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise RuntimeError("the package did not start:\n" + server.communicate()[0][-3000:])
        time.sleep(0.2)
    try:
        yield live
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
