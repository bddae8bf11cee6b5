"""The publication shows orphaned claims and stale guides for what they are."""

from __future__ import annotations

import pytest

from evidence.database.build import build
from evidence.host.serve import make_datasette
from tests.conftest import CLAIMS, write_project


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    root = tmp_path_factory.mktemp("lifecycle")
    write_project(root, guide_id="aaa")
    write_project(root, claims=CLAIMS.replace("t-", "z-"), guide_id="zzz")
    build(root)
    guide = root / "claims/aaa/guide.md"
    guide.write_text(guide.read_text().replace("Progressiv belastning er centralt.",
                                               "Gradvis belastning virker."))
    claims = root / "claims/zzz/claims.yaml"
    claims.write_text(claims.read_text() + "   oops: [\n")
    result = build(root)
    assert result.problems
    return root / "evidence.db"


@pytest.mark.parametrize("public", [False, True])
async def test_an_orphaned_claim_is_marked_and_never_highlighted_in_the_new_text(database,
                                                                                public):
    ds = make_datasette(database, public=public)
    await ds.invoke_startup()
    page = (await ds.client.get("/evidence/claims/t-loading")).text
    assert "notice-orphaned" in page and "no longer in the guide" in page
    figure = page.split('class="in-context"')[1].split("</figure>")[0]
    assert "Gradvis" not in figure  # the changed paragraph is not shown as its context
    listing = await ds.client.get("/evidence/claims?anchor=orphaned")
    assert listing.status_code == 200 and "t-loading" in listing.text
    overview = (await ds.client.get("/")).text
    assert "1 orphaned" in overview


async def test_a_stale_guide_says_so_on_its_pages(database):
    ds = make_datasette(database)
    await ds.invoke_startup()
    page = (await ds.client.get("/evidence/claims/z-loading")).text
    assert "notice-stale" in page and "malformed YAML" in page
    guide_page = (await ds.client.get("/evidence/guides/zzz")).text
    assert "shown as last built" in guide_page
