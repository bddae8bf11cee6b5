"""Benchmark: format 1,000 entries of cdl.bib in AMA, APA and NLM.

Prints, per style, entries per second of the engine (evidence.bibliography.make:
CSL-JSON in, plain text out, one pandoc run) and its ratio to a bare pandoc
call on the same CSL-JSON file (``pandoc -f csljson -t plain --citeproc``);
the target is a ratio of at most 1.3. The BibTeX to CSL-JSON conversion is
timed on its own. Then the whole command, as a user runs it: ``evidence
bibliography --all`` on a project of those entries, a process from start to
exit, against the pandoc call it makes (the same CSL-JSON, style and output
format), wall and CPU seconds of both processes, target 1.3, and against the
call it made before (the items as pandoc's input, ``-f csljson``). The
warm-up run keeps the CSL-JSON of references.bib (csl_cache), as any second
run does. Medians of several runs after a warm-up, the commands in turn.

    .venv/bin/python benchmarks/bench_bibliography.py [--entries 1000] [--runs 5] [--styles AMA,NLM]

A script that prints figures, never a timed test.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import bytecode

from evidence.bib.csl import source_to_csl
from evidence.bib.references import load_references
from evidence.bibliography.formatting import format_items, pandoc_executable
from evidence.bibliography.styles import resolve_style

CDL = REPO.parent / "shared" / "bench" / "cdl.bib"
STYLES = {"AMA": "american-medical-association", "APA": "apa",
          "NLM": "nlm-citation-sequence"}


def cpu_now() -> float:
    """CPU seconds used so far by this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(func) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), cpu_now()
    func()
    return time.perf_counter() - wall, cpu_now() - cpu


def compare(bare, engine, runs: int) -> dict[str, tuple[float, float]]:
    """Median wall and CPU seconds of each, runs interleaved so that a machine
    whose load changes meanwhile weighs on both alike."""
    bare(), engine()  # warm-up: caches, pages, the style file
    results = {"bare": [], "engine": []}
    for _ in range(runs):
        results["bare"].append(measure(bare))
        results["engine"].append(measure(engine))
    return {name: (statistics.median(w for w, _ in values),
                   statistics.median(c for _, c in values))
            for name, values in results.items()}


def main() -> int:
    bytecode.compile_package()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bib", type=Path, default=CDL)
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--styles", default=",".join(STYLES),
                        help="which of the styles to time (APA takes pandoc ~30 s a run)")
    args = parser.parse_args()
    if not args.bib.is_file():
        print(f"{args.bib} is not present", file=sys.stderr)
        return 1

    start = time.perf_counter()
    refs = load_references(args.bib, validate=False)
    parsed = time.perf_counter() - start
    sources = refs.sources[: args.entries]
    start = time.perf_counter()
    items = [source_to_csl(s) for s in sources]
    converted = time.perf_counter() - start
    n = len(items)
    print(f"{args.bib.name}: parsed {len(refs.sources)} entries in {parsed:.2f} s; "
          f"BibTeX -> CSL-JSON of {n} entries in {converted:.2f} s "
          f"({n / converted:,.0f} entries/s)")
    pandoc = pandoc_executable()
    version = subprocess.run([pandoc, "--version"], capture_output=True, text=True,
                             check=True).stdout.split("\n")[0]
    print(f"{version}; median of {args.runs} runs after a warm-up\n")

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "refs.json"
        data.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
        print(f"{'style':6} {'engine s':>9} {'entries/s':>10} {'bare pandoc s':>14} "
              f"{'ratio':>6} {'CPU ratio':>10}  target <= 1.3")
        worst = 0.0
        for label, name in STYLES.items():
            if label not in args.styles.split(","):
                continue
            style = resolve_style(name)

            def bare(style=style):
                subprocess.run([pandoc, "-f", "csljson", "-t", "plain", "--citeproc",
                                "--csl", str(style.path), str(data)],
                               capture_output=True, check=True)

            def engine(style=style):
                text = format_items(items, style).as_text()
                assert text.count("\n") == n

            timing = compare(bare, engine, args.runs)
            (engine_wall, engine_cpu), (bare_wall, bare_cpu) = timing["engine"], timing["bare"]
            ratio, cpu_ratio = engine_wall / bare_wall, engine_cpu / bare_cpu
            worst = max(worst, ratio)
            print(f"{label:6} {engine_wall:9.3f} {n / engine_wall:10,.0f} {bare_wall:14.3f} "
                  f"{ratio:6.2f} {cpu_ratio:10.2f}  {'ok' if ratio <= 1.3 else 'OVER'}")
        print(f"\nworst wall-clock ratio {worst:.2f}; load average now "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        whole_command(refs, sources, Path(tmp), pandoc, args.runs)
    return 0


def run_process(command: list[str], stdin: bytes | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of one process, from start to exit."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, input=stdin, capture_output=True, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def whole_command(refs, sources, tmp: Path, pandoc: str, runs: int) -> None:
    """`evidence bibliography --all` as a process against the pandoc call it makes."""
    from evidence.bibliography import csl_cache
    from evidence.bibliography.bibtex_export import to_bibtex
    from evidence.bibliography.early import CITE_ALL
    from evidence.bibliography.formatting import _for_pandoc, pandoc_arguments

    project = tmp / "project"
    (project / "claims").mkdir(parents=True)
    (project / "references.bib").write_text(to_bibtex(sources, refs), encoding="utf-8")
    command = [sys.executable, "-m", "evidence", "bibliography", "--project", str(project),
               "--all"]
    run_process(command)  # warm-up: the CSL-JSON kept for these bytes, and its pandoc file
    items = json.loads(subprocess.run(command + ["-f", "csl-json"], capture_output=True,
                                      check=True).stdout)
    payload = json.dumps([_for_pandoc(i) for i in items], ensure_ascii=False).encode()
    # The call the command makes (formatting.pandoc_arguments): the kept pandoc file
    # of every item as pandoc's bibliography, a document citing them all on stdin;
    # and the call it made before 2026-12-02, the items as pandoc's input.
    kept = csl_cache.for_pandoc((project / "references.bib").read_bytes())
    assert kept is not None and kept.read_bytes() == payload, "no kept pandoc file"
    style = resolve_style("loeberlab")
    calls = {
        "pandoc": (pandoc_arguments(kept, style, None), CITE_ALL),
        "pandoc -f csljson": ([pandoc, "-f", "csljson", "-t", "json", "--citeproc", "--csl",
                               str(style.path)], payload),
    }
    for call, stdin in calls.values():  # warm-up
        run_process(call, stdin)
    timings: dict[str, list[tuple[float, float]]] = {"command": [], **{k: [] for k in calls}}
    for _ in range(runs):
        timings["command"].append(run_process(command))
        for name, (call, stdin) in calls.items():
            timings[name].append(run_process(call, stdin))
    medians = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
               for k, v in timings.items()}
    (cmd_wall, cmd_cpu), (pan_wall, pan_cpu) = medians["command"], medians["pandoc"]
    old_wall, old_cpu = medians["pandoc -f csljson"]
    print(f"\nthe whole command, {len(items)} entries in the house style (loeberlab), "
          f"as processes:")
    print(f"  evidence bibliography --all  {cmd_wall:.3f} s wall, {cmd_cpu:.3f} s CPU")
    print(f"  the pandoc call it makes     {pan_wall:.3f} s wall, {pan_cpu:.3f} s CPU")
    print(f"  pandoc -f csljson (before)   {old_wall:.3f} s wall, {old_cpu:.3f} s CPU")
    ratio = cmd_wall / pan_wall
    print(f"  ratio {ratio:.2f} wall, {cmd_cpu / pan_cpu:.2f} CPU  target <= 1.3  "
          f"{'ok' if ratio <= 1.3 else 'OVER'}; against pandoc -f csljson "
          f"{cmd_wall / old_wall:.2f} wall, {cmd_cpu / old_cpu:.2f} CPU; "
          f"load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    sys.exit(main())
