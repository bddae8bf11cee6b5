"""Benchmark: PubMed publication types for 6,315 DOIs, counted in requests.

As many DOIs as cdl.bib has entries (it carries no doi fields itself), of a
usual length; a local E-utilities server knows ``--known`` of them (the rest:
no record).
The script runs the real client (:mod:`evidence.crossref.pubmed`) and prints
the requests sent against one esearch and one esummary per DOI, what that
means at NCBI's rates (3 requests/s without an API key, 10 with), and the
requests of a second run (target: 0, every answer from the cache).

The rate limiter is opened wide here (the server is local): the times at
NCBI's rates are computed from the request count, which is what the rate
bounds (the client sends one request at a time).

    .venv/bin/python benchmarks/bench_pubmed.py [--count 6315] [--known 0.8]

Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from evidence.crossref.limits import RateLimiter
from evidence.crossref.pubmed import RATE_WITH_KEY, RATE_WITHOUT_KEY, PubMedClient
from evidence.crossref.pubmed_cache import PubmedCache
from tests.pubmed_support import FakePubMed

TYPES = (["Journal Article", "Randomized Controlled Trial"], ["Journal Article", "Review"],
         ["Journal Article"], ["Journal Article", "Case Reports"])


def bench_dois(count: int) -> list[str]:
    """DOIs of a usual length (30-odd characters, like 10.1016/j.jsams.2019.01.005):
    the length decides how many fit one esearch URL."""
    return [f"10.1016/j.bench.{2000 + i % 25}.{i:06d}" for i in range(count)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=6315)
    parser.add_argument("--known", type=float, default=0.8,
                        help="share of the DOIs PubMed has a record of")
    args = parser.parse_args(argv)
    dois = bench_dois(args.count)
    known = int(len(dois) * args.known)
    with FakePubMed() as fake, tempfile.TemporaryDirectory() as cache_dir:
        for number, doi in enumerate(dois[:known]):
            fake.add(doi, TYPES[number % len(TYPES)])

        def client() -> PubMedClient:
            return PubMedClient(fake.url, "bench@example.org", limiter=RateLimiter(10000, 1),
                                cache=PubmedCache.for_base_url(fake.url, Path(cache_dir)))

        started = time.perf_counter()
        first = client()
        result = first.lookup(dois)
        elapsed = time.perf_counter() - started
        searches, summaries = fake.count("esearch.fcgi"), fake.count("esummary.fcgi")
        second = client()
        again = second.lookup(dois)
    assert len(result.records) == known and len(result.no_record) == len(dois) - known
    assert len(again.records) == known
    unbatched = len(dois) + known  # one esearch per DOI, one esummary per record found
    print(f"PubMed lookup of {len(dois):,} DOIs; {known:,} with a record")
    print(f"  requests, batched:   {first.requests:,} ({searches} esearch with up to "
          f"{max(len(r.dois) for r in fake.requests if r.endpoint == 'esearch.fcgi')} DOIs, "
          f"{summaries} esummary with up to "
          f"{max((len(r.ids) for r in fake.requests if r.endpoint == 'esummary.fcgi'), default=0)}"
          " PMIDs)")
    print(f"  requests, one a DOI: {unbatched:,} ({unbatched / first.requests:.0f}x as many)")
    for label, rate in (("without an API key", RATE_WITHOUT_KEY), ("with an API key", RATE_WITH_KEY)):
        print(f"  at NCBI's {rate:.0f}/s {label}: {first.requests / rate:,.0f} s batched, "
              f"{unbatched / rate / 60:,.0f} min one a DOI")
    print(f"  client time against the local server: {elapsed:.1f} s")
    print(f"  second run: {second.requests} requests (target 0), "
          f"{again.from_cache:,} answers from the cache")
    return 0


if __name__ == "__main__":
    sys.exit(main())
