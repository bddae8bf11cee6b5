"""Words for readers (issue 16): the reader's pages (home, guide, claim, source,
search) say findings in words, show no file paths or finding codes in their prose
(the tables and their JSON keep them as data), explain the unsupported share, and
offer a search example that finds something."""

from __future__ import annotations

import html
import re

import pytest

from evidence.check.codes import CODES
from evidence.host.serve import make_datasette
from tests.publish_support import build_project

READER_PAGES = ["/", "/evidence/guides/hasesener", "/evidence/claims/h-script",
                "/evidence/claims/h-walk", "/evidence/sources/trial2020",
                "/evidence/sources/retracted2015", "/-/search?q=hase"]
JARGON = ["claims.yaml", "guide.md", "references.bib", "evidence check", "studydesign",
          "claims/"]


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    return build_project(tmp_path_factory.mktemp("wording"))


@pytest.fixture
async def ds(database):
    ds = make_datasette(database, public=True)
    await ds.invoke_startup()
    return ds


def prose(page: str) -> str:
    """The text a reader reads: no tags, attributes, scripts or styles."""
    # the BibTeX entry (a <pre>) is data shown as written, not prose
    page = re.sub(r"<(script|style|pre)\b.*?</\1>", " ", page, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.mark.parametrize("path", READER_PAGES)
async def test_no_file_paths_or_finding_codes_in_the_prose(ds, path):
    text = prose((await ds.client.get(path)).text)
    for word in JARGON:
        assert word not in text, (path, word)
    for code in CODES:
        assert not re.search(rf"(?<![\w-]){re.escape(code.code)}(?![\w-])", text), (path,
                                                                                   code.code)


async def test_findings_keep_their_codes_as_data(ds):
    page = (await ds.client.get("/evidence/claims/h-script")).text
    assert 'data-code="claim-unsupported"' in page or 'data-code="test-finding"' in page
    rows = (await ds.client.get("/evidence/findings.json?_shape=array")).json()
    assert {"code", "message"} <= set(rows[0])


@pytest.mark.parametrize("path", ["/", "/evidence/guides/hasesener"])
async def test_the_unsupported_share_is_explained(ds, path):
    text = " ".join(prose((await ds.client.get(path)).text).split())
    assert "Sources were linked only where the guide itself names them" in text


async def test_the_home_pages_search_example_finds_something(ds):
    page = (await ds.client.get("/")).text
    example = re.search(r'placeholder="e\.g\. ([^"]+)"', page).group(1)
    found = (await ds.client.get("/-/search", params={"q": html.unescape(example)})).text
    assert re.search(r'Claims <span class="count">[1-9]', found), example


async def test_canned_queries_read_as_questions_not_sql(ds):
    page = (await ds.client.get("/evidence/trial_backed_claims")).text
    title = re.search(r"<title>(.*?)</title>", page, re.DOTALL).group(1)
    assert title.strip() == "Trial-backed claims"
    assert "Custom SQL query" not in page and "Run SQL" not in page
    assert "select" not in prose(page).lower().split("this data as")[0]
