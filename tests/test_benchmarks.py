"""The benchmark scripts clean up after themselves."""

from __future__ import annotations

import tempfile

from benchmarks import bench_publish


def test_bench_publish_removes_its_project_unless_kept(tmp_path, monkeypatch, capsys):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    small = ["--claims", "20", "--guides", "2", "--repeat", "1", "--direct"]
    assert bench_publish.main(small) == 0
    assert list(scratch.iterdir()) == []
    assert "removed" in capsys.readouterr().out

    kept = tmp_path / "kept"
    assert bench_publish.main([*small, "--keep", str(kept)]) == 0
    assert (kept / "evidence.db").is_file()
    assert f"project and database in {kept}" in capsys.readouterr().out


def test_bench_serve_runs_small_and_removes_its_database(tmp_path, monkeypatch, capsys):
    from benchmarks import bench_serve

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    assert bench_serve.main(["--claims", "20", "--guides", "2", "--repeat", "3",
                             "--swaps", "1"]) == 0
    out = capsys.readouterr().out
    assert "the check before each request" in out and "after a rename" in out
    assert list(scratch.iterdir()) == []


def test_bench_pubmed_counts_the_requests_batching_saves(capsys):
    from benchmarks import bench_pubmed

    assert bench_pubmed.main(["--count", "120", "--known", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "requests, batched:   4 (3 esearch with up to 50 DOIs, 1 esummary" in out
    assert "requests, one a DOI: 180 (45x as many)" in out
    assert "second run: 0 requests" in out


def test_bench_desk_runs_small_and_removes_its_project(tmp_path, monkeypatch, capsys):
    from benchmarks import bench_desk

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    assert bench_desk.main(["--repeat", "2"]) == 0
    out = capsys.readouterr().out
    assert "2 verdicts on" in out and "rebuild after it" in out
    assert list(scratch.iterdir()) == []


def _counts(database):
    import sqlite3

    with sqlite3.connect(database) as conn:
        return {table: conn.execute(f"select count(*) from [{table}]").fetchone()[0]
                for table in ("guides", "claims", "sources", "claim_sources")}


def test_every_corpus_shape_builds_with_the_counts_it_promises(tmp_path):
    """Each shape of benchmarks/corpus.py, small, is a project `evidence build`
    accepts: every claim anchored and built, every source and link written."""
    from benchmarks import corpus
    from evidence.database.build import build

    for shape in corpus.SHAPES:
        root = tmp_path / shape
        made = corpus.generate_shape(root, shape, guides=2, claims=12, sources=60)
        result = build(root)
        assert result.built and not result.problems, (shape, result.problems)
        assert _counts(root / "evidence.db") == {
            "guides": 2, "claims": made.claims, "sources": 60, "claim_sources": made.links}, shape
        assert made.claims == 2 * 12, shape
    # Links per claim within the shape's range; the long guides of templated paragraphs.
    links = corpus.SHAPES["links"].link_range
    assert links is not None
    import sqlite3

    with sqlite3.connect(tmp_path / "links" / "evidence.db") as conn:
        per_claim = [n for (n,) in conn.execute(
            "select count(*) from claim_sources group by claim_id")]
    assert len(per_claim) == 24 and min(per_claim) >= links[0] and max(per_claim) <= links[1]
    long_text = (tmp_path / "long" / "claims" / "guide-0001" / "guide.md").read_text()
    assert "I øvelse" in long_text or "Ved dosis" in long_text


def test_a_shape_gives_the_same_bytes_for_the_same_arguments(tmp_path):
    from benchmarks import corpus

    def files(root):
        return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*"))
                if p.is_file()}

    for shape in ("long", "links"):
        corpus.generate_shape(tmp_path / f"{shape}-a", shape, guides=2, claims=10, sources=40)
        corpus.generate_shape(tmp_path / f"{shape}-b", shape, guides=2, claims=10, sources=40)
        assert files(tmp_path / f"{shape}-a") == files(tmp_path / f"{shape}-b")
    # A shape sets defaults; flags given override them.
    assert corpus.shape_arguments("short")["guides"] == 300
    assert corpus.shape_arguments("short", guides=5)["guides"] == 5
