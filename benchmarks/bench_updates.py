"""Benchmark: the nightly ``evidence resolve --updates`` over 6,315 DOIs, within
Crossref's limits.

A loopback Crossref-shaped server (its own process) holds a work for every DOI,
announces a pool's limits in the ``x-rate-limit-*`` and ``x-concurrency-limit``
headers and enforces them: a request above the rate (in any 1 s) or above the
concurrency is answered 429 with ``Retry-After``. Every response takes
``--latency`` seconds. The real command runs as a subprocess (``python -m
evidence resolve --updates``), once in the public pool (5/s, 1 at a time: no
mailto) and once in the polite pool (10/s, 3 at a time: ``EVIDENCE_MAILTO``).
Every 100th work carries a retraction, so the run writes references.bib too.

The entries are ../shared/bench/cdl.bib's 6,315 when it is present (it has no
DOIs: each entry is given a generated one, so the file keeps its real shape),
else 6,315 generated entries. Prints, per pool: the wall time, the requests the
server received, how many it refused (429), the most requests in any 1 s and in
flight at once, and the command's exit code and summary. Target: under 15
minutes (900 s) in either pool, no request refused.

    .venv/bin/python benchmarks/bench_updates.py [--count 6315] [--latency 0.5]
        [--pool public|polite|both] [--generated]

Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import bytecode

from tests.crossref_support import FakeCrossref, fixture

CDL = REPO.parent / "shared" / "bench" / "cdl.bib"
POOLS = {"public": (5, 1), "polite": (10, 3)}
TARGET_S = 900.0
RETRACTION = {"DOI": "10.5555/bench.notice", "type": "retraction", "label": "Retraction",
              "source": "retraction-watch", "updated": {"date-parts": [[2026, 11, 30]]},
              "record-id": "1"}


def write_references(folder: Path, count: int, generated: bool) -> list[str]:
    """references.bib with ``count`` entries, each with its own DOI; the DOIs."""
    if CDL.is_file() and not generated:
        text = CDL.read_text(encoding="utf-8")
        dois: list[str] = []

        def add_doi(match: re.Match) -> str:
            if len(dois) >= count:
                return match.group(0)
            dois.append(f"10.5555/cdl.{len(dois):05d}")
            return f"{match.group(0)}\n  doi = {{{dois[-1]}}},"

        text = re.sub(r"^@(?!string|comment|preamble)\w+\{[^,\n]+,", add_doi, text,
                      flags=re.MULTILINE | re.IGNORECASE)
    else:
        dois = [f"10.5555/bench.{i:05d}" for i in range(count)]
        text = "% benchmark\n\n" + "\n".join(
            f"@article{{bench{i},\n  author = {{Someone, S.}},\n  title = {{Placeholder {i}}},\n"
            f"  year = {{2000}},\n  doi = {{{doi}}},\n  studydesign = {{cohort}}\n}}\n"
            for i, doi in enumerate(dois))
    (folder / "references.bib").write_text(text, encoding="utf-8")
    return dois


def serve(conn, dois: list[str], rate: int, concurrency: int, latency: float, pool: str) -> None:
    """The server, in its own process, so its clock is not slowed by the client's."""
    with FakeCrossref(limit=rate, concurrency=concurrency, latency=latency,
                      pool=pool) as server:
        server.enforce(rate, concurrency)
        base = fixture("article_orcid")
        for i, doi in enumerate(dois):
            notices = [dict(RETRACTION, DOI=f"10.5555/bench.notice.{i}")] if i % 100 == 7 else []
            server.add_work({**base, "DOI": doi, "updated-by": notices})
        conn.send(server.url)
        while conn.recv() == "stats":
            conn.send((server.count(), server.rejected, server.max_in_window(1.0),
                       server.peak_in_flight))
        conn.send(True)


def run_pool(name: str, dois: list[str], folder: Path, latency: float) -> tuple[float, bool]:
    rate, concurrency = POOLS[name]
    conn, child = multiprocessing.Pipe()
    process = multiprocessing.Process(
        target=serve, args=(child, dois, rate, concurrency, latency, name), daemon=True)
    process.start()
    try:
        url = conn.recv()
        env = {**os.environ, "EVIDENCE_CROSSREF_URL": url,
               "EVIDENCE_CACHE_DIR": str(folder / f"cache-{name}")}
        env.pop("EVIDENCE_MAILTO", None)
        if name == "polite":
            env["EVIDENCE_MAILTO"] = "bench@example.org"
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "evidence", "resolve", "--updates",
                               "--project", str(folder)], env=env, capture_output=True,
                              text=True, cwd=REPO, check=False)
        elapsed = time.monotonic() - started
        conn.send("stats")
        requests, rejected, window, in_flight = conn.recv()
    finally:
        conn.send("stop")
        process.join(5)
    summary = next((line for line in reversed(done.stdout.splitlines())
                    if line.startswith("Checked")), done.stdout[-300:] + done.stderr[-300:])
    print(f"{name} pool ({rate}/s, {concurrency} at a time, {latency:g} s per answer): "
          f"{len(dois)} DOIs in {elapsed:.1f} s (target < {TARGET_S:.0f} s), "
          f"{requests} requests, {rejected} refused (429); at most {window} in any 1 s, "
          f"{in_flight} in flight; exit {done.returncode}")
    print(f"  {summary}")
    return elapsed, elapsed < TARGET_S and rejected == 0 and done.returncode in (0, 3)


def main(argv: list[str] | None = None) -> int:
    bytecode.compile_package()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=6315)
    parser.add_argument("--latency", type=float, default=0.5, help="seconds per answer")
    parser.add_argument("--pool", choices=("public", "polite", "both"), default="both")
    parser.add_argument("--generated", action="store_true",
                        help="generated entries even when cdl.bib is present")
    args = parser.parse_args(argv)
    ok = True
    for name in ("public", "polite") if args.pool == "both" else (args.pool,):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            dois = write_references(folder, args.count, args.generated)
            origin = "cdl.bib's entries" if CDL.is_file() and not args.generated else "generated"
            print(f"references.bib: {len(dois)} entries with a DOI ({origin})")
            ok = run_pool(name, dois, folder, args.latency)[1] and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
