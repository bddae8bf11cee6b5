"""`evidence package`: what building the wheel and pinning the requirements cost.

    .venv/bin/python benchmarks/bench_package.py [--guides 10] [--claims 100] [--repeat 3]

1. Building evidence's wheel (a copy of the source, the installed backend in
   a subprocess): the median of --repeat runs.
2. The pinned closure of its runtime requirements (importlib.metadata).
3. ``package()`` of a synthetic corpus (benchmarks/corpus.py) whose database
   is already built: the folder with everything in it (the database copy and
   its inspect data grow with the corpus; the wheel and the pins do not).

Prints figures; asserts nothing; removes what it made.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import bytecode


def main(argv: list[str] | None = None) -> int:
    bytecode.compile_package()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guides", type=int, default=10)
    parser.add_argument("--claims", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    import corpus

    from evidence.database.build import build
    from evidence.host.package import package
    from evidence.host.requirements import pins, wheel_requires
    from evidence.host.wheel import build_wheel

    with tempfile.TemporaryDirectory(prefix="bench-package-") as scratch:
        root = Path(scratch)
        times = []
        for number in range(args.repeat):
            started = time.perf_counter()
            wheel = build_wheel(root / f"wheels-{number}")
            times.append(time.perf_counter() - started)
        print(f"wheel {wheel.path.name} ({wheel.path.stat().st_size / 1024:.0f} KiB): "
              f"median {statistics.median(times):.2f} s of {args.repeat} builds", flush=True)

        started = time.perf_counter()
        pinned = pins(wheel_requires(wheel.path))
        print(f"requirements: {len(pinned)} pinned in {time.perf_counter() - started:.3f} s",
              flush=True)

        project = root / "project"
        corpus.generate(project, guides=args.guides, claims=args.claims,
                        sources=max(100, args.guides * args.claims // 5))
        build(project, project / "evidence.db")
        size = (project / "evidence.db").stat().st_size / 2**20
        started = time.perf_counter()
        package(project, root / "site")
        print(f"package of {args.guides} guides x {args.claims} claims ({size:.1f} MiB "
              f"database, already built): {time.perf_counter() - started:.2f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
