"""What the build stores so the publication reads only the database (no parser at request time)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from evidence.bib.csl import source_to_csl
from evidence.bibliography.make import select
from evidence.bibliography.numbering import guide_bibliography
from evidence.database.build import build
from evidence.project import load_project

REPO = Path(__file__).resolve().parents[2]
GUIDE = "distal-hasetendinopati"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("project")
    shutil.copy(REPO / "references.bib", root / "references.bib")
    shutil.copytree(REPO / "claims" / GUIDE, root / "claims" / GUIDE)
    database = root / "evidence.db"
    build(root, database, force=True)
    return load_project(root, strict=False), database


def test_csl_json_is_source_to_csl_of_each_entry(built):
    project, database = built
    with sqlite3.connect(database) as conn:
        stored = dict(conn.execute("select source_id, csl_json from source_csl"))
    assert stored.keys() == {s.key for s in project.references}
    for source in project.references:
        assert json.loads(stored[source.key]) == source_to_csl(source)


def test_guide_references_are_the_printed_order_then_first_citation(built):
    project, database = built
    with sqlite3.connect(database) as conn:
        rows = conn.execute("select source_id, printed from guide_references "
                            "where guide_id = ? order by position", (GUIDE,)).fetchall()
    data = project.guide(GUIDE)
    assert [key for key, _ in rows] == select(project, guide=GUIDE).keys
    assert rows == [(key, int(printed))
                    for key, printed in guide_bibliography(data, project.references)]
    assert any(printed for _, printed in rows)  # the bundled guide prints its Kilder list


def test_blocks_are_the_parsed_guide(built):
    project, database = built
    guide = project.guide(GUIDE).guide
    with sqlite3.connect(database) as conn:
        rows = conn.execute("select kind, start, [end], line, section_id from blocks "
                            "where guide_id = ? order by position", (GUIDE,)).fetchall()
    assert rows == [(b.kind, b.start, b.end, b.line, b.section.id) for b in guide.blocks]


def test_claim_sources_counts_is_the_basis_rule(built):
    project, database = built
    with sqlite3.connect(database) as conn:
        rows = conn.execute("select cs.relation, so.retracted, cs.counts from claim_sources cs "
                            "join sources so on so.id = cs.source_id").fetchall()
    assert rows
    assert all(counts == (relation == "supports" and not retracted)
               for relation, retracted, counts in rows)


@pytest.mark.parametrize("module", ["evidence.publish.plugin", "evidence.publish.pages",
                                    "evidence.publish.bibliography_plugin"])
def test_the_publication_loads_no_parser(module):
    # Datasette itself imports PyYAML (for its metadata files): what counts is
    # what the publication's modules load beyond Datasette's own imports.
    code = ("import sys\n"
            "parsers = ('bibtexparser', 'ruamel', 'yaml', 'pylatexenc')\n"
            "def loaded(): return {m for m in sys.modules if m.split('.')[0] in parsers}\n"
            "import datasette.app, datasette.plugins\n"
            "before = loaded()\n"
            "assert not before - {m for m in before if m.split('.')[0] == 'yaml'}, before\n"
            f"import {module}\n"
            "print(sorted(loaded() - before))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=REPO)
    assert out.stdout.strip() == "[]"


async def test_the_guides_method_is_stored_and_shown_on_its_page(built):
    from evidence.host.serve import make_datasette

    project, database = built
    method = project.guide(GUIDE).claims_file.meta.method
    assert method and method.startswith("Each factual statement")
    with sqlite3.connect(database) as conn:
        assert conn.execute("select method from guides where id = ?", (GUIDE,)).fetchone()[0] \
            == method
    ds = make_datasette(database, public=True)
    await ds.invoke_startup()
    page = (await ds.client.get(f"/evidence/guides/{GUIDE}")).text
    assert "How the evidence was linked:" in page and method in page
