"""A reversed retraction in the publication: retracted until an editor confirms."""

from __future__ import annotations

import sqlite3

import pytest

from evidence.database.build import build
from evidence.host.serve import make_datasette
from tests.publish_support import make_project

RECORDED = "updates = {retraction 10.1234/notice.2016 2016-03-01 retraction-watch}"


async def source_page(tmp_path, marks: str) -> tuple[str, bool, str]:
    root = make_project(tmp_path)
    bib = root / "references.bib"
    text = bib.read_text(encoding="utf-8")
    assert RECORDED in text
    bib.write_text(text.replace(RECORDED, RECORDED[:-1] + " " + marks + "}"), encoding="utf-8")
    database = root / "evidence.db"
    build(root, database, force=True)
    with sqlite3.connect(database) as conn:
        retracted, = conn.execute("select retracted from sources where id = 'retracted2015'"
                                  ).fetchone()
        label, = conn.execute("select label from source_updates where "
                              "source_id = 'retracted2015'").fetchone()
    ds = make_datasette(database)
    await ds.invoke_startup()
    response = await ds.client.get("/evidence/sources/retracted2015")
    assert response.status_code == 200
    return response.text, bool(retracted), label


@pytest.mark.parametrize(("marks", "retracted", "label"), [
    ("reversed=2026-12-01", True,
     "Retraction, reversed 2026-12-01 (awaiting an editor's confirmation)"),
    ("reversed=2026-12-01 confirmed=2026-12-02", False,
     "Retraction, reversed 2026-12-01 (confirmed)"),
])
async def test_a_reversal_counts_only_once_confirmed(tmp_path, marks, retracted, label):
    page, stored, stored_label = await source_page(tmp_path, marks)
    assert (stored, stored_label) == (retracted, label)
    assert ('class="banner banner-retraction"' in page) is retracted
