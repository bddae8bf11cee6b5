"""pandoc started early for a repeated bibliography (evidence/bibliography/early.py)
changes nothing the command prints: the early process is taken only for the
very call the command makes, and stopped otherwise."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from evidence.bibliography import early
from evidence.cli import cli
from tests.conftest import REPO, write_project


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """No early state from another test, and a cache folder of this test's own."""
    monkeypatch.setattr(early, "_key", None)
    monkeypatch.setattr(early, "_started", None)
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _logging_pandoc(tmp_path):
    """A pandoc that writes its arguments to a log, then runs the real one."""
    from evidence.bibliography.formatting import pandoc_executable

    real = pandoc_executable()
    log = tmp_path / "pandoc.log"
    fake = tmp_path / "pandoc"
    fake.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {real} "$@"\n', encoding="utf-8")
    fake.chmod(0o755)
    return fake, log


def _evidence(*args, env):
    return subprocess.run([sys.executable, "-m", "evidence", *args], capture_output=True,
                          env=env, check=False, cwd=REPO)


def test_a_repeated_bibliography_as_a_process(tmp_path, fresh):
    root = write_project(tmp_path / "p", bib=(REPO / "references.bib").read_text("utf-8"))
    fake, log = _logging_pandoc(tmp_path)
    env = {**os.environ, "EVIDENCE_CACHE_DIR": str(fresh), "EVIDENCE_PANDOC": str(fake)}
    args = ("bibliography", "--project", str(root), "--all", "-f", "html")
    expected = CliRunner().invoke(cli, list(args)).output
    runs = []
    for _ in range(4):
        log.unlink(missing_ok=True)
        result = _evidence(*args, env=env)
        assert result.returncode == 0, result.stderr
        runs.append((result.stdout.decode(), log.read_text().count("\n")))
    assert [out for out, _ in runs] == [expected] * 4
    assert [calls for _, calls in runs] == [1] * 4  # the early process was taken
    [record] = (fresh / "calls").glob("*.json")
    assert json.loads(record.read_text())["key"][1:] == list(args)


def test_an_early_call_not_the_commands_is_stopped(tmp_path, fresh):
    root = write_project(tmp_path / "p", bib=(REPO / "references.bib").read_text("utf-8"))
    fake, log = _logging_pandoc(tmp_path)
    env = {**os.environ, "EVIDENCE_CACHE_DIR": str(fresh), "EVIDENCE_PANDOC": str(fake)}
    args = ("bibliography", "--project", str(root), "--all")
    for _ in range(2):
        expected = _evidence(*args, env=env).stdout
    [record_file] = (fresh / "calls").glob("*.json")
    record = json.loads(record_file.read_text())
    record["args"] = [*record["args"], "-M", "lang=de-DE"]  # another call
    record_file.write_text(json.dumps(record), encoding="utf-8")
    log.unlink()
    result = _evidence(*args, env=env)
    assert result.returncode == 0 and result.stdout == expected
    calls = log.read_text().splitlines()
    assert len(calls) == 2 and "lang=de-DE" in calls[0] and "lang=de-DE" not in calls[1]


def test_no_early_start_once_references_bib_changed(tmp_path, fresh):
    root = write_project(tmp_path / "p", bib=(REPO / "references.bib").read_text("utf-8"))
    argv = ["evidence", "bibliography", "--project", str(root), "--all"]
    early.start(argv)  # no record yet: nothing started, the key noted
    assert early._started is None and early._key is not None
    assert CliRunner().invoke(cli, argv[1:]).exit_code == 0  # from the kept files: noted
    assert CliRunner().invoke(cli, argv[1:]).exit_code == 0
    early.start(argv)
    assert early._started is not None
    early._stop_untaken()
    assert early._started is None
    bib = root / "references.bib"
    bib.write_text(bib.read_text("utf-8") + "\n", encoding="utf-8")
    early.start(argv)
    assert early._started is None


def test_take_gives_only_the_same_call(tmp_path, fresh):
    process = early.start_pandoc(["cat"])
    early._started = (["cat"], process)
    assert early.take(["cat", "-"]) is None
    assert process.returncode is not None  # stopped
    process = early.start_pandoc(["cat"])
    early._started = (["cat"], process)
    assert early.take(["cat"]) is process
    assert process.communicate()[0] == early.CITE_ALL


def test_other_commands_start_nothing(fresh):
    early.start(["evidence", "build"])
    assert early._key is None and early._started is None


def test_only_the_newest_records_are_kept(tmp_path, fresh, monkeypatch):
    monkeypatch.setattr(early, "KEEP", 3)
    bib = tmp_path / "references.bib"
    bib.write_text("@misc{a, title={A}}\n", encoding="utf-8")
    for n in range(5):
        for older in (fresh / "calls").glob("*.json"):  # apart in time, as runs are
            os.utime(older, ns=(older.stat().st_mtime_ns - 10**9,) * 2)
        monkeypatch.setattr(early, "_key", [str(tmp_path), "bibliography", f"--run={n}"])
        early.remember(["pandoc", str(n)], bib, [bib])
    records = list((fresh / "calls").glob("*.json"))
    assert len(records) == 3
    assert {json.loads(r.read_text())["args"][1] for r in records} == {"2", "3", "4"}


def test_a_record_others_may_write_is_never_run(tmp_path, fresh):
    """A record is a command line to run: one in a folder or file that another
    user may write (a shared temp dir) is ignored, never started."""
    root = write_project(tmp_path / "p", bib=(REPO / "references.bib").read_text("utf-8"))
    argv = ["evidence", "bibliography", "--project", str(root), "--all"]
    early.start(argv)
    assert CliRunner().invoke(cli, argv[1:]).exit_code == 0
    assert CliRunner().invoke(cli, argv[1:]).exit_code == 0
    [record] = (fresh / "calls").glob("*.json")
    record.chmod(0o666)  # writable by anyone
    early.start(argv)
    assert early._started is None
    record.chmod(0o644)
    early.start(argv)  # the user's own again: started
    assert early._started is not None
    early._stop_untaken()


def test_a_shared_temp_folder_not_the_users_alone_is_not_used(tmp_path, monkeypatch):
    from evidence.bibliography.cache import cache_folders

    monkeypatch.delenv("EVIDENCE_CACHE_DIR", raising=False)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    shared = tmp_path / f"evidence-calls-{os.getuid()}"
    assert shared in list(cache_folders("calls"))  # not made yet: may be made
    shared.mkdir()
    shared.chmod(0o700)
    assert shared in list(cache_folders("calls"))
    shared.chmod(0o777)  # as another user could have made it first
    assert shared not in list(cache_folders("calls"))
