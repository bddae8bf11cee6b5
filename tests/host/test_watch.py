"""The watch of `serve --watch`, in-process: what it watches and when it builds.

The builds themselves run in child processes; tests/host/test_serve_live.py
runs them for real."""

from __future__ import annotations

import asyncio

import pytest
from watchfiles import Change

from evidence.errors import EvidenceError
from evidence.host.watch import Rebuilder, _ClaimsFilter, _is_references, build_command

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
