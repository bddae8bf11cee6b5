"""Loading a large real references.bib, against bibtexparser's own parse of it.

    .venv/bin/python benchmarks/bench_references.py [--bib ../shared/bench/cdl.bib] [--json FILE]

Times ``evidence.bib.references.load_references`` (the project's loader: bibtexparser
with the round-trip middleware, then the index of sources, the snapshot for
splicing writes and the entry spans) and ``bibtexparser.parse_string`` with
its default stack, alternately, and reports the medians and their ratio.
Validation (DOIs, study designs) is timed on its own: it is not loading.
Target: the loader at most 1.1x bibtexparser (issue 18). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

CDL = HERE.parent.parent / "shared" / "bench" / "cdl.bib"
TARGET = 1.1


def measure(bib: Path, repeat: int = 5) -> dict | None:
    import bibtexparser

    from evidence.bib.references import load_references, validate_references

    if not bib.exists():
        return None
    text = bib.read_text(encoding="utf-8")
    ours, theirs, checks = [], [], []
    entries = 0
    for _ in range(repeat):
        started = time.perf_counter()
        library = bibtexparser.parse_string(text)
        theirs.append(time.perf_counter() - started)
        started = time.perf_counter()
        refs = load_references(bib, validate=False)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        validate_references(refs)
        checks.append(time.perf_counter() - started)
        entries = len(library.entries)
        del library, refs
    ours_s, theirs_s = statistics.median(ours), statistics.median(theirs)
    return {"file": str(bib), "entries": entries, "bibtexparser_seconds": round(theirs_s, 3),
            "load_references_seconds": round(ours_s, 3), "ratio": round(ours_s / theirs_s, 2),
            "validate_seconds": round(statistics.median(checks), 3), "target_ratio": TARGET}


def report(result: dict | None) -> list[tuple[str, str, str, str]]:
    if result is None:
        return [("load cdl.bib vs bibtexparser", "skipped: no ../shared/bench/cdl.bib", "", "")]
    return [("load cdl.bib vs bibtexparser",
             (f"{result['load_references_seconds']:.2f} s vs "
              f"{result['bibtexparser_seconds']:.2f} s = {result['ratio']:.2f}x"),
             f"<= {TARGET}x", "met" if result["ratio"] <= TARGET else "not met")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bib", type=Path, default=CDL)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    result = measure(args.bib, args.repeat)
    for name, figure, target, verdict in report(result):
        print(f"{name:30s} {figure:40s} target {target:10s} {verdict}")
    if result:
        print(f"{result['entries']} entries; validation on its own {result['validate_seconds']:.2f} s")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
