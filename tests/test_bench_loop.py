"""The editor's loop benchmarks run small and leave nothing behind (no timing here)."""

from __future__ import annotations

import tempfile

from benchmarks import bench_check, bench_watch


def test_bench_watch_runs_small_and_restores_the_claims(tmp_path, capsys):
    from benchmarks import corpus

    root = tmp_path / "project"
    corpus.generate(root, guides=3, claims=6, sources=30)
    before = {p: p.read_bytes() for p in root.glob("claims/*/claims.yaml")}
    figures = bench_watch.measure(root, runs=2, settle_s=0.1)
    assert figures["target_s"] == 1.0 and len(figures["runs"]) == 2
    assert figures["median_s"] > 0 and figures["guides"] == 3
    assert all(r["detect_s"] is not None and r["pickup_s"] is not None
               for r in figures["runs"])
    assert {p: p.read_bytes() for p in root.glob("claims/*/claims.yaml")} == before


def test_bench_check_runs_small_and_removes_its_projects(tmp_path, monkeypatch, capsys):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    assert bench_check.main(["--runs", "1", "--sources", "40", "--claims", "12",
                             "--others", "2", "--other-claims", "5"]) == 0
    out = capsys.readouterr().out
    assert "alone (1 guides)" in out and "among 2 others (3 guides)" in out
    assert "of it references.bib" in out
    assert list(scratch.iterdir()) == []
