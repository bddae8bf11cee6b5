"""`evidence resolve` over many entries: the report summarised by kind beyond 50
lines (--full for every line), and a progress bar only on a terminal."""

from __future__ import annotations

import io

from click.testing import CliRunner
from rich.console import Console

from evidence.cli import cli
from evidence.crossref import resolve
from tests.crossref.test_crossref_resolve import BIB, env, fake  # noqa: F401 (fixtures)

NO_DOI = "".join(f"@book{{nodoi{i},\n  title = {{Book {i}}},\n  year = {{2000}}\n}}\n\n"
                 for i in range(60))


def project(tmp_path):
    (tmp_path / "references.bib").write_text(BIB + "\n" + NO_DOI, encoding="utf-8")
    return tmp_path


def run(root, env, *args):  # noqa: F811
    return CliRunner().invoke(cli, ["resolve", "--project", str(root), *args], env=env)


def test_many_skipped_entries_are_counted_not_listed(tmp_path, fake, env):  # noqa: F811
    root = project(tmp_path)
    result = run(root, env)
    out = result.output
    assert result.exit_code == 1, out  # one DOI is not registered
    assert "skipped: 61\n" in out  # anatomy1918 and the 60 books without a DOI
    assert "  skipped: anatomy1918: no DOI, kept as it is\n" in out
    assert "  skipped: nodoi0: no DOI, kept as it is\n" in out
    assert "nodoi59" not in out
    assert "  … and 58 more skipped (--full shows every one)" in out
    assert "updated: 5\n  updated aero2021: shortjournal, month, volume, issn, doi\n" in out
    # no fingerprint yet: the hand-typed values are the editor's, kept and counted
    assert "kept: 14\n  aero2021: author: kept the editor's 'Aero, S. and van der Berg" in out
    assert "  … and 11 more kept (--full shows every one)" in out
    assert "note: storm2019 has an expression of concern" in out
    assert "withdrawing notices: 1\n  WARNING: storm2019 has a retraction" in out
    assert "5 resolved, 5 updated, 0 unchanged, 1 failed" in out
    assert "Failed:\n  10.5555/not.registered: DOI not registered with Crossref" in out
    assert len(out.splitlines()) < 30
    # no progress bar in captured output, though the batch is long enough for one
    assert "Resolving DOIs" not in out and "\x1b[" not in out


def test_full_prints_every_line(tmp_path, fake, env):  # noqa: F811
    root = project(tmp_path)
    out = run(root, env, "--all", "--full").output
    assert all(f"skipped: nodoi{i}: no DOI, kept as it is" in out for i in range(60))
    assert "more skipped" not in out and "skipped: 61" not in out


def test_the_progress_bar_is_drawn_only_on_a_terminal():
    pipe = Console(file=io.StringIO(), force_terminal=False)
    assert isinstance(resolve._progress(100, "Resolving DOIs", True, pipe), resolve._NoProgress)
    terminal_out = io.StringIO()
    terminal = Console(file=terminal_out, force_terminal=True, width=80)
    with resolve._progress(100, "Resolving DOIs", True, terminal) as bar:
        task = bar.add_task("Resolving DOIs", total=100)
        bar.advance(task, 50)
        bar.refresh()
    assert "Resolving DOIs" in terminal_out.getvalue() and "50/100" in terminal_out.getvalue()
    assert isinstance(resolve._progress(100, "x", False, terminal), resolve._NoProgress)
