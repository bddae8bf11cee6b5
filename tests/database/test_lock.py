"""Builds take a lock: two processes never write the same database at once."""

from __future__ import annotations

import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evidence.database import lock as lock_module
from evidence.database.build import build
from evidence.database.lock import build_lock, lock_path
from evidence.errors import EvidenceError

DEADLINE = 60.0

# Holds the build lock of a database until its standard input is closed.
HOLDER = """\
import sys
from evidence.database.lock import build_lock
with build_lock(sys.argv[1]):
    print("held", flush=True)
    sys.stdin.read()
"""


def hold_lock(database: Path) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(database)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None
    assert holder.stdout.readline() == "held\n"
    return holder


def release(holder: subprocess.Popen) -> None:
    assert holder.stdin is not None
    holder.stdin.close()
    assert holder.wait(timeout=DEADLINE) == 0


def test_a_second_build_waits_for_the_first_and_says_so(project):
    database = project / "evidence.db"
    holder = hold_lock(database)
    waiting = subprocess.Popen([sys.executable, "-m", "evidence", "build", "--project",
                                str(project)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert waiting.stderr is not None
        line = waiting.stderr.readline()  # blocks until the build says it waits
        assert f"Another build holds {lock_path(database)}: waiting" in line
        time.sleep(0.5)
        assert waiting.poll() is None, "the build went on while the lock was held"
        assert not database.exists()
        release(holder)
        out, err = waiting.communicate(timeout=DEADLINE)
    finally:
        if holder.poll() is None:
            holder.kill()
        if waiting.poll() is None:
            waiting.kill()
    assert waiting.returncode == 0, err
    assert "Built" in out and database.exists()


def test_a_build_that_waits_too_long_fails_clearly(project):
    database = project / "evidence.db"
    holder = hold_lock(database)
    told: list[Path] = []
    try:
        with pytest.raises(EvidenceError) as raised:
            build(project, lock_timeout=0.3, on_wait=told.append)
    finally:
        release(holder)
    assert told == [lock_path(database)]
    message = str(raised.value)
    assert f"another build of {database} has held its lock ({lock_path(database)})" in message
    assert "build again" in message
    assert not database.exists()


def test_a_killed_build_leaves_no_lock_behind(project):
    database = project / "evidence.db"
    holder = hold_lock(database)
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=DEADLINE)
    told: list[Path] = []
    assert build(project, lock_timeout=DEADLINE, on_wait=told.append).built
    assert lock_path(database).exists()  # the file stays; the lock went with its holder
    assert told == []


# Holds the lock, then (told so on its standard input) builds under it, as a
# build that took the lock first does.
BUILDER = """\
import sys
from pathlib import Path
from evidence.database.build import _build_locked, build_inputs
from evidence.database.lock import build_lock
root = Path(sys.argv[1]); database = root / "evidence.db"
with build_lock(database):
    print("held", flush=True)
    sys.stdin.read()
    _build_locked(root, database, build_inputs(root), force=False, strict=False)
"""


def test_a_build_that_waited_for_a_build_of_the_same_inputs_writes_nothing(project):
    database = project / "evidence.db"
    first = subprocess.Popen([sys.executable, "-c", BUILDER, str(project)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert first.stdout is not None and first.stdout.readline() == "held\n"
    second = subprocess.Popen([sys.executable, "-m", "evidence", "build", "--project",
                               str(project)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert second.stderr is not None
        assert "waiting for it to finish" in second.stderr.readline()
        release(first)
        out, err = second.communicate(timeout=DEADLINE)
    finally:
        for process in (first, second):
            if process.poll() is None:
                process.kill()
    assert second.returncode == 0, err
    assert f"{database} is up to date." in out  # built by the first, not again


def test_the_lock_is_held_only_around_writing(project):
    """An up-to-date database takes no lock: `evidence build` with nothing
    changed answers even while another build is running."""
    database = build(project).database
    holder = hold_lock(database)
    try:
        assert not build(project, lock_timeout=0.01).built
    finally:
        release(holder)


# Holds a database's lock with the filelock library itself, as the Windows path
# of build_lock does, until its standard input is closed.
LIBRARY_HOLDER = """\
import sys
from filelock import FileLock
with FileLock(sys.argv[1]):
    print("held", flush=True)
    sys.stdin.read()
"""


def test_the_posix_lock_and_the_library_lock_exclude_each_other(tmp_path):
    """build_lock takes flock(2) itself where there is fcntl, and goes through
    filelock elsewhere; the two are one lock, so builds of either kind wait
    for each other."""
    database = tmp_path / "evidence.db"
    holder = subprocess.Popen([sys.executable, "-c", LIBRARY_HOLDER, str(lock_path(database))],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    told: list[Path] = []
    try:
        with pytest.raises(EvidenceError, match="has held its lock"), \
                build_lock(database, timeout=0.2, on_wait=told.append):
            pass
    finally:
        release(holder)
    assert told == [lock_path(database)]
    with build_lock(database, timeout=DEADLINE) as waited:
        assert waited is False


@pytest.mark.parametrize("posix", [True, False], ids=["flock", "filelock"])
def test_either_lock_keeps_a_second_holder_out_until_released(tmp_path, monkeypatch, posix):
    if not posix:
        monkeypatch.setattr(lock_module, "fcntl", None)  # as on Windows
    database = tmp_path / "evidence.db"
    with build_lock(database) as waited:
        assert waited is False
        other = subprocess.Popen([sys.executable, "-c", HOLDER, str(database)],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert other.stdout is not None
        try:
            readable, _, _ = select.select([other.stdout], [], [], 0.5)
            assert not readable, "a second holder got in while the lock was held"
        except BaseException:
            other.kill()
            raise
    assert other.stdout is not None and other.stdout.readline() == "held\n"
    release(other)
    with build_lock(database, timeout=0.2) as waited:  # released by the second holder too
        assert waited is False


def test_a_lock_file_that_cannot_be_opened_is_named(tmp_path):
    database = tmp_path / "missing" / "evidence.db"
    with pytest.raises(EvidenceError, match=r"cannot lock .*evidence\.db-lock for the build"), \
            build_lock(database):
        pass
