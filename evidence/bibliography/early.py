"""pandoc started before the command line is even parsed, for a repeated
``evidence bibliography`` (issue 18).

Before the command can start pandoc it imports click, the CLI and the
formatting code, reads references.bib and resolves the style: about 40 ms of
a 1,000-entry ``--all`` that pandoc itself formats in about 0.3 s. When the
same command line, in the same folder, last made a pandoc call that reads
only kept files (the pandoc file of every item, :mod:`csl_cache`, and a style
file), and references.bib is as it was then, :func:`start` starts that call
first of all (``python -m evidence`` and the ``evidence`` script), so pandoc
formats while Python imports and reads.

Nothing is taken on trust: the command computes its pandoc call as always
and takes the early process (:func:`take`) only when the call is exactly the
same; the kept files it names are named after their content, so the same
call formats the same items in the same style. Otherwise, or when the command
never asks (another selection, an error first), the early process is stopped
and its output never read. :func:`remember` writes down the call for the next
run. Anything unexpected here means no early start, never an error: the
command then does what it does without it.

Only the standard library is imported here, and little of it.
"""

from __future__ import annotations

import atexit
import json
import os
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

from evidence.bibliography.cache import cache_folders, private

if TYPE_CHECKING:
    import subprocess  # imported where pandoc starts: every other command runs without it

_FORMAT = "evidence early pandoc 1"
KEEP = 32  # records kept
CITE_ALL = b"---\nnocite: '@*'\n---\n"  # pandoc's stdin: a document citing every item

_key: list[str] | None = None  # this process's folder and command line, once start ran
_started: tuple[list[str], subprocess.Popen] | None = None  # the call and its process


def start(argv: list[str]) -> None:
    """Start the pandoc call the last run of this command line made, if it
    still applies (see the module's docstring). ``argv``: sys.argv."""
    global _key, _started
    if argv[1:2] != ["bibliography"]:
        return
    try:
        _key = [os.getcwd(), *argv[1:]]
        record = _read_record(_key)
        if record is None or not _still_applies(record):
            return
        args = record["args"]
        _started = (args, start_pandoc(args))
        atexit.register(_stop_untaken)
    except Exception:  # noqa: BLE001 - an early start is only ever a head start
        _started = None


def take(args: list[str]) -> subprocess.Popen | None:
    """The early pandoc process if it runs exactly ``args``, else None (and it
    is stopped)."""
    global _started
    started, _started = _started, None
    if started is None:
        return None
    early_args, process = started
    if early_args == args:
        return process
    _stop(process)
    return None


def remember(args: list[str], references_bib: Path, kept_files: list[Path]) -> None:
    """Write down ``args``, a pandoc call reading only ``kept_files`` (their
    names follow their content), as the call of this process's command line
    (only when :func:`start` ran: not for the CLI called from Python)."""
    if _key is None:
        return
    try:
        stat = references_bib.stat()
        record = {"format": _FORMAT, "key": _key, "args": args,
                  "references": [str(references_bib.resolve()), stat.st_size,
                                 stat.st_mtime_ns],
                  "files": [str(path) for path in kept_files]}
        if _read_record(_key) == record:
            return
        _write_record(_name(_key), json.dumps(record))
    except (OSError, ValueError):
        pass  # the next run starts pandoc after its imports, as without this module


def _name(key: list[str]) -> str:
    return f"{zlib.crc32(json.dumps(key).encode()):08x}.json"


def _read_record(key: list[str]) -> dict | None:
    for folder in cache_folders("calls"):
        path = folder / _name(key)
        if not private(path):
            continue  # (a record is a command to run: only this user's own)
        try:
            record = json.loads(path.read_bytes())
        except (OSError, ValueError):
            continue
        if isinstance(record, dict) and record.get("format") == _FORMAT \
                and record.get("key") == key:
            return record
        return None
    return None


def _still_applies(record: dict) -> bool:
    """references.bib unchanged in size and time, and the kept files there."""
    path, size, mtime_ns = record["references"]
    stat = os.stat(path)
    if (stat.st_size, stat.st_mtime_ns) != (size, mtime_ns):
        return False
    return all(os.path.isfile(name) for name in [record["args"][0], *record["files"]])


def _write_record(name: str, text: str) -> None:
    import tempfile

    for folder in cache_folders("calls"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(text)
                os.replace(tmp, folder / name)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        except OSError:
            continue
        _prune(folder)
        return


def _prune(folder: Path) -> None:
    """Keep the newest :data:`KEEP` records (one per command line and folder)."""
    try:
        records = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns,
                         reverse=True)
        for old in records[KEEP:]:
            old.unlink()
    except OSError:
        pass


def start_pandoc(args: list[str]) -> subprocess.Popen:
    """pandoc, started with :data:`CITE_ALL` as its whole stdin: a pipe written
    and closed before it starts (the bytes fit its buffer), so nothing is left
    to write to it later."""
    read, write = os.pipe()
    try:
        os.write(write, CITE_ALL)
    finally:
        os.close(write)
    import subprocess

    try:
        return subprocess.Popen(args, stdin=read, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
    finally:
        os.close(read)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
    process.communicate()


def _stop_untaken() -> None:
    global _started
    if _started is not None:
        _stop(_started[1])
        _started = None
