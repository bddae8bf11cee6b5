"""What following the database costs `evidence serve` (evidence/host/follow.py).

    .venv/bin/python benchmarks/bench_serve.py [--claims 20000] [--guides 200] [--repeat 200] [--keep DIR]

Builds a synthetic database (rows straight into the schema, as
bench_publish.py --direct does), then prints:

1. the check made before each request: one ``stat`` of the database, alone;
2. the median time of a cheap page and of a claim page, through Datasette's
   own ASGI app and through FollowingApp (same instance, nothing changed), in
   local and public mode;
3. the swap: after a new file is renamed over the database, the time of the
   first request (it makes, starts and warms a fresh Datasette instance; public
   mode also hashes and counts the new file for its inspect data), against the
   time of the next one.

Prints figures; it is not a test and asserts nothing about time.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


def stat_cost(database: Path, n: int = 100_000) -> float:
    from evidence.host.follow import file_identity

    started = time.perf_counter()
    for _ in range(n):
        file_identity(database)
    return (time.perf_counter() - started) / n


async def median_request(client, path: str, repeat: int) -> float:
    response = await client.get(path)  # warm-up
    if response.status_code != 200:
        raise SystemExit(f"{path}: HTTP {response.status_code}")
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await client.get(path)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def per_request(database: Path, public: bool, paths: list[tuple[str, str]],
                      repeat: int) -> list[tuple[str, float, float]]:
    import httpx

    from evidence.host.follow import FollowingApp
    from evidence.host.serve import make_datasette

    app = FollowingApp(database, functools.partial(make_datasette, database, public=public))
    await app.start()
    ds = app.datasette
    direct = httpx.AsyncClient(transport=httpx.ASGITransport(app=ds.app()),
                               base_url="http://bench")
    followed = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench")
    results = []
    async with direct, followed:
        for label, path in paths:
            # Interleaved rounds, so that a busy moment of the machine hits both.
            a, b = [], []
            for _ in range(3):
                a.append(await median_request(direct, path, repeat // 3))
                b.append(await median_request(followed, path, repeat // 3))
            results.append((label, statistics.median(a), statistics.median(b)))
    assert app.generations == 1
    return results


async def swap(database: Path, public: bool, path: str, rounds: int) -> tuple[float, float]:
    import httpx

    from evidence.host.follow import FollowingApp
    from evidence.host.serve import make_datasette

    app = FollowingApp(database, functools.partial(make_datasette, database, public=public))
    await app.start()
    copy = database.with_name("bench-copy.db")
    first, after = [], []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://bench") as client:
        await client.get(path)
        for _ in range(rounds):
            shutil.copyfile(database, copy)  # a new file, as a build writes it
            os.replace(copy, database)
            started = time.perf_counter()
            response = await client.get(path)
            first.append(time.perf_counter() - started)
            assert response.status_code == 200
            started = time.perf_counter()
            await client.get(path)
            after.append(time.perf_counter() - started)
    assert app.generations == rounds + 1
    return statistics.median(first), statistics.median(after)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=20_000, help="claims in all")
    parser.add_argument("--guides", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=200, help="timed requests per page")
    parser.add_argument("--swaps", type=int, default=5, help="renames timed per mode")
    parser.add_argument("--keep", type=Path, default=None,
                        help="folder for the database, reused when present and kept afterwards")
    args = parser.parse_args(argv)
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        run(args, args.keep)
        print(f"database in {args.keep}")
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as folder:
        run(args, Path(folder))
    print("database removed (--keep DIR keeps it)")
    return 0


def run(args: argparse.Namespace, root: Path) -> None:
    import sqlite3

    import bench_publish

    database = bench_publish.build_direct(root, args.guides, max(1, args.claims // args.guides))
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        claims = conn.execute("select count(*) from claims").fetchone()[0]
        claim = conn.execute("select id from claims order by id limit 1").fetchone()[0]
    print(f"{claims:,} claims; {database.stat().st_size / 2**20:.1f} MiB\n")
    print(f"the check before each request (one stat): {stat_cost(database) * 1e6:.2f} µs\n")
    paths = [("a cheap page (/robots.txt)", "/robots.txt"),
             ("claim page", f"/evidence/claims/{claim}")]
    for public in (False, True):
        mode = "public" if public else "local"
        print(f"{mode}: median of {args.repeat} requests, Datasette alone vs through FollowingApp")
        for label, direct, followed in asyncio.run(per_request(database, public, paths,
                                                               args.repeat)):
            print(f"  {direct * 1000:7.2f} ms  {followed * 1000:7.2f} ms  "
                  f"({(followed - direct) * 1e6:+.0f} µs)  {label}")
        first, after = asyncio.run(swap(database, public, f"/evidence/claims/{claim}",
                                        args.swaps))
        print(f"  after a rename: first request {first * 1000:.0f} ms (a new instance), "
              f"the next {after * 1000:.1f} ms; median of {args.swaps}\n")


if __name__ == "__main__":
    raise SystemExit(main())
