"""The editor's loop, second half: ``evidence check --guide G`` on one guide of 300 claims.

    .venv/bin/python benchmarks/bench_check.py [--runs 7] [--sources 3000] [--keep DIR]

Two projects from benchmarks/corpus.py sharing one references.bib (3,000
sources): the guide alone, and the same guide among 99 others of 100 claims.
For each, the command as the editor runs it, a process of its own, timed
from outside (wall and CPU seconds, median of several runs after one that
fills the cache, which is reported apart as the first check after every file
changed), with what it is made of:

- start: ``python -c pass``;
- imports: what the command imports before it reads a file;
- check: ``check_guides`` in-process, and of it references.bib (the entries
  the guide cites, or the whole file when its index is not cached);
- the full check of the project (what ``--guide`` did before: check
  everything, then filter), for comparison.

Prints figures, asserts nothing. ``measure(root, guide)`` returns them as a dict.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import bytecode

TARGET_S = 0.5  # issue 18
GUIDE = "guide-0001"
IMPORTS = ("import evidence.cli, evidence.check.scoped, evidence.check.report, "
           "evidence.check.run")


def _process(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, cpu) seconds of one run of a command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                   check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _median(command: list[str], env: dict[str, str], runs: int) -> dict:
    timings = [_process(command, env) for _ in range(runs)]
    return {"wall_s": statistics.median(t[0] for t in timings),
            "cpu_s": statistics.median(t[1] for t in timings),
            "wall_min_s": min(t[0] for t in timings)}


def _in_process(root: Path, guide: str, env: dict[str, str], runs: int) -> dict:
    """check_guides and its references.bib part, timed inside a fresh process each."""
    code = f"""
import json, sys, time
from pathlib import Path
from evidence.check import scoped
root = Path({str(root)!r})
started = time.perf_counter()
scoped.check_guides(root, [{guide!r}])
total = time.perf_counter() - started
project, _ = scoped.check_guides(root, [{guide!r}])
keys = {{l.source for g in project.guides for c in g.claims for l in c.evidence}}
started = time.perf_counter()
scoped._Bib(root).for_keys(keys)
bib = time.perf_counter() - started
print(json.dumps({{"check_s": total, "references_s": bib}}))
"""
    import json

    results = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env=env, check=True).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
    return {key: statistics.median(r[key] for r in results) for key in results[0]}


def measure(root: Path | str, guide: str = GUIDE, *, runs: int = 7,
            cache: Path | None = None) -> dict:
    """The figures of ``check --guide`` on one project (see the module)."""
    root = Path(root)
    with contextlib.ExitStack() as stack:
        if cache is None:
            cache = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-check-")))
        env = {**os.environ, "EVIDENCE_CACHE_DIR": str(cache)}
        command = [sys.executable, "-m", "evidence", "check", "--project", str(root),
                   "--guide", guide, "--format", "json"]
        first = _process(command, env)  # fills the cache: summaries and the index
        figures = {
            "target_s": TARGET_S,
            "guides": len([d for d in (root / "claims").iterdir() if d.is_dir()]),
            "first_wall_s": first[0], "first_cpu_s": first[1],
            "command": _median(command, env, runs),
            "start": _median([sys.executable, "-c", "pass"], env, runs),
            "start_and_imports": _median([sys.executable, "-c", IMPORTS], env, runs),
            **_in_process(root, guide, env, max(3, runs // 2)),
            "full_check": _median([sys.executable, "-m", "evidence", "check", "--project",
                                   str(root), "--format", "json"], env, max(1, runs // 3)),
        }
    figures["median_s"] = figures["command"]["wall_s"]
    figures["imports_s"] = figures["start_and_imports"]["wall_s"] - figures["start"]["wall_s"]
    return figures


def _projects(base: Path, sources: int, claims: int = 300, others: int = 99,
              other_claims: int = 100) -> dict[str, Path]:
    import corpus

    alone, among = base / "alone", base / f"among-{others}"
    if not alone.is_dir():
        corpus.generate(alone, guides=1, claims=claims, sources=sources)
    if not among.is_dir():
        corpus.generate(among, guides=others + 1, claims=other_claims, sources=sources)
        # The same references.bib (one seed), so the 300-claim guide takes guide-0001's place.
        assert (alone / "references.bib").read_bytes() == (among / "references.bib").read_bytes()
        shutil.rmtree(among / "claims" / GUIDE)
        shutil.copytree(alone / "claims" / GUIDE, among / "claims" / GUIDE)
    return {"alone": alone, f"among {others} others": among}


def main(argv: list[str] | None = None) -> int:
    bytecode.compile_package()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sources", type=int, default=3000)
    parser.add_argument("--claims", type=int, default=300, help="claims of the guide checked")
    parser.add_argument("--others", type=int, default=99, help="other guides beside it")
    parser.add_argument("--other-claims", type=int, default=100, help="claims of each other")
    parser.add_argument("--keep", type=Path, help="generate the projects here and keep them")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        base = args.keep or Path(stack.enter_context(tempfile.TemporaryDirectory(
            prefix="bench-check-")))
        base.mkdir(parents=True, exist_ok=True)
        projects = _projects(base, args.sources, args.claims, args.others, args.other_claims)
        for name, root in projects.items():
            f = measure(root, runs=args.runs)
            c = f["command"]
            print(f"check --guide {GUIDE} ({args.claims} claims, {args.sources} sources), {name} "
                  f"({f['guides']} guides):")
            print(f"  command      {c['wall_s']:.3f} s wall (min {c['wall_min_s']:.3f}), "
                  f"{c['cpu_s']:.3f} s CPU; target {TARGET_S} s")
            share = f["start_and_imports"]["wall_s"] / c["wall_s"]
            print(f"  start        {f['start']['wall_s']:.3f} s; imports {f['imports_s']:.3f} s "
                  f"(start and imports {share:.0%} of the command)")
            print(f"  check        {f['check_s']:.3f} s in-process, of it references.bib "
                  f"{f['references_s']:.3f} s (the entries the guide cites)")
            print(f"  first run    {f['first_wall_s']:.3f} s wall, {f['first_cpu_s']:.3f} s CPU "
                  "(fills the cache: every other guide read once, references.bib indexed)")
            print(f"  full check   {f['full_check']['wall_s']:.3f} s wall, "
                  f"{f['full_check']['cpu_s']:.3f} s CPU (every guide: what --guide did before)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
