"""The publication shows orphaned claims and stale guides for what they are."""

from __future__ import annotations

import re

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


@pytest.fixture(scope="module")
def retired_database(tmp_path_factory):
    from tests.publish_support import build_retired_project

    return build_retired_project(tmp_path_factory.mktemp("retired"))


@pytest.mark.parametrize("public", [False, True])
async def test_a_retired_claim_s_page_says_it_was_retired_with_its_history(retired_database,
                                                                          public):
    from tests.publish_support import SCRIPT

    before = retired_database.read_bytes()
    ds = make_datasette(retired_database, public=public)
    await ds.invoke_startup()
    response = await ds.client.get("/evidence/claims/h-walk")
    assert response.status_code == 200, response.text[:1000]
    page = response.text
    assert "Retired claim h-walk" in page and "notice-retired" in page
    assert '<mark class="quote">Du kan gå en tur hver dag.</mark>' in page
    assert "Deleted from the guide &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<time datetime="2026-12-01">2026-12-01</time>' in page
    assert 'href="/evidence/guides/hasesener"' in page
    # its history, newest first: the retirement, then the verdict
    history = page.split('class="claim-history"')[1]
    assert history.index("action-retire") < history.index("action-review")
    assert "by Ada &lt;script&gt;alert(1)&lt;/script&gt;" in history
    assert "No &lt;script&gt;alert(1)&lt;/script&gt;" in history
    assert SCRIPT not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)", page)
    assert "content-security-policy" in response.headers
    # a claim that never was, and a retired one's JSON, stay not found
    assert (await ds.client.get("/evidence/claims/h-never")).status_code == 404
    assert (await ds.client.get("/evidence/claims/h-walk.json")).status_code == 404
    # the claims that are there are Datasette's row pages as before
    assert "notice-retired" not in (await ds.client.get("/evidence/claims/h-loading")).text
    assert (await ds.client.get("/evidence/claims/h-loading.json")).status_code == 200
    assert retired_database.read_bytes() == before
