"""Loading on two processes gives the very project (and database) one process gives."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from evidence.database import parallel
from evidence.database.build import build
from evidence.errors import InputError
from evidence.project import load_project

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))
import corpus

sys.path.remove(str(REPO / "benchmarks"))

pytestmark = pytest.mark.skipif(not parallel.can_fork(), reason="needs fork and two cores")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    corpus.generate(tmp_path, guides=parallel.MIN_GUIDES + 5, claims=12, sources=150, seed=5)
    return tmp_path


def summary(project):
    return [(g.id, g.guide.text, g.claims,
             {k: (a.start, a.end, a.line, a.section.id) for k, a in g.anchors.items()},
             [(s.id, s.start, s.end) for s in g.guide.sections])
            for g in project.guides]


def test_the_parallel_load_equals_the_plain_one(project):
    both = parallel.load_project_parallel(project), load_project(project)
    assert summary(both[0]) == summary(both[1])
    assert [s.key for s in both[0].references] == [s.key for s in both[1].references]


def test_a_build_on_two_processes_equals_one_on_one(project, tmp_path, monkeypatch):
    from tests.database.test_incremental import table_rows

    build(project, tmp_path / "two.db")
    monkeypatch.setattr(parallel, "MIN_GUIDES", 10**9)
    build(project, tmp_path / "one.db")
    assert table_rows(tmp_path / "two.db") == table_rows(tmp_path / "one.db")


def _problems(project):
    with pytest.raises(InputError) as parallel_error:
        parallel.load_project_parallel(project)
    with pytest.raises(InputError) as plain_error:
        load_project(project)
    return [str(p) for p in parallel_error.value.problems], [
        str(p) for p in plain_error.value.problems]


@pytest.mark.parametrize("where", ["first", "last"])
def test_problems_in_either_half_are_reported_as_by_the_plain_load(project, where):
    guides = sorted((project / "claims").iterdir())
    folder = guides[0] if where == "first" else guides[-1]
    claims = folder / "claims.yaml"
    text = claims.read_text(encoding="utf-8")
    claims.write_text(text.replace("      - source: ", "      - source: nosuchkey", 1),
                      encoding="utf-8")
    found, expected = _problems(project)
    assert found == expected and "unknown citekey" in found[0]


def test_a_claim_id_shared_across_the_halves_is_reported(project):
    guides = sorted((project / "claims").iterdir())
    first_id = f"{guides[0].name}-c001"
    claims = guides[-1] / "claims.yaml"
    claims.write_text(claims.read_text(encoding="utf-8").replace(
        f"- id: {guides[-1].name}-c001", f"- id: {first_id}"), encoding="utf-8")
    found, expected = _problems(project)
    assert found == expected and any("duplicate claim id" in p for p in found)
