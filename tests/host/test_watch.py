"""The watch of `serve --watch`, in-process: what it watches and when it builds.

The builds run in a warm child process (`evidence build-worker`), started
once and reused; tests/host/test_serve_live.py runs the whole server for real."""

from __future__ import annotations

import asyncio

import pytest
from watchfiles import Change

from evidence.errors import EvidenceError
from evidence.host.follow import file_identity
from evidence.host.watch import (
    Rebuilder,
    _ClaimsFilter,
    _is_references,
    build_command,
    worker_command,
)

DEADLINE = 60.0


def test_what_counts_as_a_change_of_the_inputs(tmp_path):
    claims = _ClaimsFilter()
    assert claims(Change.modified, str(tmp_path / "claims" / "g" / "claims.yaml"))
    assert claims(Change.added, str(tmp_path / "claims" / "new-guide"))
    # The temporary file of an atomic write, an editor's swap file.
    assert not claims(Change.added, str(tmp_path / "claims" / "g" / ".claims.yaml.x1.tmp"))
    assert not claims(Change.added, str(tmp_path / "claims" / "g" / ".claims.yaml.swp"))
    references = _is_references(tmp_path.resolve())
    assert references(Change.added, str(tmp_path / "references.bib"))
    assert not references(Change.modified, str(tmp_path / "evidence.db"))
    assert not references(Change.modified, str(tmp_path / "evidence.db-lock"))
    assert not references(Change.added, str(tmp_path / "other" / "references.bib"))


def test_the_build_runs_the_command_line_with_this_python(tmp_path):
    import sys

    command = build_command(tmp_path, tmp_path / "x.db")
    assert command[:4] == [sys.executable, "-m", "evidence", "build"]
    assert command[-4:] == ["--project", str(tmp_path), "--database", str(tmp_path / "x.db")]


def test_the_worker_is_the_command_line_with_this_python(tmp_path):
    import sys

    command = worker_command(tmp_path, tmp_path / "x.db", 7)
    assert command[:4] == [sys.executable, "-m", "evidence", "build-worker"]
    assert command[-6:] == ["--project", str(tmp_path), "--database", str(tmp_path / "x.db"),
                            "--status-fd", "7"]


def _retype(project, old: str, new: str) -> None:
    claims = project / "claims" / "testguide" / "claims.yaml"
    text = claims.read_text(encoding="utf-8")
    assert old in text
    claims.write_text(text.replace(old, new, 1), encoding="utf-8")


def _claim_type(database, claim_id: str) -> str:
    import sqlite3

    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        return conn.execute("select type from claims where id = ?", (claim_id,)).fetchone()[0]


async def test_builds_run_one_after_another_in_one_warm_worker(project):
    database = project / "evidence.db"
    followed: list[object] = []

    async def on_built() -> None:
        followed.append(file_identity(database))

    async with Rebuilder(project, database, on_built=on_built) as rebuilder:
        assert await rebuilder.build() == 0
        worker = rebuilder._worker
        assert worker is not None and worker.alive
        _retype(project, "type: treatment", "type: prognosis")
        assert await rebuilder.build() == 0
        assert rebuilder._worker is worker  # the same process: no start, no imports again
        assert _claim_type(database, "t-loading") == "prognosis"
        assert await rebuilder.build() == 0  # nothing changed: up to date, nothing renamed
    assert worker.process.returncode is not None  # stopped with the watch


async def test_a_worker_that_dies_leaves_the_database_and_the_next_build_starts_anew(project):
    import os
    import signal

    database = project / "evidence.db"
    messages: list[str] = []
    async with Rebuilder(project, database, echo=messages.append) as rebuilder:
        assert await rebuilder.build() == 0
        first = rebuilder._worker
        assert first is not None
        built = file_identity(database)
        os.kill(first.process.pid, signal.SIGKILL)  # a crash, an OOM kill
        await first.process.wait()
        assert file_identity(database) == built  # the previous database stays
        _retype(project, "type: treatment", "type: safety")
        assert await rebuilder.build() == 0
        assert rebuilder._worker is not first and rebuilder._worker.alive
        assert _claim_type(database, "t-loading") == "safety"


async def test_a_worker_ended_with_sigterm_runs_its_cleanup(project):
    """`serve --watch` cancels a build with SIGTERM: the worker takes it as an
    interrupt (the build's finally blocks remove its temporary files) and exits
    0, where Python's default would end it at once, leaving them."""
    database = project / "evidence.db"
    async with Rebuilder(project, database) as rebuilder:
        assert await rebuilder.build() == 0
        worker = rebuilder._worker
        assert worker is not None
        await worker.stop()
        assert worker.process.returncode == 0
    assert sorted(p.name for p in project.iterdir() if p.name.endswith(".db.tmp")) == []


async def test_the_server_is_told_after_a_build_that_renamed_a_database(project, monkeypatch):
    """A new database is followed at once (serve.py: FollowingApp.check); an
    up-to-date build renamed nothing, so there is nothing to follow."""
    database = project / "evidence.db"
    builds: list[int] = []
    told: list[int] = []

    async def build(self) -> int:
        builds.append(1)
        if len(builds) == 1:
            database.write_bytes(b"a new file")  # as a rename would: a new identity
        return 0

    async def on_built() -> None:
        told.append(len(builds))

    monkeypatch.setattr(Rebuilder, "build", build)
    claims = project / "claims" / "testguide" / "claims.yaml"
    async with Rebuilder(project, database, on_built=on_built, echo=lambda m: None) as rebuilder:
        running = asyncio.create_task(rebuilder.run())
        claims.write_text(claims.read_text(encoding="utf-8") + "# one\n", encoding="utf-8")
        await wait_until(lambda: told)
        claims.write_text(claims.read_text(encoding="utf-8") + "# two\n", encoding="utf-8")
        await wait_until(lambda: len(builds) == 2)
        await asyncio.sleep(0.2)
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    assert told == [1]


async def test_a_project_without_claims_cannot_be_watched(tmp_path):
    with pytest.raises(EvidenceError, match="cannot watch .*claims for changes"):
        async with Rebuilder(tmp_path, tmp_path / "evidence.db"):
            pass


async def wait_until(condition) -> None:
    deadline = asyncio.get_running_loop().time() + DEADLINE
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail("not within the deadline")
        await asyncio.sleep(0.05)


async def test_changes_during_a_build_start_one_more_after_it(project, monkeypatch):
    started: list[int] = []
    release = asyncio.Event()
    messages: list[str] = []

    async def build(self) -> int:
        started.append(1)
        await release.wait()
        release.clear()
        return 1 if len(started) == 1 else 0

    monkeypatch.setattr(Rebuilder, "build", build)
    claims = project / "claims" / "testguide" / "claims.yaml"
    async with Rebuilder(project, project / "evidence.db", echo=messages.append) as rebuilder:
        running = asyncio.create_task(rebuilder.run())
        claims.write_text(claims.read_text(encoding="utf-8") + "# one\n", encoding="utf-8")
        await wait_until(lambda: len(started) == 1)
        # Saved twice while the first build runs: one more build, not two.
        (project / "references.bib").write_text(
            (project / "references.bib").read_text(encoding="utf-8") + "\n", encoding="utf-8")
        claims.write_text(claims.read_text(encoding="utf-8") + "# two\n", encoding="utf-8")
        await asyncio.sleep(0.5)  # let the watch see both (a bounded wait, not a timing)
        release.set()
        await wait_until(lambda: len(started) == 2)
        release.set()
        await asyncio.sleep(0.5)
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    assert len(started) == 2
    assert messages[0] == "claims/testguide/claims.yaml changed: building evidence.db"
    assert "The build failed (exit 1): still serving the last good evidence.db" in messages[1]
    assert messages[2].startswith("claims/testguide/claims.yaml, references.bib changed")
    assert len(messages) == 3
