"""sources.pmid and sources.pubtypes: PubMed's types from the pubtypes field, stored and
shown (escaped) on the source's page; never the study design."""

from __future__ import annotations

import sqlite3

from evidence.database.build import build
from tests.check.test_check import entry
from tests.conftest import write_project

BIB = (entry(design="case-report", extra=(
    "pubtypes = {pmid 29963580: Journal Article; Randomized Controlled Trial; <b>x</b>}"))
    + "\n" + entry(key="jones2021", doi="10.1234/other", design=None))


async def test_pubtypes_are_stored_and_shown_on_the_source_page(tmp_path):
    from evidence.host.serve import make_datasette

    project = write_project(tmp_path, bib=BIB)
    database = build(project).database
    with sqlite3.connect(database) as conn:
        rows = dict(((key, (pmid, types)) for key, pmid, types in conn.execute(
            "select id, pmid, pubtypes from sources")))
        assert rows == {
            "smith2020": ("29963580", "Journal Article; Randomized Controlled Trial; <b>x</b>"),
            "jones2021": (None, None)}
        assert conn.execute("select study_design from sources where id = 'smith2020'"
                            ).fetchone() == ("case-report",)
        codes = {row[0] for row in conn.execute(
            "select code from findings where source_id = 'smith2020'")}
        assert "study-design-contradicts-pubmed" in codes
    ds = make_datasette(database, public=True)
    await ds.invoke_startup()
    page = (await ds.client.get("/evidence/sources/smith2020")).text
    assert "PubMed types" in page and "Randomized Controlled Trial" in page
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/29963580/"' in page
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
    page = (await ds.client.get("/evidence/sources/jones2021")).text
    assert "PubMed types" not in page
