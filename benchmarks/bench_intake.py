"""Merging a reference manager's export into references.bib: time against size.

    .venv/bin/python benchmarks/bench_intake.py [--sizes 500 1000 2000]

For each size N: a references.bib of N entries and a BibTeX export of N
entries, half of them already present (by DOI, in another spelling, or by first
author, year and title), is read (``read_entries``), planned (``plan_merge``),
applied and written. The cost should grow with N, not N²: the per-entry time
printed should stay about flat. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def _entry(key: str, n: int, doi: str | None) -> str:
    doi_line = f"  doi = {{{doi}}},\n" if doi else ""
    return (f"@article{{{key},\n  author = {{Family{n}, A. and Other, B.}},\n"
            f"  title = {{Work number {n} on tendons}},\n  journal = {{J Tendon Res}},\n"
            f"  year = {{{2000 + n % 25}}},\n{doi_line}  metadatasource = {{manual}}\n}}\n\n")


def measure(size: int, folder: Path) -> dict:
    from evidence.bib.references import load_references
    from evidence.intake.formats import read_entries
    from evidence.intake.merge import plan_merge

    existing = "".join(_entry(f"have{n}", n, f"10.5555/have.{n}" if n % 2 else None)
                       for n in range(size))
    export = "".join(
        _entry(f"Have{n}", n, f"https://doi.org/10.5555/HAVE.{n}" if n % 2 else None)
        if n < size // 2 else _entry(f"new{n}", size + n, f"10.5555/new.{n}")
        for n in range(size))
    bib, source = folder / "references.bib", folder / "export.bib"
    bib.write_text(existing, encoding="utf-8")
    source.write_text(export, encoding="utf-8")
    refs = load_references(bib)
    started = time.perf_counter()
    _, entries = read_entries(source)
    read = time.perf_counter() - started
    started = time.perf_counter()
    plan = plan_merge(refs, entries, metadatasource="import bench")
    planned = time.perf_counter() - started
    started = time.perf_counter()
    plan.apply(refs)
    refs.write()
    written = time.perf_counter() - started
    return {"size": size, "added": len(plan.added), "read": read, "plan": planned,
            "write": written}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 1000, 2000])
    args = parser.parse_args(argv)
    print(f"{'entries':>8} {'added':>6} {'read s':>8} {'plan s':>8} {'apply+write s':>14} "
          f"{'ms/entry':>9}")
    with tempfile.TemporaryDirectory(prefix="bench-intake-") as scratch:
        for size in args.sizes:
            folder = Path(scratch) / str(size)
            folder.mkdir()
            r = measure(size, folder)
            total = r["read"] + r["plan"] + r["write"]
            print(f"{size:>8} {r['added']:>6} {r['read']:>8.3f} {r['plan']:>8.3f} "
                  f"{r['write']:>14.3f} {1000 * total / size:>9.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
