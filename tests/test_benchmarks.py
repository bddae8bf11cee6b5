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
