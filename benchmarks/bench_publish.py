"""How fast the publication answers with 100,000 claims.

    .venv/bin/python benchmarks/bench_publish.py [--claims 100000] [--guides 1000] [--keep DIR]

Builds a synthetic project (``benchmarks/corpus.py`` and ``evidence build``;
without corpus.py, rows are inserted straight into the schema), then serves it
in-process with Datasette, as ``evidence serve`` does, and prints the median
time of each page over several requests after a warm-up. The target is under
0.3 s for the claims page with its facets and for the overview. Prints
figures; it is not a test and asserts nothing about time.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

TARGET_S = 0.3


def build_with_corpus(root: Path, guides: int, claims_per_guide: int) -> Path:
    import corpus

    from evidence.database.build import build

    database = root / "evidence.db"
    if not (root / "references.bib").exists():
        started = time.perf_counter()
        corpus.generate(root, guides=guides, claims=claims_per_guide,
                        sources=max(100, guides * claims_per_guide // 5))
        print(f"generated the project in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    result = build(root, database)
    if result.built:
        print(f"built {database} in {time.perf_counter() - started:.1f} s", flush=True)
    return database


def build_direct(root: Path, guides: int, claims_per_guide: int) -> Path:
    """A minimal generator: plausible rows inserted straight into the schema."""
    from sqlalchemy import create_engine, insert

    from evidence.database import schema as m
    from evidence.database.rows import Rows
    from evidence.scale import BASES, STUDY_DESIGNS, TIERS

    database = root / "evidence.db"
    if database.exists():
        return database
    rng = random.Random(1)
    words = ("smerte", "senen", "knæet", "hasesenerne", "belastning", "træning", "løbere",
             "hvile", "søvn", "styrke", "genoptræning", "fysioterapeut", "ultralyd",
             "excentrisk", "isometrisk")
    types = ("definition", "anatomy", "epidemiology", "etiology", "mechanism", "symptom",
             "diagnosis", "treatment", "dosage", "prognosis", "safety", "lifestyle")
    designs = list(STUDY_DESIGNS)
    n_sources = max(100, guides * claims_per_guide // 5)
    rows = Rows([], [t.__dict__ for t in TIERS], [d.__dict__ for d in STUDY_DESIGNS],
                [b.__dict__ for b in BASES], [], [], [], [], [], [], [], [])
    rows.build_info = [{"input_sha256": "bench", "built_at": "2026-01-01T00:00:00+00:00",
                        "evidence_version": "bench", "schema_version": m.SCHEMA_VERSION}]
    for k in range(n_sources):
        design = rng.choice(designs)
        rows.sources.append({
            "id": f"src{k:06d}", "doi": f"10.9999/bench.{k}", "entry_type": "article",
            "title": " ".join(rng.choices(words, k=8)).capitalize(), "container_title": "J Bench",
            "year": rng.randint(1990, 2025), "authors": "Bench A", "study_design": design.code,
            "tier": design.tier, "metadata_source": "manual", "retracted": k % 500 == 0,
            "claim_count": 0})
    for g in range(guides):
        gid = f"guide-{g:04d}"
        text = []
        sections = [f"{gid}--s{s}" for s in range(10)]
        for s, sid in enumerate(sections):
            rows.sections.append({"id": sid, "guide_id": gid, "position": s,
                                  "heading": f"Afsnit {s}", "level": 2 if s else 1})
        for c in range(claims_per_guide):
            quote = " ".join(rng.choices(words, k=10)).capitalize() + "."
            start = sum(len(t) + 1 for t in text)
            text.append(quote)
            links = [rng.randrange(n_sources) for _ in range(rng.choice((0, 1, 2, 3, 4)))]
            tiers = [rows.sources[k]["tier"] for k in links if not rows.sources[k]["retracted"]]
            best = min(tiers, key=lambda t: [x.code for x in TIERS].index(t)) if tiers else None
            basis = best or rng.choice(("consensus", "unsupported"))
            cid = f"{gid}-c{c:03d}"
            rows.claims.append({
                "id": cid, "guide_id": gid, "section_id": sections[c * 10 // claims_per_guide],
                "position": c + 1, "quote": quote, "start": start, "end": start + len(quote),
                "type": rng.choice(types), "basis": basis, "indirect": rng.random() < 0.1,
                "contested": rng.random() < 0.03, "status": "unreviewed",
                "supporting_sources": len(tiers)})
            for number, k in enumerate(links, start=1):
                rows.links.append({"claim_id": cid, "source_id": rows.sources[k]["id"],
                                   "relation": "supports", "direct": True, "position": number})
        rows.guides.append({"id": gid, "title": f"Guide {g}", "language": "da",
                            "path": f"claims/{gid}/guide.md", "sha256": "0",
                            "built_at": "2026-01-01", "claim_count": claims_per_guide,
                            "text": "\n\n".join(text)})
    engine = create_engine(f"sqlite:///{database}")
    m.Base.metadata.create_all(engine)
    with engine.begin() as conn:
        for table, values in rows.tables():
            if values:
                conn.execute(insert(m.Base.metadata.tables[table]), values)
        for statement in m.fts_statements():
            conn.exec_driver_sql(statement)
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    return database


async def measure(database: Path, public: bool, paths: list[str], repeat: int) -> list[tuple]:
    from evidence.host.serve import make_datasette

    started = time.perf_counter()
    ds = make_datasette(database, public=public)
    await ds.invoke_startup()
    startup = time.perf_counter() - started
    results = []
    for label, path in paths:
        response = await ds.client.get(path)  # warm-up
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code}")
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            await ds.client.get(path)
            times.append(time.perf_counter() - started)
        results.append((label, path, statistics.median(times), len(response.content)))
    return startup, results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=100_000, help="claims in all")
    parser.add_argument("--guides", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=9, help="timed requests per page")
    parser.add_argument("--keep", type=Path, default=None,
                        help="folder for the project and database, reused when present and "
                             "kept afterwards (without it, a temporary folder, removed at the end)")
    parser.add_argument("--direct", action="store_true",
                        help="insert rows directly instead of corpus.py + evidence build")
    args = parser.parse_args(argv)
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        run(args, args.keep)
        print(f"project and database in {args.keep}")
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-publish-") as folder:
        run(args, Path(folder))
    print("project and database removed (--keep DIR keeps them)")
    return 0


def run(args: argparse.Namespace, root: Path) -> None:
    per_guide = max(1, args.claims // args.guides)
    use_corpus = not args.direct and (HERE / "corpus.py").exists()
    database = (build_with_corpus if use_corpus else build_direct)(root, args.guides, per_guide)

    import sqlite3

    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        claims, guides = conn.execute(
            "select (select count(*) from claims), (select count(*) from guides)").fetchone()
        guide = conn.execute("select id from guides order by title, id limit 1").fetchone()[0]
        claim = conn.execute("select id from claims where supporting_sources > 1 "
                             "limit 1").fetchone()[0]
        source = conn.execute("select source_id from claim_sources group by source_id "
                              "order by count(*) desc limit 1").fetchone()[0]
    print(f"{claims:,} claims in {guides:,} guides; {database.stat().st_size / 2**20:.0f} MiB; "
          f"median of {args.repeat} requests after a warm-up\n")
    paths = [
        ("overview", "/"),
        ("claims page with its facets", "/evidence/claims"),
        ("claims filtered by basis", "/evidence/claims?basis=trial"),
        ("claims filtered by type and status", "/evidence/claims?type=treatment&status=unreviewed"),
        ("claims of one guide", f"/evidence/claims?guide_id={guide}"),
        ("claims, prefix search", "/evidence/claims?_q=hase"),
        ("guide page (section chart)", f"/evidence/guides/{guide}"),
        ("claim page", f"/evidence/claims/{claim}"),
        ("source page (most cited)", f"/evidence/sources/{source}"),
        ("search page", "/-/search?q=hase"),
        ("canned query: trial-backed claims", "/evidence/trial_backed_claims"),
    ]
    for public in (True, False):
        startup, results = asyncio.run(measure(database, public, paths, args.repeat))
        mode = "public (immutable, inspect data)" if public else "local (mutable)"
        print(f"{mode}: startup {startup:.2f} s")
        for label, path, median, size in results:
            flag = ""
            if label in ("overview", "claims page with its facets"):
                flag = "  ok" if median < TARGET_S else f"  OVER {TARGET_S} s"
            print(f"  {median * 1000:7.1f} ms  {label:38s} {size / 1024:6.0f} KB  {path}{flag}")
        print()


if __name__ == "__main__":
    raise SystemExit(main())
