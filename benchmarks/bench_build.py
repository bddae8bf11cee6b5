"""`evidence build` at scale, measured against the floor SQLite itself sets.

    .venv/bin/python benchmarks/bench_build.py [--shape large] [--guides N] [--claims N]
        [--sources N] [--repeat 3] [--keep DIR] [--json FILE]

1. Full build (``evidence build --force``, a fresh process) of a synthetic
   corpus of the chosen shape (benchmarks/corpus.py), against the floor of
   issue 18 (FLOOR_SCRIPT below): the same files parsed with the C YAML
   loader and bibtexparser, then the very rows the build wrote loaded with
   ``executemany`` into the same schema, the same indexes and full-text
   indexes included (the rows are read into memory first and not timed).
   Builds and floors alternate, ``--repeat`` of each; medians. Target: at
   most 2x the floor; peak memory (the build's process tree) at most 1 GB at
   100,000 claims.
2. Rebuild with nothing changed (the ``evidence build`` process, imports
   included). Target: under 0.5 s.
3. Rebuild after editing one guide (corpus.edit_guide): only that guide's rows
   are written again. Target: at most 10% of the full build. Measured twice:
   as a fresh ``evidence build`` process against the full build's process,
   and as the build's own work, the call to build() after the imports
   (WORK_SCRIPT), against a full build measured the same way: a process's
   start and imports, about 0.1 s whatever the corpus, are a tenth of a small
   corpus's full build, and serve --watch's build worker does not pay them.

Every ratio is of figures measured in the same run, on the same machine,
so a busy machine shifts both sides. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

import bytecode
import corpus

PYTHON = sys.executable
FLOOR_TARGET, MEMORY_TARGET_MB, NOOP_TARGET_S, EDIT_TARGET = 2.0, 1024, 0.5, 0.10


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and its descendants, in KiB (from /proc)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(status.split("VmRSS:", 1)[1].split()[0])
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
    return total


class Child:
    """A finished child process: its wall and CPU seconds, peak memory, output."""

    def __init__(self, args: list[str], cwd: Path | None = None):
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            started = time.perf_counter()
            proc = subprocess.Popen(args, cwd=cwd, stdout=out, stderr=err, text=True)
            peak = [0]
            stop = threading.Event()

            def sample():  # the whole tree: a build may fork a worker
                while not stop.wait(0.05):
                    peak[0] = max(peak[0], _tree_rss_kb(proc.pid))

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            _, status, usage = os.wait4(proc.pid, 0)
            self.seconds = time.perf_counter() - started
            stop.set()
            sampler.join()
            proc.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            self.output = out.read()
            if proc.returncode:
                raise SystemExit(f"{' '.join(args)} failed:\n{self.output}\n{err.read()}")
        # ru_maxrss of the process (and the largest of its children, not their sum);
        # the sampled sum over the process tree (shared pages count twice).
        self.maxrss_mb = usage.ru_maxrss / 1024
        self.tree_peak_mb = max(peak[0] / 1024, self.maxrss_mb)
        self.cpu_seconds = usage.ru_utime + usage.ru_stime


def run_child(args: list[str], cwd: Path | None = None) -> tuple[float, float, str]:
    child = Child(args, cwd)
    return child.seconds, child.maxrss_mb, child.output


def evidence_command() -> list[str]:
    """The command an editor types: the ``evidence`` script installed beside this
    Python (its entry point, evidence.__main__:main, is what every measured
    process runs, not click's cli() called some other way), else ``python -m
    evidence``, which runs the same function."""
    script = Path(PYTHON).with_name("evidence")
    return [str(script)] if script.exists() else [PYTHON, "-m", "evidence"]


def evidence_build(root: Path, *extra: str) -> Child:
    return Child([*evidence_command(), "build", "--project", str(root), *extra])


# The build's own work, apart from Python's start and evidence's imports (about
# 0.1 s, whatever the corpus): a fresh process imports every module a build
# uses, then times the call to build() alone, with nothing else warmed up.
# The collector is off, as the `evidence` script leaves it for a build
# (evidence/__main__.py): with it on, the large shape's rebuild measured twice
# the whole process's time (collections walking the imported modules' objects).
WORK_SCRIPT = r"""
import gc, sys, time
gc.disable()
import evidence.check.run, evidence.database.build, evidence.database.incremental
import evidence.database.lock, evidence.database.previous, evidence.database.reach
import evidence.database.write
started = time.perf_counter()
result = evidence.database.build.build(sys.argv[1], force=sys.argv[2] == "force")
print(time.perf_counter() - started, int(result.incremental))
"""


def build_work(root: Path, *, force: bool) -> float:
    """Seconds inside build() (WORK_SCRIPT) in a fresh process; a rebuild that
    is not incremental is an error of the benchmark."""
    output = Child([PYTHON, "-c", WORK_SCRIPT, str(root), "force" if force else "-"]).output
    seconds, incremental = output.split()
    if not force and incremental != "1":
        raise SystemExit(f"the rebuild of {root} after one guide's edit was not incremental")
    return float(seconds)


# The floor (issue 18): what a bare script must do at the least to go from the
# same files to the same rows, in one process and on one core. It parses every
# claims.yaml with libyaml's C loader (yaml.CSafeLoader: plain dicts, no line
# numbers, no YAML 1.2 rules), reads every guide.md, parses references.bib with
# bibtexparser's parse_string (its default middleware), and then loads the very
# rows the build wrote with executemany into the same tables, followed by the
# same indexes and the same FTS5 statements (exact and folded), all in one transaction with the journal and
# fsync off, as the build does. The rows are read from the build's database
# before the clock starts (making them from the parsed files is the build's
# work: anchoring, grading, the check). Collection is paused, as in the build.
# What the floor leaves out and the build must do: guide.md parsed into
# sections and blocks, quotes anchored, claims validated with line numbers,
# sources decoded (LaTeX, names, CSL), the editorial check, the foreign-key
# check and ANALYZE, Python's start and evidence's imports.
FLOOR_SCRIPT = r"""
import gc, json, sqlite3, sys, time
project, source, target = sys.argv[1], sys.argv[2], sys.argv[3]
fts = json.loads(sys.argv[4])  # the build's own FTS statements, in its order
src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
tables = src.execute(
    "select name, sql from sqlite_master where type = 'table' and sql not like 'CREATE VIRTUAL%' "
    "and name not like 'sqlite_%' and name not like '%_fts_%'").fetchall()
indexes = [r[0] for r in src.execute(
    "select sql from sqlite_master where type = 'index' and sql is not null")]
rows = {name: src.execute(f"select * from [{name}]").fetchall() for name, _ in tables}
src.close()
gc.disable()
started, cpu_started = time.perf_counter(), time.process_time()
from pathlib import Path
import bibtexparser
import yaml
root = Path(project)
parsed = []
for folder in sorted((root / "claims").iterdir()):
    parsed.append((yaml.load((folder / "claims.yaml").read_bytes(), Loader=yaml.CSafeLoader),
                   (folder / "guide.md").read_bytes().decode("utf-8")))
yaml_done = time.perf_counter()
library = bibtexparser.parse_string((root / "references.bib").read_text(encoding="utf-8"))
assert len(library.entries) == len(rows["sources"]), "references.bib and the sources differ"
bib_done = time.perf_counter()
db = sqlite3.connect(target)
db.execute("pragma journal_mode = off")
db.execute("pragma synchronous = off")
db.execute("pragma cache_size = -65536")
for name, sql in tables:
    db.execute(sql)
for name, _ in tables:
    if rows[name]:
        db.executemany(f"insert into [{name}] values ({', '.join('?' * len(rows[name][0]))})",
                       rows[name])
inserted = time.perf_counter()
for sql in indexes:
    db.execute(sql)
for sql in fts:
    db.execute(sql)
db.commit()
db.close()
done = time.perf_counter()
print(done - started, yaml_done - started, bib_done - yaml_done, inserted - bib_done,
      done - inserted, time.process_time() - cpu_started)
"""


def fts_statements() -> list[str]:
    """The build's full-text statements (both indexes of claims and sources)."""
    from evidence.database.fts import fts_statements as statements

    return statements()


FLOOR_PARTS = ("claims.yaml and guide.md", "references.bib", "inserts", "indexes and FTS")


def floor(root: Path, database: Path, runs: int = 3) -> tuple[float, dict[str, float]]:
    """Median seconds of the floor (FLOOR_SCRIPT) on the project and the rows
    its build wrote, and the median of each of its parts."""
    times: list[list[float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs):
            target = Path(tmp) / "floor.db"
            if target.exists():
                target.unlink()
            _, _, out = run_child([PYTHON, "-c", FLOOR_SCRIPT, str(root), str(database),
                                   str(target), json.dumps(fts_statements())])
            times.append([float(t) for t in out.split()])
    total = statistics.median(t[0] for t in times)
    cpu = statistics.median(t[-1] for t in times)
    parts = {name: round(statistics.median(t[i + 1] for t in times), 2)
             for i, name in enumerate(FLOOR_PARTS)}
    parts["cpu"] = round(cpu, 2)
    return total, parts


def counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        return {t: conn.execute(f"select count(*) from [{t}]").fetchone()[0]
                for t in ("guides", "claims", "sources", "claim_sources", "findings")}


def measure(root: Path, *, shape: str = corpus.DEFAULT_SHAPE, guides: int | None = None,
            claims: int | None = None, sources: int | None = None, seed: int = 1,
            repeat: int = 3) -> dict:
    """Every figure of one shape's corpus (generated into ``root`` unless there)."""
    results: dict = {"shape": shape}
    if not (root / "references.bib").exists():
        started = time.perf_counter()
        made = corpus.generate_shape(root, shape, guides=guides, claims=claims, sources=sources,
                                     seed=seed)
        results["corpus"] = {"guides": made.guides, "claims": made.claims,
                             "sources": made.sources, "links": made.links,
                             "megabytes": round(made.bytes / 1e6, 1),
                             "seconds": round(time.perf_counter() - started, 2)}
    database = root / "evidence.db"
    for leftover in (database, root / "evidence.db-build.json"):
        if leftover.exists():
            leftover.unlink()

    # Builds and floors in turn (B F B F ...), so that a drift of the shared
    # machine's speed reaches both; the medians, and the ratio of each pair.
    builds: list[Child] = []
    floors: list[tuple[float, dict[str, float]]] = []
    for _ in range(max(1, repeat)):
        builds.append(evidence_build(root, "--force"))
        floors.append(floor(root, database, runs=1))
    full = statistics.median(b.seconds for b in builds)
    floor_s = statistics.median(f[0] for f in floors)
    floor_parts = {name: round(statistics.median(f[1][name] for f in floors), 2)
                   for name in (*FLOOR_PARTS, "cpu")}
    results["counts"] = counts(database)
    results["full_build"] = {"seconds": round(full, 2), "floor_seconds": round(floor_s, 2),
                             "floor_parts": floor_parts,
                             "ratio": round(full / floor_s, 2), "target_ratio": FLOOR_TARGET,
                             "pair_ratios": [round(b.seconds / f[0], 2)
                                             for b, f in zip(builds, floors)],
                             "cpu_seconds": round(statistics.median(b.cpu_seconds
                                                                    for b in builds), 2),
                             "floor_cpu_seconds": floor_parts.pop("cpu"),
                             "peak_mb": round(max(b.tree_peak_mb for b in builds)),
                             "maxrss_mb": round(max(b.maxrss_mb for b in builds)),
                             "target_peak_mb": MEMORY_TARGET_MB,
                             "memory_target_applies": results["counts"]["claims"] >= 100_000}

    noop = [evidence_build(root).seconds for _ in range(repeat)]
    results["no_change"] = {"seconds": round(statistics.median(noop), 3),
                            "target_seconds": NOOP_TARGET_S}

    edits, works = [], []
    slugs = sorted(p.name for p in (root / "claims").iterdir())
    for number in range(repeat):
        slug = slugs[(number + 1) * len(slugs) // (repeat + 1)]
        corpus.edit_guide(root, slug, seed=100 + number)
        edits.append(evidence_build(root).seconds)
        corpus.edit_guide(root, slug, seed=200 + number)
        works.append(build_work(root, force=False))
    # The full build's own work once (it is long enough for one run to tell),
    # after the edits, on the same corpus.
    full_work = build_work(root, force=True)
    edit_work = statistics.median(works)
    results["one_guide_edited"] = {"seconds": round(statistics.median(edits), 3),
                                   "share_of_full": round(statistics.median(edits) / full, 3),
                                   "work_seconds": round(edit_work, 3),
                                   "full_work_seconds": round(full_work, 2),
                                   "work_share_of_full": round(edit_work / full_work, 3),
                                   "target_share": EDIT_TARGET}
    return results


def report(results: dict) -> list[tuple[str, str, str, str]]:
    """(benchmark, figure, target, verdict) rows for a table."""
    full, noop, edit = results["full_build"], results["no_change"], results["one_guide_edited"]
    memory_verdict = (("met" if full["peak_mb"] <= MEMORY_TARGET_MB else "not met")
                      if full.get("memory_target_applies", True) else "(at 100,000 claims)")
    return [
        ("full build vs floor",
         (f"{full['seconds']:.1f} s vs {full['floor_seconds']:.1f} s = {full['ratio']:.1f}x"
          f" (CPU {full['cpu_seconds']:.1f} vs {full['floor_cpu_seconds']:.1f} s = "
          f"{full['cpu_seconds'] / full['floor_cpu_seconds']:.1f}x)"),
         f"<= {FLOOR_TARGET:.0f}x", "met" if full["ratio"] <= FLOOR_TARGET else "not met"),
        ("full build peak memory", f"{full['peak_mb']} MB (all processes)",
         f"<= {MEMORY_TARGET_MB} MB", memory_verdict),
        ("rebuild, nothing changed", f"{noop['seconds']:.2f} s", f"< {NOOP_TARGET_S} s",
         "met" if noop["seconds"] < NOOP_TARGET_S else "not met"),
        ("rebuild, one guide edited (a fresh process)",
         f"{edit['seconds']:.2f} s = {edit['share_of_full'] * 100:.1f}% of full",
         f"<= {EDIT_TARGET * 100:.0f}%", "met" if edit["share_of_full"] <= EDIT_TARGET else "not met"),
        ("rebuild, one guide edited (the build's work)",
         f"{edit['work_seconds']:.2f} s = {edit['work_share_of_full'] * 100:.1f}% of "
         f"{edit['full_work_seconds']:.2f} s",
         f"<= {EDIT_TARGET * 100:.0f}%",
         "met" if edit["work_share_of_full"] <= EDIT_TARGET else "not met"),
    ]


def main(argv: list[str] | None = None) -> int:
    bytecode.compile_package()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shape", choices=sorted(corpus.SHAPES), default=corpus.DEFAULT_SHAPE,
                        help="the corpus's shape (benchmarks/corpus.py), which sets the "
                             f"defaults of the sizes (default {corpus.DEFAULT_SHAPE})")
    parser.add_argument("--guides", type=int, help="default: the shape's")
    parser.add_argument("--claims", type=int, help="claims per guide (default: the shape's)")
    parser.add_argument("--sources", type=int, help="default: the shape's")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="project folder, kept (and reused) afterwards")
    parser.add_argument("--json", type=Path, help="write the figures as JSON here")
    args = parser.parse_args(argv)
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-build-"))
    try:
        results = measure(root, shape=args.shape, guides=args.guides, claims=args.claims,
                          sources=args.sources, repeat=args.repeat)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    for name, figure, target, verdict in report(results):
        print(f"{name:30s} {figure:40s} target {target:10s} {verdict}")
    parts = ", ".join(f"{k} {v:.2f} s" for k, v in results["full_build"]["floor_parts"].items())
    print(f"floor: {parts}")
    print(f"shape {args.shape} on {os.cpu_count()} cores; rows: {results['counts']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
