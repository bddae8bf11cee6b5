"""Search that forgives spelling (issue 16): æ/ø/å and their digraphs, missing
diacritics, prefixes kept; on /-/search and the tables' _q box. Datasette's own
_search stays exact."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evidence.database.build import build
from evidence.host.serve import make_datasette
from evidence.publish.pages import folded_query

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("search") / "evidence.db"
    build(REPO, target, force=True)
    return target


@pytest.fixture
async def ds(database):
    ds = make_datasette(database, public=True)
    await ds.invoke_startup()
    return ds


async def claims_found(ds, q: str) -> list[str]:
    page = (await ds.client.get("/-/search", params={"q": q})).text
    section = page.split("<h2>Claims", 1)[1].split("<h2>Sources", 1)[0]
    return re.findall(r'href="/evidence/claims/([^"]+)"', section)


async def q_box(ds, q: str) -> set[str]:
    rows = (await ds.client.get("/evidence/claims.json",
                                params={"_q": q, "_shape": "array", "_size": "max"})).json()
    return {r["id"] for r in rows}


@pytest.mark.parametrize(("exact", "typed"), [
    ("knæ", "knae"), ("løb", "lob"), ("løb", "loeb"), ("årsag", "aarsag"),
    ("årsag", "arsag"), ("Knæ", "KNAE"), ("smerte bag knæ", "smerte bag knae"),
])
async def test_a_word_typed_without_danish_letters_finds_what_it_finds(ds, exact, typed):
    found = await claims_found(ds, exact)
    assert found, exact
    assert await claims_found(ds, typed) == found
    assert await q_box(ds, typed) == await q_box(ds, exact) != set()


async def test_prefixes_still_match_and_exact_words_are_highlighted(ds):
    assert len(await claims_found(ds, "hase")) > 3  # hasesener, hasemuskler ...
    page = (await ds.client.get("/-/search", params={"q": "knæ"})).text
    assert "<mark>knæ" in page.lower()


async def test_datasettes_own_search_stays_exact(ds):
    exact = await ds.client.get("/evidence/claims.json", params={"_search": "knae"})
    assert exact.json()["rows"] == []


def test_the_query_is_folded_both_ways():
    assert folded_query("knæ") == '"knae"*'
    assert folded_query("løb") == '("loeb"* OR "lob"*)'
    assert folded_query("Årsag x") == '("aarsag"* OR "arsag"*) AND "x"*'
    assert folded_query('a"b') == '"a"* AND "b"*'
    assert folded_query("  ") is None


@pytest.mark.parametrize("q", ['"', "*", "AND", "NEAR(", "a OR", "æøå" * 40, "\x00", "é"])
async def test_odd_input_never_fails(ds, q):
    response = await ds.client.get("/-/search", params={"q": q})
    assert response.status_code == 200
    assert (await ds.client.get("/evidence/claims", params={"_q": q})).status_code == 200
