"""What an action of the editor's desk costs (evidence/desk/actions.py).

    .venv/bin/python benchmarks/bench_desk.py [--repeat 10] [--keep DIR]

Copies the bundled project (references.bib and claims/) to a scratch folder,
builds it, then records a verdict on ``--repeat`` claims in turn, as the desk
does (the edit verb under the build lock, then the build), and prints the
median time of the edit (project loaded, claims.yaml and history.yaml
written) and of the rebuild that follows, and what the reading view's list of
uncovered sentences costs. Prints figures; it is not a test and asserts
nothing about time.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--keep", type=Path, default=None, help="keep the project here")
    args = parser.parse_args(argv)

    from evidence.claims.ondisk import file_sha256
    from evidence.database.build import build
    from evidence.desk import actions
    from evidence.project import load_project

    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-desk-"))
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(HERE.parent / "references.bib", root / "references.bib")
    shutil.copytree(HERE.parent / "claims", root / "claims", dirs_exist_ok=True)
    database = root / "evidence.db"
    try:
        build(root, database, force=True)
        guide = load_project(root, strict=False).guides[0]
        claims = [c.id for c in guide.claims_in_order() if c.id in guide.anchors][:args.repeat]
        edits, builds = [], []
        for claim_id in claims:
            expected = file_sha256(guide.claims_file.path)
            verdict = actions.verdict(claim_id, "verified", "benchmark", "Bench", expected or "")

            def timed(project, verdict=verdict):
                start = time.perf_counter()
                message = verdict(project)
                edits.append(time.perf_counter() - start)
                return message

            start = time.perf_counter()
            actions.run(root, database, timed)
            builds.append(time.perf_counter() - start - edits[-1])
        listing = []
        for _ in range(3):
            start = time.perf_counter()
            actions.uncovered(root, guide.id)
            listing.append(time.perf_counter() - start)
        print(f"{len(claims)} verdicts on {guide.id} ({len(guide.claims)} claims):")
        print(f"  edit (load, claims.yaml and history.yaml written): median "
              f"{statistics.median(edits) * 1000:.0f} ms")
        print(f"  rebuild after it: median {statistics.median(builds) * 1000:.0f} ms")
        print(f"  the reading view's uncovered sentences: median "
              f"{statistics.median(listing) * 1000:.0f} ms")
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
            print(f"removed {root}")
        else:
            print(f"project and database in {root}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
