"""The reading view (issue 16): the guide's page shows the guide's own text with every
claim's words marked by basis and linked to its claim page, with JSON-LD citing its
sources; on the bundled guide and on the test project."""

from __future__ import annotations

import html
import json
import re
import sqlite3
from pathlib import Path

import pytest

from evidence.database.build import build
from evidence.host.serve import make_datasette
from evidence.publish import jsonld, reading
from evidence.publish.reading import Mark, segments
from tests.publish_support import SCRIPT, build_project

REPO = Path(__file__).resolve().parents[2]
BUNDLED = "distal-hasetendinopati"
MARK = re.compile(r'<a class="claim-mark basis-(\w+)[^"]*" data-basis="(\w+)" '
                  r'data-claim="([^"]+)" href="([^"]+)">')


@pytest.fixture(scope="module")
def bundled(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("bundled") / "evidence.db"
    build(REPO, target, force=True)
    return target


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    return build_project(tmp_path_factory.mktemp("reading"))


async def page(database: Path, path: str, public: bool = True) -> str:
    ds = make_datasette(database, public=public)
    await ds.invoke_startup()
    response = await ds.client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.text


def article(text: str) -> str:
    return re.search(r'<article class="guide-text" lang="(\w+)">(.*?)</article>', text,
                     re.DOTALL).group(2)


def words(fragment: str) -> str:
    """What a reader reads: tags, basis letters and screen-reader text taken out."""
    fragment = re.sub(r'<span class="basis-tag"[^>]*>.*?</span>', "", fragment)
    fragment = re.sub(r'<span class="visually-hidden"[^>]*>.*?</span>', "", fragment)
    fragment = re.sub(r"</(p|li|h\d|ul)>", " ", fragment)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def ld(text: str) -> dict:
    body = re.search(r'<script type="application/ld\+json">(.*?)</script>', text,
                     re.DOTALL).group(1)
    assert "<" not in body
    return json.loads(body)


# --- the bundled guide ------------------------------------------------------------


async def test_the_bundled_guide_marks_every_anchored_claim_with_its_basis(bundled):
    text = await page(bundled, f"/evidence/guides/{BUNDLED}")
    with sqlite3.connect(bundled) as conn:
        claims = dict(conn.execute(
            "select id, basis from claims where guide_id = ? and start is not null",
            [BUNDLED]).fetchall())
        guide_text = conn.execute("select text from guides where id = ?",
                                  [BUNDLED]).fetchone()[0]
    assert claims
    found = {}
    for css, basis, claim, href in MARK.findall(article(text)):
        assert css == basis
        assert href == f"/evidence/claims/{claim}"
        found[claim] = basis
    assert found == claims
    # the whole text is there, headings and lists as such, in the guide's language
    body = article(text)
    assert 'lang="da"' in text.split('<article class="guide-text"', 1)[1][:20]
    assert "<h3 " in body and "<ul>" in body and "<li>" in body
    paragraphs = [p for p in guide_text.split("\n\n") if p.strip() and not p.startswith("#")
                  and not p.lstrip().startswith("-")]
    read = words(body)
    for paragraph in paragraphs[:20]:
        assert " ".join(paragraph.split()) in read


async def test_the_bundled_guide_cites_its_six_sources_in_json_ld(bundled):
    text = await page(bundled, f"/evidence/guides/{BUNDLED}")
    data = ld(text)
    assert data["@type"] == "MedicalWebPage" and data["inLanguage"] == "da"
    with sqlite3.connect(bundled) as conn:
        dois = {row[0] for row in conn.execute(
            "select so.doi from sources so join guide_references r on r.source_id = so.id "
            "where r.guide_id = ? and so.doi is not null", [BUNDLED])}
    cited = {c["identifier"]["value"] for c in data["citation"]
             if isinstance(c.get("identifier"), dict)}
    assert len(dois) == 6 and dois <= cited
    assert all(c["@type"] == "MedicalScholarlyArticle" and c.get("publicationType")
               for c in data["citation"])


# --- the test project ---------------------------------------------------------------


async def test_marks_link_every_claim_and_say_the_basis_in_text(database):
    text = await page(database, "/evidence/guides/hasesener")
    body = article(text)
    marks = MARK.findall(body)
    assert {m[2] for m in marks} == {
        "h-overload-runners", "h-definition", "h-semimembranosus", "h-loading", "h-eccentric",
        "h-massage", "h-walk", "h-cortisone", "h-script", "h-prognosis"}
    # not by colour alone: a letter after the words, the basis in words for screen readers
    assert body.count('class="basis-tag"') == len(marks)
    assert "(claim, basis: Trials)" in body
    # a legend with every basis, its letter and its words
    for basis in reading.legend():
        assert f'data-basis="{basis["code"]}">{basis["label"]}' in text
    # sections navigable
    assert '<a href="#hasesener--behandling">Behandling</a>' in text
    assert '<h3 id="hasesener--behandling">' in body


async def test_data_in_the_text_is_escaped(database):
    body = article(await page(database, "/evidence/guides/hasesener"))
    assert SCRIPT not in body
    assert html.escape(SCRIPT, quote=False) in body


async def test_a_switch_marks_one_basis_only_without_script(database):
    text = await page(database, "/evidence/guides/hasesener?basis=trial")
    marks = MARK.findall(article(text))
    assert {m[2] for m in marks} == {"h-loading", "h-eccentric"}
    assert "Massage hjælper kortvarigt." in words(article(text))  # the text stays
    assert 'aria-current="true"' in text
    every = await page(database, "/evidence/guides/hasesener?basis=nonsense")
    assert len(MARK.findall(article(every))) == 10


async def test_claim_page_carries_json_ld_of_its_own_sources(database):
    text = await page(database, "/evidence/claims/h-loading")
    data = ld(text)
    assert data["inLanguage"] == "da"
    assert [c["identifier"] for c in data["citation"]] == [
        {"@type": "PropertyValue", "propertyID": "DOI", "value": "10.1234/trial.2020"},
        {"@type": "PropertyValue", "propertyID": "DOI", "value": "10.1002/pmrj.12667"}]
    verified = ld(await page(database, "/evidence/claims/h-definition"))
    assert verified["lastReviewed"] == "2025-01-02"
    assert verified["reviewedBy"] == [{"@type": "Person", "name": "AB"}]
    assert verified["citation"] == []


def test_json_ld_cannot_close_its_script_element():
    body = str(jsonld.script_body({"name": "</script><script>alert(1)</script> & <!--"}))
    assert "<" not in body and ">" not in body and "&" not in body
    assert json.loads(body)["name"] == "</script><script>alert(1)</script> & <!--"


# --- segments -------------------------------------------------------------------


def mark(claim: str, start: int, end: int, basis: str = "trial") -> Mark:
    return Mark(claim, basis, basis, f"/c/{claim}", start, end)


def test_segments_cut_a_block_at_the_claims_boundaries():
    text = "abcdefghij"
    pieces = segments(text, 0, 10, [mark("a", 2, 5), mark("b", 7, 12)])
    assert [(p.text, p.mark.id if p.mark else None, p.last) for p in pieces] == [
        ("ab", None, False), ("cde", "a", True), ("fg", None, False), ("hij", "b", True)]


def test_overlapping_claims_give_each_piece_to_the_shortest():
    pieces = segments("abcdefghij", 0, 10, [mark("long", 0, 10), mark("short", 3, 6)])
    assert [(p.text, p.mark.id) for p in pieces] == [
        ("abc", "long"), ("def", "short"), ("ghij", "long")]
    assert [p.last for p in pieces] == [False, True, True]
    assert "".join(p.text for p in pieces) == "abcdefghij"


def test_inline_markdown_keeps_emphasis_and_escapes_everything_else():
    out = str(reading.inline_markdown("*vigtigt* <b>x</b> [link](javascript:alert(1))"))
    assert out.startswith("<em>vigtigt</em> &lt;b&gt;x&lt;/b&gt;")
    assert "<a" not in out and "href" not in out
