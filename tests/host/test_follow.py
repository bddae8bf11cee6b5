"""FollowingApp: the served database follows the file a build renames into place.

In-process, through the ASGI app itself; tests/host/test_serve_live.py does
the same through real server and build processes.
"""

from __future__ import annotations

import asyncio
import functools
import os
import threading
from pathlib import Path

import httpx
import pytest

from evidence.database.build import build
from evidence.host.follow import FollowingApp, file_identity
from evidence.host.serve import make_datasette

NEW_CLAIM = """\
  - id: t-massage
    quote: "Massage hjælper kortvarigt."
    type: treatment
"""


def add_claim(project: Path, text: str = NEW_CLAIM) -> None:
    path = project / "claims" / "testguide" / "claims.yaml"
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


async def following(database: Path, *, public: bool = False, **kwargs) -> FollowingApp:
    app = FollowingApp(database, functools.partial(make_datasette, database, public=public),
                       **kwargs)
    await app.start()
    return app


def client(app: FollowingApp) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


def instance_threads() -> list[str]:
    """The threads Datasette instances run (not the event loop's own executor,
    which grows as it likes and goes with the loop)."""
    return sorted(t.name for t in threading.enumerate() if not t.name.startswith("asyncio_"))


def open_files(database: Path) -> list[str]:
    """What this process holds open of the database (also once it is unlinked)."""
    held = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(database)) and not target.startswith(f"{database}-"):
            held.append(target)
    return held


# The claims table's count (public mode takes it from the inspect data); a reader's route.
CLAIM_COUNT = "/evidence/claims.json?_size=1"


@pytest.mark.parametrize("public", [False, True], ids=["local", "public"])
async def test_a_rebuild_is_served_from_the_next_request(project, public):
    database = build(project).database
    app = await following(database, public=public)
    async with client(app) as http:
        assert (await http.get("/evidence/claims/t-massage")).status_code == 404
        assert (await http.get(CLAIM_COUNT)).json()["filtered_table_rows_count"] == 2

        add_claim(project)
        before = file_identity(database)
        assert build(project).built
        assert file_identity(database) != before  # a new file, renamed into place

        page = await http.get("/evidence/claims/t-massage")
        assert page.status_code == 200
        assert "Massage hjælper kortvarigt." in page.text
        # The row counts, which public mode takes from the inspect data, follow too.
        assert (await http.get(CLAIM_COUNT)).json()["filtered_table_rows_count"] == 3
    assert app.generations == 2


async def test_datasette_alone_keeps_serving_the_old_file(project):
    """Why FollowingApp exists: one instance, even given a new Database object
    for the renamed file, answers from the old one (Datasette 0.65)."""
    from datasette.database import Database

    database = build(project).database
    # One SQL thread, so that it has surely connected before the rename (each
    # thread connects on its first query, to whatever file is there then).
    ds = make_datasette(database, settings={"num_sql_threads": 1})
    await ds.invoke_startup()
    assert (await ds.client.get("/evidence/claims/t-massage")).status_code == 404
    add_claim(project)
    build(project)
    ds.remove_database("evidence")
    ds.add_database(Database(ds, path=str(database)), name="evidence")
    assert (await ds.client.get("/evidence/claims/t-massage")).status_code == 404


async def test_nothing_changed_means_the_same_instance(project):
    database = build(project).database
    app = await following(database)
    first = app.datasette
    async with client(app) as http:
        for _ in range(5):
            assert (await http.get("/evidence/claims/t-loading")).status_code == 200
    assert app.datasette is first
    assert app.generations == 1


async def test_old_instances_are_closed_threads_and_files_alike(project):
    """A long `serve --watch` session rebuilds hundreds of times: each old
    instance's SQL threads, write thread and connections must go, and with
    them the old file (unlinked, but held open until closed)."""
    database = build(project).database
    before = set(instance_threads())  # earlier tests' instances may still run threads
    app = await following(database)
    # what one live instance may run: its write thread and its SQL threads (started lazily)
    budget = 1 + app.datasette.setting("num_sql_threads")

    def new_threads() -> list[str]:
        return sorted(set(instance_threads()) - before)

    async with client(app) as http:
        assert (await http.get("/evidence/claims")).status_code == 200
        for i in range(8):
            add_claim(project, f"  # rebuild {i}\n")
            assert build(project).built
            assert (await http.get("/evidence/claims")).status_code == 200
        assert app.generations == 9
        deadline = asyncio.get_running_loop().time() + 30
        while ((len(new_threads()) > budget or len(open_files(database)) > budget)
               and asyncio.get_running_loop().time() < deadline):
            await asyncio.sleep(0.05)  # retirement runs in a thread of its own
    assert app.retired == 8
    assert len(new_threads()) <= budget, new_threads()
    assert not [f for f in open_files(database) if f.endswith("(deleted)")]
    assert len(open_files(database)) <= budget  # the live instance's connections alone


async def test_a_file_that_cannot_be_served_leaves_the_old_one_serving(project):
    database = build(project).database
    logged: list[str] = []
    calls = []

    def make():
        calls.append(1)
        if len(calls) > 1:
            raise RuntimeError("not a database")
        return make_datasette(database)

    app = FollowingApp(database, make, log=logged.append)
    await app.start()
    async with client(app) as http:
        os.utime(database, ns=(1, 1))  # another version of the file
        for _ in range(3):
            assert (await http.get("/evidence/claims/t-loading")).status_code == 200
    assert len(calls) == 2  # tried once for that version, not on every request
    assert len(logged) == 1 and "not a database" in logged[0]
    assert "still serving the previous version" in logged[0]


async def test_the_check_is_made_at_most_every_interval(project):
    database = build(project).database
    app = await following(database, interval=3600)
    async with client(app) as http:
        assert (await http.get("/evidence/claims/t-massage")).status_code == 404  # checked
        add_claim(project)
        build(project)
        # Not checked again yet: the same instance (whose SQL threads that had
        # not yet connected may open the new file: only a check promises it).
        await http.get("/evidence/claims/t-massage")
        assert app.generations == 1
        await app.check()
        assert app.generations == 2
        assert (await http.get("/evidence/claims/t-massage")).status_code == 200


class SlowInstance:
    """Stands in for a Datasette instance: its one page waits until told."""

    executor = None
    databases: dict = {}

    def __init__(self, name: str):
        self.name = name
        self.release = asyncio.Event()
        self.started = asyncio.Event()
        self.closed = False

    def app(self):
        async def asgi(scope, receive, send):
            self.started.set()
            if scope["path"] == "/slow":
                await self.release.wait()
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": self.name.encode()})
        return asgi

    async def invoke_startup(self):
        pass

    async def refresh_schemas(self):
        pass


async def test_a_request_running_on_the_old_version_finishes_there(tmp_path, monkeypatch):
    closed: list[str] = []
    monkeypatch.setattr("evidence.host.follow.close_datasette", lambda ds: closed.append(ds.name))
    database = tmp_path / "evidence.db"
    database.write_bytes(b"one")
    made = iter([SlowInstance("old"), SlowInstance("new")])
    old = None

    def make():
        nonlocal old
        instance = next(made)
        old = old or instance
        return instance

    app = FollowingApp(database, make)
    await app.start()
    async with client(app) as http:
        slow = asyncio.create_task(http.get("/slow"))
        await old.started.wait()
        replacement = tmp_path / "new.db"
        replacement.write_bytes(b"two")
        os.replace(replacement, database)
        assert (await http.get("/fast")).text == "new"  # the next request: the new file
        assert closed == []  # the old instance still has a request running
        old.release.set()
        assert (await slow).text == "old"
    for _ in range(100):
        if closed:
            break
        await asyncio.sleep(0.01)
    assert closed == ["old"]


async def test_the_lifespan_protocol_is_answered(project):
    database = build(project).database
    app = FollowingApp(database, functools.partial(make_datasette, database))
    inbox = asyncio.Queue()
    sent: list[dict] = []
    for message in ({"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}):
        inbox.put_nowait(message)

    async def send(message):
        sent.append(message)

    await app({"type": "lifespan"}, inbox.get, send)
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


async def test_startup_without_a_database_fails_the_lifespan(tmp_path):
    database = tmp_path / "evidence.db"
    app = FollowingApp(database, functools.partial(make_datasette, database))
    inbox = asyncio.Queue()
    inbox.put_nowait({"type": "lifespan.startup"})
    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    await app({"type": "lifespan"}, inbox.get, send)
    assert sent[0]["type"] == "lifespan.startup.failed"
    assert "run `evidence build` first" in sent[0]["message"]


async def test_a_new_instance_renders_with_the_templates_another_compiled(project):
    """Each rebuild makes a new instance (its own Jinja environment); the
    templates' code is compiled once per process (serve.SharedTemplateCode),
    so the first page after an edit does not wait for it."""
    from evidence.host.follow import close_datasette

    database = build(project).database
    first = make_datasette(database)
    await first.invoke_startup()
    assert (await first.client.get("/evidence/claims/t-loading")).status_code == 200
    second = make_datasette(database)
    await second.invoke_startup()

    def compile_again(*args, **kwargs):
        raise AssertionError("a template was compiled again")

    second.jinja_env.compile = compile_again  # type: ignore[method-assign]
    page = await second.client.get("/evidence/claims/t-loading")
    assert page.status_code == 200
    assert "Progressiv belastning er centralt." in page.text
    for ds in (first, second):
        close_datasette(ds)


def test_changed_template_source_is_compiled_anew():
    """The shared code is kept per template and checked against its source."""
    from jinja2 import DictLoader, Environment

    from evidence.host.serve import SharedTemplateCode

    cache = SharedTemplateCode()
    templates = {"page.html": "one {{ x }}"}
    env = Environment(loader=DictLoader(templates), bytecode_cache=cache)
    assert env.get_template("page.html").render(x=1) == "one 1"
    templates["page.html"] = "two {{ x }}"
    other = Environment(loader=DictLoader(templates), bytecode_cache=cache)
    assert other.get_template("page.html").render(x=1) == "two 1"
