"""Benchmark: resolve 300 DOIs against a local Crossref-shaped server.

The server announces 10 requests/s and 3 concurrent requests (Crossref's
polite pool) and takes 100 ms per response. The best any polite client can do
is min(rate, concurrency / latency) = min(10, 30) = 10 DOIs/s. The script runs
a full `resolve` batch (fetch, map, merge, atomic writes of references.bib),
prints the achieved throughput against that bound (target: at least 85 %),
the server-side peaks (requests in any 1 s window, requests in flight), and
the number of requests of a second run (target: 0, all from the cache).

    .venv/bin/python benchmarks/bench_resolve.py [--count 300] [--latency 0.1]

Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from evidence.bib.references import load_references
from evidence.crossref.cache import ResponseCache
from evidence.crossref.client import CrossrefClient
from evidence.crossref.resolve import resolve_references, select_entries
from tests.crossref_support import FakeCrossref, fixture


def write_project(folder: Path, count: int) -> list[str]:
    dois = [f"10.5555/bench.{i:04d}" for i in range(count)]
    entries = [
        f"@article{{bench{i},\n  author = {{Someone, S.}},\n  title = {{Placeholder {i}}},\n"
        f"  year = {{2000}},\n  doi = {{{doi}}},\n  studydesign = {{cohort}},\n"
        f"  metadatasource = {{manual}}\n}}\n"
        for i, doi in enumerate(dois)
    ]
    (folder / "references.bib").write_text("% benchmark\n\n" + "\n".join(entries),
                                           encoding="utf-8")
    return dois


def serve(conn, dois: list[str], rate: int, concurrency: int, latency: float) -> None:
    """The server, in its own process: its clock and threads are not slowed by
    the client's, so what it measures is what a remote server would see."""
    with FakeCrossref(limit=rate, concurrency=concurrency, latency=latency) as server:
        for i, doi in enumerate(dois):
            server.add_work({**fixture("article_orcid"), "DOI": doi, "volume": str(i)})
        conn.send(server.url)
        while True:
            command = conn.recv()
            if command == "stats":
                conn.send((server.count(), server.max_in_window(1.0), server.peak_in_flight))
            elif command == "clear":
                server.requests.clear()
                server.peak_in_flight = 0
                conn.send(True)
            else:
                conn.send(True)
                return


def run(folder: Path, url: str, mailto: str | None):
    refs = load_references(folder / "references.bib")
    sources, _ = select_entries(refs, [], everything=True)
    client = CrossrefClient(url, mailto, cache=ResponseCache(folder / "cache"))
    started = time.monotonic()
    report = resolve_references(refs, client, sources, show_progress=False)
    return report, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--rate", type=int, default=10, help="announced requests per second")
    parser.add_argument("--concurrency", type=int, default=3, help="announced concurrency")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per response")
    parser.add_argument("--no-mailto", action="store_true",
                        help="start from the public pool's limits and adapt to the headers")
    args = parser.parse_args()

    bound = min(args.rate, args.concurrency / args.latency)
    mailto = None if args.no_mailto else "bench@example.org"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        dois = write_project(folder, args.count)
        conn, child = multiprocessing.Pipe()
        process = multiprocessing.Process(
            target=serve, args=(child, dois, args.rate, args.concurrency, args.latency),
            daemon=True)
        process.start()
        try:
            url = conn.recv()
            report, elapsed = run(folder, url, mailto)
            conn.send("stats")
            requests, window, in_flight = conn.recv()
            achieved = args.count / elapsed
            failures = len(report.failures)
            print(f"first run : {args.count} DOIs in {elapsed:.2f} s, {requests} requests, "
                  f"{failures} failed")
            print(f"throughput: {achieved:.2f} DOIs/s; bound min({args.rate}/s, "
                  f"{args.concurrency}/{args.latency:g} s) = {bound:g}/s; "
                  f"{100 * achieved / bound:.1f} % of the bound (target >= 85 %)")
            print(f"politeness: at most {window} requests in any 1 s window at the server "
                  f"(limit {args.rate}), at most {in_flight} in flight "
                  f"(limit {args.concurrency})")
            print(f"merged    : {report.count('updated')} entries updated in references.bib")

            conn.send("clear")
            conn.recv()
            report2, elapsed2 = run(folder, url, mailto)
            conn.send("stats")
            second, _, _ = conn.recv()
            print(f"second run: {second} requests (target 0), {elapsed2:.2f} s, "
                  f"{report2.count('unchanged')} unchanged")
        finally:
            conn.send("stop")
            process.join(5)
        ok = (achieved / bound >= 0.85 and second == 0 and failures == 0
              and not report2.failures)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
