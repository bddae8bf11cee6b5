"""`evidence build` at scale, measured against the floor SQLite itself sets.

    .venv/bin/python benchmarks/bench_build.py [--guides 1000] [--claims 100]
        [--sources 20000] [--keep DIR] [--json FILE]

1. Full build of a synthetic corpus (benchmarks/corpus.py), in a subprocess,
   against the floor: a bare ``sqlite3`` executemany load of the very rows the
   build wrote, into the same schema, then the same indexes and full-text
   index (the rows are read into memory first and not timed). Target: at most
   2x the floor, peak memory (ru_maxrss of the build process) at most 1 GB.
2. Rebuild with nothing changed (the ``evidence build`` process, imports
   included). Target: under 0.5 s.
3. Rebuild after editing one guide (corpus.edit_guide): only that guide's rows
   are written again. Target: at most 10% of the full build.

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


def evidence_build(root: Path, *extra: str) -> Child:
    return Child([PYTHON, "-c", "from evidence.cli import cli; cli()", "build",
                  "--project", str(root), *extra])


FLOOR_SCRIPT = r"""
import sqlite3, sys, time
source, target = sys.argv[1], sys.argv[2]
src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
tables = src.execute(
    "select name, sql from sqlite_master where type = 'table' and sql not like 'CREATE VIRTUAL%' "
    "and name not like 'sqlite_%' and name not like '%_fts_%'").fetchall()
indexes = [r[0] for r in src.execute(
    "select sql from sqlite_master where type = 'index' and sql is not null")]
fts = [r[0] for r in src.execute(
    "select sql from sqlite_master where type = 'table' and sql like 'CREATE VIRTUAL%'")]
rows = {name: src.execute(f"select * from [{name}]").fetchall() for name, _ in tables}
src.close()
started = time.perf_counter()
db = sqlite3.connect(target)
db.execute("pragma journal_mode = off")
db.execute("pragma synchronous = off")
for name, sql in tables:
    db.execute(sql)
for name, _ in tables:
    if rows[name]:
        db.executemany(f"insert into [{name}] values ({', '.join('?' * len(rows[name][0]))})",
                       rows[name])
for sql in indexes:
    db.execute(sql)
for sql in fts:
    db.execute(sql)
    name = sql.split("[", 1)[1].split("]", 1)[0]
    columns = sql.split("(", 1)[1].split(", tokenize", 1)[0]
    db.execute(f"insert into [{name}] (rowid, {columns}) select rowid, {columns} from [{name[:-4]}]")
db.commit()
db.close()
print(time.perf_counter() - started)
"""


def floor(database: Path, runs: int = 3) -> float:
    """Median seconds of the bare sqlite3 load of the database's rows."""
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs):
            target = Path(tmp) / "floor.db"
            if target.exists():
                target.unlink()
            _, _, out = run_child([PYTHON, "-c", FLOOR_SCRIPT, str(database), str(target)])
            times.append(float(out.strip()))
    return statistics.median(times)


def counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        return {t: conn.execute(f"select count(*) from [{t}]").fetchone()[0]
                for t in ("guides", "claims", "sources", "claim_sources", "findings")}


def measure(root: Path, *, guides: int, claims: int, sources: int, seed: int = 1,
            repeat: int = 3) -> dict:
    results: dict = {}
    if not (root / "references.bib").exists():
        started = time.perf_counter()
        made = corpus.generate(root, guides=guides, claims=claims, sources=sources, seed=seed)
        results["corpus"] = {"guides": made.guides, "claims": made.claims,
                             "sources": made.sources, "links": made.links,
                             "megabytes": round(made.bytes / 1e6, 1),
                             "seconds": round(time.perf_counter() - started, 2)}
    database = root / "evidence.db"
    for leftover in (database, root / "evidence.db-build.json"):
        if leftover.exists():
            leftover.unlink()

    child = evidence_build(root, "--force")
    full = child.seconds
    results["counts"] = counts(database)
    floor_s = floor(database, runs=repeat)
    results["full_build"] = {"seconds": round(full, 2), "floor_seconds": round(floor_s, 2),
                             "ratio": round(full / floor_s, 2), "target_ratio": FLOOR_TARGET,
                             "cpu_seconds": round(child.cpu_seconds, 2),
                             "peak_mb": round(child.tree_peak_mb),
                             "maxrss_mb": round(child.maxrss_mb),
                             "target_peak_mb": MEMORY_TARGET_MB}

    noop = [evidence_build(root).seconds for _ in range(repeat)]
    results["no_change"] = {"seconds": round(statistics.median(noop), 3),
                            "target_seconds": NOOP_TARGET_S}

    edits = []
    slugs = sorted(p.name for p in (root / "claims").iterdir())
    for number in range(repeat):
        corpus.edit_guide(root, slugs[(number + 1) * len(slugs) // (repeat + 1)],
                          seed=100 + number)
        edits.append(evidence_build(root).seconds)
    results["one_guide_edited"] = {"seconds": round(statistics.median(edits), 3),
                                   "share_of_full": round(statistics.median(edits) / full, 3),
                                   "target_share": EDIT_TARGET}
    return results


def report(results: dict) -> list[tuple[str, str, str, str]]:
    """(benchmark, figure, target, verdict) rows for a table."""
    full, noop, edit = results["full_build"], results["no_change"], results["one_guide_edited"]
    return [
        ("full build vs sqlite3 floor",
         (f"{full['seconds']:.1f} s vs {full['floor_seconds']:.1f} s = {full['ratio']:.1f}x"
          f" (CPU {full['cpu_seconds']:.1f} s)"),
         f"<= {FLOOR_TARGET:.0f}x", "met" if full["ratio"] <= FLOOR_TARGET else "not met"),
        ("full build peak memory", f"{full['peak_mb']} MB (all processes)",
         f"<= {MEMORY_TARGET_MB} MB",
         "met" if full["peak_mb"] <= MEMORY_TARGET_MB else "not met"),
        ("rebuild, nothing changed", f"{noop['seconds']:.2f} s", f"< {NOOP_TARGET_S} s",
         "met" if noop["seconds"] < NOOP_TARGET_S else "not met"),
        ("rebuild, one guide edited",
         f"{edit['seconds']:.2f} s = {edit['share_of_full'] * 100:.1f}% of full",
         f"<= {EDIT_TARGET * 100:.0f}%", "met" if edit["share_of_full"] <= EDIT_TARGET else "not met"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--guides", type=int, default=1000)
    parser.add_argument("--claims", type=int, default=100, help="claims per guide")
    parser.add_argument("--sources", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="project folder, kept (and reused) afterwards")
    parser.add_argument("--json", type=Path, help="write the figures as JSON here")
    args = parser.parse_args(argv)
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-build-"))
    try:
        results = measure(root, guides=args.guides, claims=args.claims, sources=args.sources,
                          repeat=args.repeat)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    for name, figure, target, verdict in report(results):
        print(f"{name:30s} {figure:40s} target {target:10s} {verdict}")
    print(f"on {os.cpu_count()} cores; rows: {results['counts']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
