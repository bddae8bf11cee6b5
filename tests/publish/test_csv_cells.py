"""CSV downloads in public mode: no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidence.database.build import build
from evidence.host.serve import make_datasette
from evidence.publish.csv_cells import FORMULA_STARTS, neutralise, neutralise_csv
from tests.conftest import BIB, GUIDE, write_project


@pytest.mark.parametrize(("cell", "shown"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1", "'+1"), ("-5 kg", "'-5 kg"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("Tendinopati", "Tendinopati"), ("", ""),
    ("a=b", "a=b"),
])
def test_a_formula_start_is_made_text(cell, shown):
    assert neutralise(cell) == shown


@given(st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=4), min_size=1, max_size=5))
def test_every_cell_of_a_csv_is_neutralised_and_nothing_else_changes(rows):
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    read = list(csv.reader(io.StringIO(neutralise_csv(out.getvalue()), newline="")))
    expected = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert read == [[neutralise(cell) for cell in row] for row in expected]
    assert not any(cell.startswith(FORMULA_STARTS) for row in read for cell in row)


@pytest.fixture
def database(tmp_path):
    bib = BIB.replace("title = {", "title = {=HYPERLINK(\"http://evil.example\",\"x\") ", 1)
    project = write_project(tmp_path, guide=GUIDE, bib=bib)
    return build(project).database


@pytest.mark.parametrize("public", [True, False], ids=["public", "local"])
async def test_public_csv_downloads_carry_no_formula(database, public):
    ds = make_datasette(database, public=public)
    await ds.invoke_startup()
    response = await ds.client.get("/evidence/sources.csv?_size=max")
    assert response.status_code == 200
    cells = [cell for row in csv.reader(io.StringIO(response.text, newline="")) for cell in row]
    title = '=HYPERLINK("http://evil.example","x") Loading for tendinopathy: a randomised trial'
    if public:
        assert "'" + title in cells
        assert not any(cell.startswith(FORMULA_STARTS) for cell in cells)  # "@article{…" too
        assert int(response.headers["content-length"]) == len(response.content)
    else:  # the editor's own copy, on their machine, is the data as it is
        assert title in cells
