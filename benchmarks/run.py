"""Every scale benchmark in one run, with a table of figures, ratios and targets.

    .venv/bin/python benchmarks/run.py [--keep DIR] [--json FILE] [--profile DIR]

1-3. bench_build.py: a synthetic corpus of 1,000 guides x 100 claims, 20,000
     sources and 250,000 links; the full build against the bare-sqlite3 floor
     with its peak memory; a rebuild with nothing changed; rebuilds after
     editing one guide.
4.   bench_references.py: ../shared/bench/cdl.bib through the project's loader
     against bibtexparser's own parse (skipped when the file is absent).
5.   Datasette on the built database (100,000 claims), as ``evidence serve
     --public`` serves it: the median latency of the overview, the claims page
     with its facets, a claim page and a search (bench_publish.py measures
     these and more pages; its measuring code is reused here).

With ``--profile DIR`` the full build also runs under py-spy and the
heaviest functions are printed (and the raw profile kept in DIR).
Runs in a few minutes on a 2-core machine; prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import bench_build
import bench_references

PAGE_TARGET_S = 0.3


def datasette_latency(database: Path, repeat: int = 9) -> dict:
    import bench_publish

    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        claim = conn.execute("select id from claims where supporting_sources > 1 "
                             "order by id limit 1").fetchone()[0]
    paths = [
        ("overview", "/"),
        ("claims page with its facets", "/evidence/claims"),
        ("claim page", f"/evidence/claims/{claim}"),
        ("search (claims, Danish prefix)", "/evidence/claims?_q=hase"),
        ("search page (claims and sources)", "/-/search?q=hase"),
    ]
    startup, results = asyncio.run(bench_publish.measure(database, True, paths, repeat))
    return {"startup_seconds": round(startup, 2), "repeat": repeat,
            "pages": {label: {"path": path, "median_seconds": round(median, 4),
                              "kilobytes": round(size / 1024)}
                      for label, path, median, size in results}}


def profile_build(root: Path, out: Path, top: int = 25) -> dict:
    """py-spy over a full build; the functions with the most samples, inclusive
    of what they call and on their own."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        return {}
    out.mkdir(parents=True, exist_ok=True)
    raw = out / "build-profile.txt"
    subprocess.run([spy, "record", "-r", "50", "--subprocesses", "-f", "raw", "-o", str(raw), "--",
                    sys.executable, "-c", "from evidence.cli import cli; cli()", "build",
                    "--force", "--project", str(root)], check=True, capture_output=True)
    inclusive, own, total = Counter(), Counter(), 0

    def label(frame: str) -> str:
        name, _, where = frame.partition(" (")
        return f"{name} ({where.split(':')[0].rsplit('/', 1)[-1]})"

    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        total += int(count)
        frames = stack.split(";")
        for frame in dict.fromkeys(label(f) for f in frames):
            inclusive[frame] += int(count)
        own[label(frames[-1])] += int(count)
    # The command line's own frames (click, the CLI wrapper) hold everything: skip them.
    frames = [(f, n) for f, n in inclusive.most_common()
              if not f.endswith(("(core.py)", "(cli.py)", "(<string>)"))]
    return {"inclusive": [(round(100 * n / total, 1), f) for f, n in frames[:top]],
            "self": [(round(100 * n / total, 1), f) for f, n in own.most_common(top)]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="project folder, kept and reused")
    parser.add_argument("--json", type=Path, help="write every figure as JSON here")
    parser.add_argument("--profile", type=Path, help="profile the full build, keep it here")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-run-"))
    results: dict = {"machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                                 "sqlite": sqlite3.sqlite_version}}
    try:
        results["build"] = bench_build.measure(root, guides=1000, claims=100, sources=20000,
                                               repeat=args.repeat)
        results["references"] = bench_references.measure(bench_references.CDL)
        results["datasette"] = datasette_latency(root / "evidence.db")
        if args.profile:
            results["profile"] = profile_build(root, args.profile)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    rows = bench_build.report(results["build"]) + bench_references.report(results["references"])
    for label, page in results["datasette"]["pages"].items():
        seconds = page["median_seconds"]
        rows.append((f"datasette: {label}", f"{seconds * 1000:.0f} ms median",
                     f"< {PAGE_TARGET_S * 1000:.0f} ms",
                     "met" if seconds < PAGE_TARGET_S else "not met"))
    width = max(len(r[1]) for r in rows)
    print(f"\n{'benchmark':46s} {'figure':{width}s}  {'target':10s} verdict")
    for name, figure, target, verdict in rows:
        print(f"{name:46s} {figure:{width}s}  {target:10s} {verdict}")
    counts = results["build"]["counts"]
    print(f"\n{counts['guides']:,} guides, {counts['claims']:,} claims, {counts['sources']:,} "
          f"sources, {counts['claim_sources']:,} links, {counts['findings']:,} findings; "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}; {time.perf_counter() - started:.0f} s in all")
    for kind, frames in results.get("profile", {}).items():
        print(f"\nprofile of the full build, {kind} time (py-spy, share of samples):")
        for share, frame in frames:
            print(f"{share:5.1f}%  {frame}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
