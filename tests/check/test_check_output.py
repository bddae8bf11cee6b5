"""`evidence check` on a large project: summarised beyond 50 lines, --full for all."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from evidence.cli import cli
from tests.conftest import write_project

HEAD = "guide:\n  title: T\n  language: da\nclaims: []\n"


def bib(n: int) -> str:
    return "".join(f"@book{{book{i},\n  title = {{Book {i}}},\n  year = {{2000}}\n}}\n\n"
                   for i in range(n))


def check(root, *args):
    return CliRunner().invoke(cli, ["check", "--project", str(root), *args])


def test_many_findings_are_summarised_by_code_and_full_prints_every_one(tmp_path):
    root = write_project(tmp_path, claims=HEAD, bib=bib(40))
    full = check(root, "--full")
    # 40 sources x (no DOI, no design, uncited): 120 findings, two lines each
    assert full.output.count("references.bib:") == 120
    assert full.output.count("\n") > 240
    short = check(root)
    assert short.exit_code == full.exit_code == 0
    out = short.output
    assert len(out.splitlines()) < 50
    for code, severity in (("source-no-doi", "warning"), ("source-no-study-design", "warning"),
                           ("source-uncited", "info")):
        assert f"  {code}  40\n" in out
        assert f"… and 37 more {code} (--code {code} --full)" in out
        assert re.search(rf"^  {code} +40  {severity}$", out, re.MULTILINE)
    assert out.count("references.bib:") == 9  # the first three of each code
    assert "book0  references.bib:1" in out and "book39" not in out
    assert "--full shows every one" in out


def test_a_few_findings_are_printed_whole_and_json_stays_complete(tmp_path):
    root = write_project(tmp_path, claims=HEAD, bib=bib(8))
    out = check(root).output
    assert out.count("references.bib:") == 24 and "more" not in out
    many = write_project(tmp_path / "many", claims=HEAD, bib=bib(40))
    report = json.loads(check(many, "-f", "json").output)
    sources = [f for f in report["findings"] if f["source_id"]]
    assert len(sources) == 120 and len(report["findings"]) == report["summary"]["warning"] \
        + report["summary"]["info"] + report["summary"]["error"]
    markdown = check(many, "-f", "markdown").output
    assert markdown.count("| `source-uncited` | `book") == 40  # every row, as before
    summary = check(many, "--summary").output
    assert "references.bib:" not in summary and "source-uncited" in summary
