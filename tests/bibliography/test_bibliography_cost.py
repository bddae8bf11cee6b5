"""What keeps a bibliography cheap changes nothing it prints: a bibliography of
citekeys or of all of references.bib reads no guide, and references.bib only
as the project reads it."""

from __future__ import annotations

from click.testing import CliRunner

from evidence.cli import cli
from tests.conftest import BIB, write_project


def test_a_bibliography_of_citekeys_reads_no_guide(tmp_path):
    root = write_project(tmp_path, claims="guide: [unclosed\n", bib=BIB)
    result = CliRunner().invoke(cli, ["bibliography", "--project", str(root),
                                      "-k", "smith2020"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Smith J, World Health Organization.")
    broken_guide = CliRunner().invoke(cli, ["bibliography", "--project", str(root),
                                            "--guide", "testguide"])
    assert broken_guide.exit_code == 1


def test_a_references_bib_linked_from_outside_is_not_read(tmp_path):
    outside = tmp_path / "outside.bib"
    outside.write_text(BIB, encoding="utf-8")
    root = tmp_path / "project"
    write_project(root, bib=None)
    (root / "references.bib").symlink_to(outside)
    result = CliRunner().invoke(cli, ["bibliography", "--project", str(root),
                                      "-k", "smith2020"])
    assert result.exit_code == 1 and "unknown citekey 'smith2020'" in result.output
