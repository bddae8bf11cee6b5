"""Security of the build: the data cannot run code or read files outside the project.

- YAML tags (``!!python/object/apply`` and friends) never construct anything;
- a guide folder, claims/ itself, guide.md, claims.yaml or references.bib that
  is a link to somewhere outside the project is refused with a clear error
  (its content never reaches the database), and so is a file that is not a
  regular file (a FIFO would hang the build, a device would never end);
- LaTeX in references.bib (``\\input``, ``\\include``, ``@preamble``) is text:
  nothing is read or run, and no file's content reaches the database or a
  bibliography;
- a style named in claims.yaml by path must lie inside the project.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence.claims.loader import parse_claims
from evidence.cli import cli
from tests.conftest import BIB, CLAIMS, write_project

SECRET = "SECRET-7f3a-do-not-publish"


def build(root: Path, *args: str):
    result = CliRunner().invoke(cli, ["build", "--project", str(root), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    return result


def database_text(path: Path) -> str:
    """Every value of every table, as one string (to look for leaked content)."""
    db = sqlite3.connect(path)
    try:
        out = []
        tables = [r[0] for r in db.execute("select name from sqlite_master where type='table'")]
        for table in tables:
            for row in db.execute(f"select * from [{table}]"):
                out.extend(str(v) for v in row)
        return "\n".join(out)
    finally:
        db.close()


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the project, holding a secret and a guide of its own."""
    folder = tmp_path / "outside"
    (folder / "guide").mkdir(parents=True)
    (folder / "secret.txt").write_text(SECRET + "\n")
    (folder / "secret.tex").write_text(SECRET + "\n")
    (folder / "guide" / "guide.md").write_text(f"# {SECRET}\n\nHemmelig tekst.\n")
    (folder / "guide" / "claims.yaml").write_text(
        "claims:\n  - id: s-1\n    quote: Hemmelig tekst.\n    type: definition\n"
        "    consensus: x\n")
    return folder


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_project(tmp_path / "project")


# --- YAML ------------------------------------------------------------------

TAGGED = [
    '  - !!python/object/apply:os.system ["touch {marker}"]\n',
    ('  - id: !!python/object/apply:os.system ["touch {marker}"]\n'
     "    quote: x\n    type: definition\n"),
    ('  - id: a\n    quote: !!python/object/new:subprocess.check_output [["touch", "{marker}"]]\n'
     "    type: definition\n"),
    "  - id: a\n    quote: !!python/name:os.system\n    type: definition\n",
    "  - id: a\n    quote: !!python/module:os\n    type: definition\n",
    ("  - id: a\n    quote: Progressiv belastning er centralt.\n    type: treatment\n"
     '    review: !!python/object/apply:builtins.exec ["open(\'{marker}\', \'w\')"]\n'),
]


@pytest.mark.parametrize("payload", TAGGED)
def test_yaml_tags_never_construct_objects(tmp_path, payload):
    marker = tmp_path / "pwned"
    text = "guide:\n  title: T\nclaims:\n" + payload.replace("{marker}", str(marker))
    claims_file, _ = parse_claims(text, "claims.yaml")
    assert not marker.exists()
    values = [] if claims_file is None else [
        v for c in claims_file.claims for v in (c.id, c.quote, c.review.status)]
    assert all(isinstance(v, str) for v in values)  # plain text at most, never an object

    project = write_project(tmp_path / "p", claims=text)
    result = build(project)
    assert not marker.exists()
    assert result.exit_code in (0, 1)


def test_a_guide_tagged_as_python_is_an_error_not_an_object(tmp_path):
    marker = tmp_path / "pwned"
    text = f'guide: !!python/object/new:os.system ["touch {marker}"]\nclaims: []\n'
    _, problems = parse_claims(text, "claims.yaml")
    assert not marker.exists()
    assert [p.message for p in problems] == ["'guide' must be a mapping (title:, language:)"]


# --- paths -----------------------------------------------------------------

def test_a_guide_folder_linked_outside_the_project_is_refused(root, outside):
    (root / "claims" / "evil").symlink_to(outside / "guide", target_is_directory=True)
    result = build(root)
    assert result.exit_code == 1
    assert "claims/evil" in result.output
    assert "outside the project" in result.output
    # The rest is built; nothing of the linked folder is in the database.
    database = root / "evidence.db"
    assert SECRET.encode() not in database.read_bytes()
    with sqlite3.connect(database) as db:
        assert ("evil",) not in db.execute("select id from guides").fetchall()


def test_a_guide_folder_linked_outside_after_a_build_is_refused_by_the_next(root, outside):
    assert build(root).exit_code == 0
    (root / "claims" / "evil").symlink_to(outside / "guide", target_is_directory=True)
    result = build(root)
    assert result.exit_code == 1 and "up to date" not in result.output
    assert "claims/evil" in result.output and "outside the project" in result.output
    assert SECRET not in database_text(root / "evidence.db")


def test_claims_folder_linked_outside_the_project_is_refused(tmp_path, outside):
    root = tmp_path / "p2"
    root.mkdir()
    (root / "references.bib").write_text(BIB)
    (root / "claims").symlink_to(outside, target_is_directory=True)
    result = build(root)
    assert result.exit_code == 1
    assert "outside the project" in result.output
    assert SECRET not in result.output


@pytest.mark.parametrize("name", ["guide.md", "claims.yaml"])
def test_a_guide_file_linked_outside_the_project_is_refused(root, outside, name):
    target = root / "claims" / "testguide" / name
    target.unlink()
    target.symlink_to(outside / "guide" / name)
    result = build(root)
    assert result.exit_code == 1
    assert f"claims/testguide/{name}" in result.output
    assert "outside the project" in result.output
    assert SECRET not in result.output


def test_references_linked_outside_the_project_are_refused(root, outside):
    (outside / "refs.bib").write_text(f"@misc{{leak, title = {{{SECRET}}}}}\n")
    (root / "references.bib").unlink()
    (root / "references.bib").symlink_to(outside / "refs.bib")
    result = build(root)
    assert result.exit_code == 1
    assert "references.bib" in result.output and "outside the project" in result.output
    assert SECRET not in result.output


def test_links_inside_the_project_still_work(root):
    """A link that stays inside the project (a shared guide text, say) is fine."""
    folder = root / "claims" / "testguide"
    (root / "texts").mkdir()
    (folder / "guide.md").rename(root / "texts" / "guide.md")
    (folder / "guide.md").symlink_to(Path("../../texts/guide.md"))
    result = build(root)
    assert result.exit_code == 0, result.output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_instead_of_guide_md_is_an_error_not_a_hang(root):
    guide = root / "claims" / "testguide" / "guide.md"
    guide.unlink()
    os.mkfifo(guide)
    # In a subprocess: if the build opened the FIFO it would wait forever.
    done = subprocess.run([sys.executable, "-c", "from evidence.cli import cli; cli()", "build",
                           "--project", str(root)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1, done.stderr
    assert "claims/testguide/guide.md" in done.stderr
    assert "not a regular file" in done.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("incremental", [False, True])
def test_a_fifo_instead_of_history_yaml_is_an_error_not_a_hang(root, incremental):
    if incremental:
        assert build(root).exit_code == 0  # the next build is a rebuild from this one
    os.mkfifo(root / "claims" / "testguide" / "history.yaml")
    done = subprocess.run([sys.executable, "-m", "evidence", "build", "--project", str(root)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1, done.stderr
    assert "claims/testguide/history.yaml is not a regular file" in done.stderr
    assert sorted(p.name for p in root.iterdir() if ".tmp" in p.name) == []
    with sqlite3.connect(root / "evidence.db") as db:
        assert db.execute("select history_sha256 from guides").fetchall() == [(None,)]


@pytest.mark.parametrize("incremental", [False, True])
def test_a_history_linked_outside_the_project_leaves_no_trace_of_it(root, outside,
                                                                    incremental):
    import hashlib

    if incremental:
        assert build(root).exit_code == 0
    (root / "claims" / "testguide" / "history.yaml").symlink_to(outside / "secret.txt")
    result = build(root)
    assert result.exit_code == 1
    assert "claims/testguide/history.yaml is a link to" in result.output
    leaked = hashlib.sha256((outside / "secret.txt").read_bytes()).hexdigest()
    assert leaked not in database_text(root / "evidence.db")
    assert SECRET not in database_text(root / "evidence.db")


@pytest.mark.parametrize("name", ["guide.md", "claims.yaml", "history.yaml"])
def test_a_folder_where_a_guide_file_belongs_is_a_problem_not_a_traceback(root, name):
    target = root / "claims" / "testguide" / name
    if target.exists():
        target.unlink()
    target.mkdir()
    result = build(root)
    assert result.exit_code == 1, result.output
    assert f"claims/testguide/{name} is a folder, not a file" in result.output
    assert "put the file itself there" in result.output


def test_a_folder_named_references_bib_is_a_problem_not_a_traceback(root):
    (root / "references.bib").unlink()
    (root / "references.bib").mkdir()
    result = build(root)
    assert result.exit_code == 1, result.output
    assert "references.bib is a folder, not a file" in result.output


def test_the_project_root_may_itself_be_a_link(tmp_path, root):
    link = tmp_path / "link-to-project"
    link.symlink_to(root, target_is_directory=True)
    assert build(link).exit_code == 0


# --- LaTeX -----------------------------------------------------------------

def test_latex_input_and_preamble_are_never_followed(root, outside):
    secret = outside / "secret.tex"
    bib = (
        f'@preamble{{"\\input{{{secret}}}"}}\n'
        f"@string{{leak = {{\\input{{{secret}}}}}}}\n\n" + BIB.replace(
            "title = {Loading for tendinopathy: a {randomised} trial}",
            f"title = {{Loading \\input{{{secret}}} \\include{{{outside / 'secret'}}} "
            f"\\InputIfFileExists{{{secret}}}{{}}{{}} \\write18{{touch {outside}/pwned}}}},\n"
            "  note = leak",
        )
    )
    (root / "references.bib").write_text(bib)
    result = build(root)
    assert result.exit_code == 0, result.output
    assert SECRET not in database_text(root / "evidence.db")
    assert not (outside / "pwned").exists()

    # The bibliography (pandoc's citeproc) does not follow it either.
    result = CliRunner().invoke(cli, ["bibliography", "--project", str(root), "--all",
                                      "-f", "text"])
    assert SECRET not in result.output
    assert not (outside / "pwned").exists()


# --- the style named in claims.yaml -----------------------------------------

@pytest.mark.parametrize("style", ["/etc/passwd", "../../outside/secret.csl",
                                   "styles/../../outside/x.csl"])
def test_a_style_path_outside_the_project_is_refused(root, style):
    claims = CLAIMS.replace("  language: da", f"  language: da\n  style: {style}")
    write_project(root, claims=claims)
    result = build(root)
    assert result.exit_code == 1
    assert "claims.yaml:4" in result.output and "style" in result.output


@pytest.mark.parametrize("style", ["apa", "loeberlab", "styles/house.csl"])
def test_a_style_name_or_a_path_inside_the_project_is_fine(root, style):
    write_project(root, claims=CLAIMS.replace("  language: da", f"  language: da\n  style: {style}"))
    assert build(root).exit_code == 0

