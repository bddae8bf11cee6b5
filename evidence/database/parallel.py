"""Loading a large project on two cores: the same Project, sooner.

Reading the guides (YAML, Markdown, anchoring) is most of a full build and
each guide is independent of the others. :func:`load_project_parallel`
forks one worker that reads the later guides while this process reads
references.bib and the earlier ones; the worker sends its guides back
pickled (half of 1,000 guides pickle in half a second). Whatever goes wrong,
or any problem in the input, and the plain :func:`evidence.project.load_project`
runs instead: it reports every problem exactly as always. A test holds the
two results equal.

Only where ``fork`` exists (Linux, macOS) and there are at least two cores
and enough guides to be worth it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
from pathlib import Path

from evidence.errors import EvidenceError, Problem
from evidence.perf import collector_paused
from evidence.project import (
    CLAIMS_DIR,
    REFERENCES_FILE,
    Project,
    guide_dirs,
    load_guide_dir,
    load_project,
    unsafe_input,
)

MIN_GUIDES = 40
# The share of the guides this process reads: it also reads references.bib.
OWN_SHARE = 0.42


class _EveryKey:
    """The worker cannot see references.bib: every citekey passes there and
    the parent checks them all against the real file afterwards."""

    def __contains__(self, key) -> bool:
        return True

    def __iter__(self):
        return iter(())


def _worker(root: Path, directories: list[Path], conn) -> None:
    try:
        with collector_paused():
            homes: dict = {}
            guides = []
            for directory in directories:
                data, problems = load_guide_dir(root, directory, _EveryKey(), homes)
                if problems or data is None:
                    conn.send_bytes(pickle.dumps(("problems", None)))
                    return
                guides.append(data)
            conn.send_bytes(pickle.dumps(("guides", guides), protocol=pickle.HIGHEST_PROTOCOL))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which falls back
        with contextlib.suppress(Exception):
            conn.send_bytes(pickle.dumps(("error", repr(exc))))
    finally:
        conn.close()


def can_fork() -> bool:
    return ((os.cpu_count() or 1) >= 2 and "fork" in multiprocessing.get_all_start_methods()
            and not multiprocessing.current_process().daemon)  # daemons may have no children


def load_project_parallel(root: Path | str = ".") -> Project:
    """load_project(root) (strict), on two processes when that pays."""
    root = Path(root)
    directories = guide_dirs(root)
    if len(directories) < MIN_GUIDES or not can_fork() or not (root / CLAIMS_DIR).is_dir():
        return load_project(root)
    split = max(1, int(len(directories) * OWN_SHARE))
    own, theirs = directories[:split], directories[split:]
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    worker = context.Process(target=_worker, args=(root, theirs, send), daemon=True)
    try:
        worker.start()
    except (OSError, AssertionError):  # no process to be had: one will do
        receive.close()
        send.close()
        return load_project(root)
    send.close()
    project, kind, payload = None, None, None
    try:
        project = _load_own(root, own)
        if project is not None:
            kind, payload = pickle.loads(receive.recv_bytes())
    except (EvidenceError, EOFError, OSError, pickle.UnpicklingError):
        project = None
    finally:
        receive.close()
        if project is None or kind != "guides":
            worker.kill()
        worker.join()
    if project is None or kind != "guides":
        return load_project(root)  # raises InputError with every problem, in order
    guides = project.guides + payload
    # What the worker could not check: citekeys, and ids shared across the halves.
    seen: set[str] = set()
    for guide in guides:
        for claim in guide.claims:
            if claim.id in seen or any(link.source not in project.references
                                       for link in claim.evidence):
                return load_project(root)
            seen.add(claim.id)
    project.guides = guides
    return project


def _load_own(root: Path, directories: list[Path]) -> Project | None:
    """references.bib and the first guides, as load_project reads them; None on
    any problem (the full, serial load then reports them)."""
    from evidence.bib.references import load_references, validate_references

    references_path = root / REFERENCES_FILE
    if unsafe_input(references_path, root):
        return None
    references = load_references(references_path, validate=False)
    problems: list[Problem] = validate_references(references)
    if problems:
        return None
    homes: dict = {}
    guides = []
    for directory in directories:
        data, problems = load_guide_dir(root, directory, references, homes)
        if problems or data is None:
            return None
        guides.append(data)
    return Project(root, references, guides, [])
