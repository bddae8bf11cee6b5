"""Every scale benchmark in one run, with a table of figures, ratios and targets.

    .venv/bin/python benchmarks/run.py [--shape NAME ...] [--repeat 3] [--keep DIR]
        [--json FILE] [--profile DIR]

1-3. bench_build.py, for every corpus shape of benchmarks/corpus.py (short,
     long, bib, links, large; ``--shape`` runs only the ones named): the full
     build against the floor of issue 18 (the same files parsed with the C
     YAML loader and bibtexparser, the same rows loaded with executemany,
     indexes and FTS included), its peak memory (the target applies at
     100,000 claims: the large shape), a rebuild with nothing changed, and
     rebuilds after editing one guide as a share of the full build.
4.   bench_references.py: ../shared/bench/cdl.bib through the project's loader
     against bibtexparser's own parse (skipped when the file is absent).
5.   Datasette on the built database (100,000 claims), as ``evidence serve
     --public`` serves it: the median latency of the overview, the claims page
     with its facets, a claim page and a search (bench_publish.py measures
     these and more pages; its measuring code is reused here).

6.   The editor's loop under ``serve --watch`` (from the file write to the new
     page served), when benchmarks/bench_watch.py exists: its ``measure()``
     returns a dict with ``seconds``; else "not measured".

4 and 5 run with the large shape (the default run, or ``--shape large``).
With ``--profile DIR`` each shape's full build also runs under py-spy: the
heaviest functions are printed, with the share of the check's
repeated-paragraph rule apart (the raw profiles are kept in DIR).
All shapes run in a few minutes on a 2-core machine; prints figures, asserts
nothing.
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
import bytecode
import corpus

PAGE_TARGET_S = 0.3
WATCH_TARGET_S = 1.0
# What the profile shows apart: the check's near-duplicate paragraph rule
# (being replaced by a set-similarity join; issue 18).
APART = "repeated_paragraphs (text.py)"


def watch_loop() -> dict | None:
    """The editor's loop (bench_watch.py): 100 guides x 100 claims, 3,000 sources,
    one claim edited under ``serve --watch``; the median from the write to the new
    page served, with its breakdown. None when bench_watch.py is absent."""
    try:
        import bench_watch  # type: ignore[import-not-found]
    except ImportError:
        return None
    import corpus

    try:
        with tempfile.TemporaryDirectory(prefix="run-watch-") as tmp:
            root = Path(tmp)
            corpus.generate(root, guides=100, claims=100, sources=3000)
            figures = bench_watch.measure(root)
        return figures | {"seconds": figures["median_s"]}
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - reported, not raised
        return {"error": f"{type(exc).__name__}: {exc}"}


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
    if raw.exists():
        raw.unlink()
    subprocess.run([spy, "record", "-r", "50", "--subprocesses", "-f", "raw", "-o", str(raw), "--",
                    *bench_build.evidence_command(), "build", "--force", "--project", str(root)], check=True, capture_output=True)
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
    # The command line's own frames (the script, its entry point, click, the CLI
    # wrapper) hold everything: skip them.
    frames = [(f, n) for f, n in inclusive.most_common()
              if not f.endswith(("(core.py)", "(cli.py)", "(__main__.py)", "(evidence)"))]
    return {"inclusive": [(round(100 * n / total, 1), f) for f, n in frames[:top]],
            "self": [(round(100 * n / total, 1), f) for f, n in own.most_common(top)],
            "apart": round(100 * inclusive[APART] / total, 1) if total else 0.0}


def main(argv: list[str] | None = None) -> int:
    bytecode.compile_package()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shape", action="append", choices=list(corpus.SHAPES),
                        help="run this shape only (again for more); default: every shape")
    parser.add_argument("--keep", type=Path,
                        help="keep each shape's project in DIR/<shape> (reused by the next run)")
    parser.add_argument("--json", type=Path, help="write every figure as JSON here")
    parser.add_argument("--profile", type=Path, help="profile each full build, keep it here")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    shapes = args.shape or list(corpus.SHAPES)
    results: dict = {"machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                                 "sqlite": sqlite3.sqlite_version,
                                 "load_average": os.getloadavg()},
                     "shapes": {}}
    for shape in shapes:
        root = (args.keep / shape) if args.keep else Path(tempfile.mkdtemp(prefix=f"bench-{shape}-"))
        root.mkdir(parents=True, exist_ok=True)
        try:
            print(f"{shape}: {corpus.SHAPES[shape].what} ...", file=sys.stderr, flush=True)
            figures = bench_build.measure(root, shape=shape, repeat=args.repeat)
            if args.profile:
                figures["profile"] = profile_build(root, args.profile / shape)
            if shape == "large":
                results["datasette"] = datasette_latency(root / "evidence.db")
            results["shapes"][shape] = figures
        finally:
            if not args.keep:
                shutil.rmtree(root, ignore_errors=True)
    if not args.shape or "large" in shapes:
        results["references"] = bench_references.measure(bench_references.CDL)
    results["watch"] = watch_loop()
    results["machine"]["load_average_after"] = os.getloadavg()

    print(f"\n{'shape':6s} {'build s':>8s} {'floor s':>8s} {'ratio':>6s} {'CPU ratio':>9s} "
          f"{'peak MB':>8s} {'edit %':>7s} {'work %':>7s} {'no-op s':>8s}  claims, sources, links")
    for shape, figures in results["shapes"].items():
        full, edit = figures["full_build"], figures["one_guide_edited"]
        counts = figures["counts"]
        print(f"{shape:6s} {full['seconds']:8.2f} {full['floor_seconds']:8.2f} "
              f"{full['ratio']:5.1f}x {full['cpu_seconds'] / full['floor_cpu_seconds']:8.1f}x "
              f"{full['peak_mb']:8d} {edit['share_of_full'] * 100:6.1f}% "
              f"{edit['work_share_of_full'] * 100:6.1f}% "
              f"{figures['no_change']['seconds']:8.2f}  {counts['claims']:,}, "
              f"{counts['sources']:,}, {counts['claim_sources']:,}")
    rows = []
    for shape, figures in results["shapes"].items():
        rows += [(f"{shape}: {name}", figure, target, verdict)
                 for name, figure, target, verdict in bench_build.report(figures)]
    if "references" in results:
        rows += bench_references.report(results["references"])
    for label, page in results.get("datasette", {}).get("pages", {}).items():
        seconds = page["median_seconds"]
        rows.append((f"datasette: {label}", f"{seconds * 1000:.0f} ms median",
                     f"< {PAGE_TARGET_S * 1000:.0f} ms",
                     "met" if seconds < PAGE_TARGET_S else "not met"))
    watch = results["watch"]
    if watch is None or "seconds" not in watch:
        rows.append(("watch loop: edit to new page served",
                     "not measured" + (f" ({watch['error']})" if watch else ""),
                     f"<= {WATCH_TARGET_S:.0f} s", ""))
    else:
        rows.append(("watch loop: edit to new page served", f"{watch['seconds']:.2f} s",
                     f"<= {WATCH_TARGET_S:.0f} s",
                     "met" if watch["seconds"] <= WATCH_TARGET_S else "not met"))
    width = max(len(r[1]) for r in rows)
    label = max(len(r[0]) for r in rows)
    print(f"\n{'benchmark':{label}s} {'figure':{width}s}  {'target':10s} verdict")
    for name, figure, target, verdict in rows:
        print(f"{name:{label}s} {figure:{width}s}  {target:10s} {verdict}")
    load = results["machine"]
    print(f"\n{os.cpu_count()} cores, Python {platform.python_version()}, SQLite "
          f"{sqlite3.sqlite_version}; load average {load['load_average'][0]:.1f} before, "
          f"{load['load_average_after'][0]:.1f} after; {time.perf_counter() - started:.0f} s in all")
    for shape, figures in results["shapes"].items():
        profile = figures.get("profile")
        if not profile:
            continue
        print(f"\n{shape}: profile of the full build (py-spy, share of samples); "
              f"{APART}: {profile['apart']:.1f}%, the rest {100 - profile['apart']:.1f}%")
        for kind in ("inclusive", "self"):
            print(f"  {kind}:")
            for share, frame in profile[kind]:
                print(f"  {share:5.1f}%  {frame}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
