"""One LaTeX decoder: the database, the pages, the check and the CSL export read a value alike."""

from __future__ import annotations

import json
import sqlite3
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.bib.latex import latex_to_csl, latex_to_text
from evidence.bib.references import parse_references
from evidence.bib.richtext import strip_markup
from evidence.cli import cli
from evidence.database.build import build
from evidence.host.serve import make_datasette
from tests.conftest import write_project


@pytest.mark.parametrize(("value", "text"), [
    (r"\href{https://example.org/a}{The words} here", "The words here"),
    (r"See \url{https://a.b/c}", "See https://a.b/c"),
    ("50% of {A} \\& more", "50% of A & more"),
    (r"Sz\~{u}cs and Pi\~na", "Szũcs and Piña"),
    (r"Er\~{o}ss {\'E}mile M\"{u}ller", "Erõss Émile Müller"),
    ("Pain -- and gain---really", "Pain – and gain—really"),
    (r"\emph{in vivo} {MRI}", "in vivo MRI"),
])
def test_display_text(value, text):
    assert latex_to_text(value) == text


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab {}\\~'\"-`&%#$^_href", max_size=40))
def test_display_text_is_the_csl_text_without_markup(value):
    assert latex_to_text(value) == strip_markup(latex_to_csl(value))


BIB = r"""@article{szucs2020,
  author = {Sz\~{u}cs, Attila and Mohammed, AMT and Pi\~na, J},
  title = {\href{https://example.org/trial}{Eccentric loading of the hamstrings}: a trial},
  journal = {J Test},
  year = {2020},
  volume = {1},
  pages = {1--2},
  doi = {10.5555/szucs.2020},
  studydesign = {randomised-trial}
}
"""

GUIDE = """\
# Test

Excentrisk træning hjælper på smerten.

## Kildeliste

- Szũcs A, Mohammed AMT, Piña J. Eccentric loading of the hamstrings: a trial. J Test. 2020;1:1-2. DOI: 10.5555/szucs.2020
"""

CLAIMS = textwrap.dedent("""\
    guide:
      title: Test
      language: da
    claims:
      - id: t-eccentric
        quote: "Excentrisk træning hjælper på smerten."
        type: treatment
        evidence:
          - source: szucs2020
            relation: supports
    """)

WORDS = "Eccentric loading of the hamstrings: a trial"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path, guide=GUIDE, claims=CLAIMS, bib=BIB)


def test_a_source_reads_the_same_everywhere(project):
    source = parse_references(BIB).get("szucs2020")
    assert source.text("title") == WORDS
    assert [(a.family, a.given) for a in source.authors] == [
        ("Szũcs", "Attila"), ("Mohammed", "AMT"), ("Piña", "J")]
    database = project / "evidence.db"
    build(project, database, force=True)
    with sqlite3.connect(database) as conn:
        title, authors = conn.execute(
            "select title, authors from sources where id = 'szucs2020'").fetchone()
        csl = json.loads(conn.execute(
            "select csl_json from source_csl where source_id = 'szucs2020'").fetchone()[0])
    assert (title, authors) == (WORDS, "Szũcs A, Mohammed AMT, Piña J")
    assert strip_markup(csl["title"]) == WORDS
    assert [a["family"] for a in csl["author"]] == ["Szũcs", "Mohammed", "Piña"]
    # the printed-citation check reads the names and their initials the same way
    result = CliRunner().invoke(cli, ["check", "--project", str(project), "--format", "json"])
    codes = {f["code"] for f in json.loads(result.output)["findings"]}
    assert "printed-citation-differs" not in codes


async def test_the_pages_show_the_words(project):
    database = project / "evidence.db"
    build(project, database, force=True)
    ds = make_datasette(database)
    await ds.invoke_startup()
    for path in ("/evidence/sources/szucs2020", "/evidence/claims/t-eccentric"):
        page = (await ds.client.get(path)).text
        # (the source page also shows the entry as written in references.bib)
        assert WORDS in page and "hrefhttps" not in page
        assert "Mohammed AMT" in page and "Szũcs A" in page


_BRACES_AND_DASHES = st.lists(st.sampled_from(
    list("aBz æøÅ{}{}{}.,:;()/+=?!*<>@|\"0159\n\t-") + ["--", "---", "MRI", "{}", " {", "} "]),
    max_size=30).map("".join)


@settings(max_examples=2000, deadline=None)
@given(value=_BRACES_AND_DASHES)
def test_braces_and_dashes_skip_the_parser_and_decode_as_it_does(value):
    from evidence.bib.latex import _parsed_to_csl

    assert latex_to_csl.__wrapped__(value) == (
        _parsed_to_csl(value) if any(c in value for c in "{}") or "--" in value
        else " ".join(value.split()))


def test_every_value_of_cdl_decodes_as_the_parser_does(shared):
    from evidence.bib.latex import _parsed_to_csl

    refs = parse_references((shared / "bench" / "cdl.bib").read_text(encoding="utf-8"))
    values = {str(f.value) for s in refs.sources for f in s.entry.fields}
    braced = [v for v in values if "{" in v or "--" in v]
    assert len(braced) > 1000
    assert [v for v in braced if latex_to_csl.__wrapped__(v) != _parsed_to_csl(v)] == []
