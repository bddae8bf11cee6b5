"""What an error costs the public publication, against a page.

    .venv/bin/python benchmarks/bench_errors.py [--repeat 200]

Builds the small test project (tests/publish_support.py), serves it in public
mode in-process, and prints the CPU time (``time.process_time``: what the
server spends, whatever the machine's load) per request, median of
``--repeat`` requests after a warm-up, for a claim page (200), an unknown page
(404), an unknown claim (404, through Datasette's row view), a bad sort
(400) and a POST (405). It measures twice: with Datasette's own exception
handler put back (which prints a rich traceback with locals for every error)
and with the publication's (one log line for a
server error, nothing for a 4xx). "Before" is public mode without the gate
(evidence.publish.public) and with Datasette's handler; "now" is as served. Its output goes to /dev/null while measuring,
so the terminal's speed is not measured. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

PATHS = [
    ("claim page (200)", "GET", "/evidence/claims/h-loading"),
    ("unknown page (404)", "GET", "/no/such/page"),
    ("unknown claim (404)", "GET", "/evidence/claims/no-such-claim"),
    ("bad _sort (400)", "GET", "/evidence/claims?_sort=nope"),
    ("POST (405)", "POST", "/evidence/claims"),
]


@contextlib.contextmanager
def quiet():
    """stdout and stderr to /dev/null (file descriptors too: rich writes to them)."""
    saved = os.dup(1), os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(null, 1)
        os.dup2(null, 2)
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(null)


async def measure(database: Path, repeat: int, before: bool) -> dict[str, tuple]:
    from datasette import handle_exception as default_handler
    from datasette.plugins import pm

    from evidence.host.serve import make_datasette
    from evidence.publish import error_pages, public

    gate = public.gate
    if before:  # no gate in front of Datasette (Datasette's client makes its app now)
        public.gate = lambda app, datasette: app
    try:
        ds = make_datasette(database, public=True)
    finally:
        public.gate = gate
    await ds.invoke_startup()  # unregisters Datasette's handler
    if before:
        pm.register(default_handler, name=error_pages.DATASETTE_HANDLER)
    results = {}
    try:
        for label, method, path in PATHS:
            status = None
            with quiet():
                for _ in range(5):
                    await ds.client.request(method, path)
                cpu = []
                for _ in range(repeat):
                    started = time.process_time()
                    response = await ds.client.request(method, path)
                    cpu.append(time.process_time() - started)
                    status = response.status_code
            results[label] = (status, statistics.median(cpu))
    finally:
        if before:
            error_pages.replace_datasette_handler()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args(argv)
    from tests.publish_support import build_project

    with tempfile.TemporaryDirectory() as folder:
        database = build_project(Path(folder))
        before = asyncio.run(measure(database, args.repeat, before=True))
        after = asyncio.run(measure(database, args.repeat, before=False))
    print(f"CPU per request, median of {args.repeat} (ms)")
    print(f"{'request':24} {'before (no gate, Datasette handler)':>36} {'now':>10}")
    for label, _, _ in PATHS:
        (status_b, b), (status_a, a) = before[label], after[label]
        print(f"{label:24} {b * 1000:30.1f} ({status_b}) {a * 1000:4.1f} ({status_a})")
    page = after[PATHS[0][0]][1]
    worst = max(v for k, (_, v) in after.items() if k != PATHS[0][0])
    print(f"the dearest error costs {worst / page:.2f}x a claim page")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
