"""No command writes its output over an input (references.bib, guide.md, claims.yaml)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence.cli import cli
from evidence.errors import EvidenceError
from evidence.project import refuse_output_over_input


def run(*args, cwd: Path | None = None):
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(cli, [str(a) for a in args])
    before = Path.cwd()
    os.chdir(cwd)
    try:
        return runner.invoke(cli, [str(a) for a in args])
    finally:
        os.chdir(before)


def snapshot(project: Path) -> dict[str, bytes]:
    return {str(p.relative_to(project)): p.read_bytes()
            for p in sorted(project.rglob("*")) if p.is_file()}


def test_bibliography_o_references_bib_exits_non_zero_with_the_file_unchanged(project):
    before = snapshot(project)
    result = run("bibliography", "--all", "-o", project / "references.bib", "--format",
                 "bibtex", "--project", project)
    assert result.exit_code == 1
    assert "is the project's references.bib, an input" in result.output
    assert "nothing was written" in result.output
    assert snapshot(project) == before


@pytest.mark.parametrize("target", ["claims/testguide/guide.md", "claims/testguide/claims.yaml",
                                    "claims/testguide/history.yaml", "./claims/../references.bib"])
def test_relative_paths_to_any_input_are_refused(project, target):
    before = snapshot(project)
    result = run("bibliography", "--all", "-o", target, "--format", "text", cwd=project)
    assert result.exit_code == 1, result.output
    assert "an input" in result.output
    assert snapshot(project) == before


def test_a_link_to_an_input_is_refused(project, tmp_path):
    link = tmp_path / "out.bib"
    link.symlink_to(project / "references.bib")
    before = snapshot(project)
    result = run("bibliography", "--all", "-o", link, "--project", project)
    assert result.exit_code == 1 and "references.bib, an input" in result.output
    assert snapshot(project) == before and link.is_symlink()


def test_a_hard_link_and_a_new_guide_file_are_refused_too(project, tmp_path):
    hard = tmp_path / "hard.bib"
    os.link(project / "references.bib", hard)
    with pytest.raises(EvidenceError, match="references.bib, an input"):
        refuse_output_over_input(project, hard)
    with pytest.raises(EvidenceError, match="an input"):
        refuse_output_over_input(project, project / "claims" / "newguide" / "claims.yaml")
    refuse_output_over_input(project, project / "kilder.md")  # any other file is fine


def test_other_outputs_are_written(project):
    result = run("bibliography", "--all", "-o", project / "kilder.txt", "--project", project)
    assert result.exit_code == 0, result.output
    assert (project / "kilder.txt").read_text(encoding="utf-8").strip()


def test_the_database_and_the_package_folder_are_outputs_too(project):
    before = snapshot(project)
    result = run("build", "--database", project / "claims/testguide/claims.yaml",
                 "--project", project)
    assert result.exit_code == 1 and "claims.yaml, an input" in result.output
    result = run("package", project, "--project", project)
    assert result.exit_code == 1 and "holds the project's references.bib" in result.output
    assert snapshot(project) == before
