"""The publication, through Datasette's in-process client: every page type,
every canned query, search, escaping and public mode."""

from __future__ import annotations

import html
import json
import re
import sqlite3
from urllib.parse import parse_qs, urlsplit

import pytest

from evidence.host.serve import inspect_path, make_datasette
from evidence.publish.metadata import TABLES, metadata
from evidence.publish.pages import full_stop, reference_parts
from evidence.publish.queries import QUERIES
from evidence.scale import BASES, STUDY_DESIGNS, TIERS
from tests.publish_support import FINDING_MESSAGE, SCRIPT, build_project

ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    return build_project(tmp_path_factory.mktemp("publish"))


@pytest.fixture
async def ds(database):
    ds = make_datasette(database)
    await ds.invoke_startup()
    return ds


@pytest.fixture
async def public(database):
    ds = make_datasette(database, public=True)
    await ds.invoke_startup()
    return ds


async def get(ds, path, status=200):
    response = await ds.client.get(path)
    assert response.status_code == status, (path, response.status_code, response.text[:2000])
    return response


async def rows(ds, path):
    """A table or query as a list of dicts (JSON, array shape)."""
    separator = "&" if "?" in path else "?"
    response = await get(ds, f"{path.replace('?', '.json?', 1) if '?' in path else path + '.json'}"
                             f"{separator}_shape=array")
    return response.json()


def links(page: str, prefix: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]+)"', page) if h.startswith(prefix)]


# --- Overview -------------------------------------------------------------------


async def test_overview_counts_claims_per_basis_for_each_guide(ds):
    page = (await get(ds, "/")).text
    assert "Hasesener for løbere" in page and "Knee pain in runners" in page
    # 11 claims in 2 guides from 6 sources
    assert re.search(r"<strong>11</strong> claims in\s*<strong>2</strong> guides", page)
    # every basis of the Danish guide links to the filtered list with its count
    counts = re.findall(
        r'href="/evidence/claims\?guide_id=hasesener&amp;basis=(\w+)"><span class="swatch[^"]*">'
        r'</span><span class="count">(\d+)</span>', page)
    assert dict(counts) == {"trial": "2", "observational": "2", "case": "1", "expert": "1",
                            "consensus": "1", "unsupported": "3"}


async def test_overview_counts_only_the_sources_that_support_a_claim(ds):
    page = (await get(ds, "/")).text
    totals = re.search(r'<p class="totals">(.*?)</p>', page, re.DOTALL).group(1)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", totals)).split())
    # 6 sources in references.bib; retracted2015 supports h-cortisone but counts for nothing
    assert text.startswith("11 claims in 2 guides; 6 sources, 5 of them supporting a claim;")
    assert "backed by" not in text


async def test_overview_chart_links_every_segment_to_the_faceted_list(ds):
    page = (await get(ds, "/")).text
    assert 'class="section-chart"' in page
    segments = re.findall(r'<a class="seg basis-(\w+)[^"]*" style="flex-grow: (\d+)" href="([^"]+)"',
                          page)
    assert segments
    by_section = {}
    for basis, count, href in segments:
        query = parse_qs(urlsplit(html.unescape(href)).query)
        assert urlsplit(html.unescape(href)).path == "/evidence/claims"
        assert query["basis"] == [basis]
        if "section_id" in query:
            by_section[(query["section_id"][0], basis)] = int(count)
    assert by_section[("hasesener--behandling", "trial")] == 2
    assert by_section[("hasesener--behandling", "case")] == 1
    assert by_section[("hasesener--behandling", "unsupported")] == 1
    assert by_section[("hasesener--injektioner", "unsupported")] == 2
    # the link answers with exactly those claims
    got = await rows(ds, "/evidence/claims?guide_id=hasesener&section_id=hasesener--behandling"
                         "&basis=trial")
    assert [r["id"] for r in got] == ["h-loading", "h-eccentric"]


async def test_overview_legend_explains_every_basis_and_tier(ds):
    page = html.unescape((await get(ds, "/")).text)
    for basis in BASES:
        assert basis.label in page and basis.description in page
    for tier in TIERS:
        assert tier.label in page
    for design in STUDY_DESIGNS:
        assert design.label.lower() in page.lower()


async def test_overview_lists_the_canned_queries(ds):
    page = (await get(ds, "/")).text
    for name, query in QUERIES.items():
        assert f'href="/evidence/{name}"' in page
        assert html.escape(query["title"]) in page


async def test_overview_loads_nothing_from_outside(ds):
    page = (await get(ds, "/")).text
    for tag in re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", page):
        assert "http:" not in tag and "https:" not in tag and "//" not in tag.replace(
            "://", ""), tag
    # the only script: Datasette's menu closer, now a file of the site (no inline script)
    assert re.findall(r"<script\b[^>]*>", page) == [
        '<script src="/-/evidence-static/close-open-menus.js">']


async def test_many_guides_leave_section_charts_to_the_guide_pages(ds, monkeypatch):
    from evidence.publish import pages

    monkeypatch.setattr(pages, "CHARTS_ON_HOME", 1)
    page = (await get(ds, "/")).text
    assert 'class="section-chart"' not in page
    assert 'href="/evidence/guides/hasesener">Section by section' in page
    guide = (await get(ds, "/evidence/guides/hasesener")).text
    assert 'class="section-chart"' in guide
    assert "Injektioner" in guide


async def test_guides_are_paginated_on_the_overview(ds, monkeypatch):
    from evidence.publish import pages

    monkeypatch.setattr(pages, "GUIDES_PER_PAGE", 1)
    first = (await get(ds, "/")).text
    second = (await get(ds, "/?page=2")).text
    assert "Hasesener for løbere" in first and "Hasesener for løbere" not in second
    assert "Knee pain in runners" in second
    assert "Page 1 of 2" in first
    await get(ds, "/?page=abc")


# --- Claims list ------------------------------------------------------------------


async def test_claims_are_sorted_by_position_with_the_facets(ds):
    page = (await get(ds, "/evidence/claims?guide_id=hasesener")).text
    assert "sorted by position" in page
    data = (await get(ds, "/evidence/claims.json?guide_id=hasesener")).json()
    ids = [row[0] for row in data["rows"]]
    assert ids[:3] == ["h-overload-runners", "h-definition", "h-semimembranosus"]
    assert set(data["facet_results"]) == {"basis", "type", "section_id", "status", "indirect",
                                          "contested"}
    basis = {r["value"]: r["count"] for r in data["facet_results"]["basis"]["results"]}
    assert basis == {"trial": 2, "observational": 2, "case": 1, "expert": 1, "consensus": 1,
                     "unsupported": 3}


async def test_claims_page_shows_quotes_badges_and_readable_facets(ds):
    page = (await get(ds, "/evidence/claims?guide_id=hasesener")).text
    assert "Progressiv belastning er centralt i behandlingen." in page
    assert 'class="basis-badge basis-trial"' in page
    # facets by their readable names, flags as yes/no, labels instead of ids
    assert ">section" in page and ">indirect evidence" in page and ">review status" in page
    assert ">Behandling</a>" in page
    assert re.search(r'>yes</a> 1', page)
    # the column descriptions are there, folded
    assert "What the columns mean" in page
    assert html.escape(TABLES["claims"]["columns"]["basis"]) in page

@pytest.mark.parametrize("mode", ["local", "public"])
async def test_claims_list_shows_section_headings_linked_to_the_filter(ds, public, mode):
    app = public if mode == "public" else ds
    page = (await get(app, "/evidence/claims?guide_id=hasesener&basis=trial")).text
    cells = re.findall(r'<td class="col-section_id" data-label="Section">(.*?)</td>', page)
    assert cells, page[:2000]
    shown = {html.unescape(label): urlsplit(html.unescape(href))
             for href, label in (re.fullmatch(r'<a href="([^"]+)">(.*)</a>', c).groups()
                                 for c in cells)}
    # the heading, not the slug, and the link keeps the other filters
    assert set(shown) == {"Behandling"}
    query = parse_qs(shown["Behandling"].query)
    assert query == {"guide_id": ["hasesener"], "basis": ["trial"],
                     "section_id": ["hasesener--behandling"]}



@pytest.mark.parametrize(("path", "expected"), [
    # prefix search (the _q box): Danish compounds
    ("/evidence/claims.json?_q=hase", {"h-overload-runners"}),
    ("/evidence/claims.json?_q=hase%20over", {"h-overload-runners"}),
    ("/evidence/claims.json?_q=overbelast", {"h-overload-runners", "h-definition"}),
    ("/evidence/claims.json?_q=knæ", set()),
    ("/evidence/claims.json?_q=kortison", {"h-cortisone"}),
    # Datasette's own search: whole words, å kept apart from a
    ("/evidence/claims.json?_search=hase", set()),
    ("/evidence/claims.json?_search=gå", {"h-walk"}),
    ("/evidence/claims.json?_search=ga", set()),
    ("/evidence/claims.json?_search=løbere", {"h-overload-runners"}),
    # raw FTS syntax: explicit prefixes
    ("/evidence/claims.json?_search=overbelast*&_searchmode=raw",
     {"h-overload-runners", "h-definition"}),
    ("/evidence/sources.json?_q=hamstr", {"trial2020", "cohort2019", "corrected2021"}),
])
async def test_full_text_search_works_for_danish(ds, path, expected):
    data = (await get(ds, path + "&_shape=objects" if "?" in path else path)).json()
    assert {row["id"] for row in data["rows"]} == expected


async def test_prefix_search_box_keeps_what_was_typed(ds):
    page = (await get(ds, "/evidence/claims?_q=hase%20%22%2B")).text
    assert 'name="_q" value="hase &#34;+"' in page or 'name="_q" value="hase &quot;+"' in page
    assert "words start with" in page


# --- Claim page ---------------------------------------------------------------------


async def test_claim_page_highlights_the_quote_in_its_paragraph(ds):
    page = (await get(ds, "/evidence/claims/h-loading")).text
    assert ('<mark class="quote">Progressiv belastning er centralt i behandlingen.</mark>'
            in page)
    # the rest of the paragraph is around it
    assert "Excentrisk træning hjælper måske." in page
    assert "Du kan gå en tur hver dag." in page
    assert ">Behandling</a>" in page and ">treatment</a>" in page
    assert "Hasesener for løbere" in page


async def test_claim_page_highlights_a_list_item(ds):
    page = (await get(ds, "/evidence/claims/h-semimembranosus")).text
    assert '<mark class="quote">Semimembranosus fæster medialt på tibia</mark>' in page
    assert "list item" in page
    assert "Biceps femoris" not in page.split('class="in-context"')[1].split("</figure>")[0]


async def test_claim_page_lists_sources_with_tier_level_relation_directness_locator(ds):
    page = (await get(ds, "/evidence/claims/h-loading")).text
    table = page.split('class="claim-sources"')[1]
    assert 'href="/evidence/sources/trial2020"' in table
    assert "Randomised controlled trial" in table
    assert 'tier-badge tier-trial">Trials<' in table
    assert '<td class="num" data-label="OCEBM level">2</td>' in table  # a randomised trial
    assert '<td class="num" data-label="OCEBM level">5</td>' in table  # narrative review
    assert "relation-supports" in table
    assert "p. 12" in table
    assert ">direct<" in table


@pytest.mark.parametrize(("claim", "words"), [
    ("h-loading", "Rests on one randomised controlled trial and one narrative review."),
    ("h-semimembranosus", "Rests on one narrative review; no trial or observational study."),
    ("h-overload-runners", "Rests on one cohort study; no trial."),
    ("h-massage", ("Rests on one case report; no trial or observational study. "
                  "Contradicted by cohort2019.")),
    ("h-eccentric", ("Rests on one randomised controlled trial. The best of these studied "
                    "another condition or population, so the claim is extrapolated.")),
    ("h-definition", "Rests on clinical consensus or established knowledge; no source is cited."),
    ("h-walk", "No source supports it and no consensus reason is given: it needs a source."),
    ("h-cortisone", "Not counted, because retracted: retracted2015."),
])
async def test_claim_page_explains_the_basis_in_plain_words(ds, claim, words):
    page = html.unescape((await get(ds, f"/evidence/claims/{claim}")).text)
    assert words in page


async def test_claim_page_shows_review_status_and_findings(ds, database):
    page = (await get(ds, "/evidence/claims/h-definition")).text
    assert 'status-verified">verified</span> by AB on 2025-01-02' in page
    page = (await get(ds, "/evidence/claims/h-script")).text
    assert "needs-source" in page
    assert "test-finding" in page
    assert html.escape(FINDING_MESSAGE) in page and FINDING_MESSAGE not in page
    with sqlite3.connect(database) as conn:
        codes = [r[0] for r in conn.execute(
            "select code from findings where claim_id = 'h-script'")]
    for code in codes:
        assert code in page


async def test_claim_page_short_reference_ends_title_and_journal_with_full_stops(ds):
    page = (await get(ds, "/evidence/claims/h-loading")).text
    shorts = re.findall(r'<div class="ref-short">(.*?)</div>', page)
    assert shorts[0] == ("Smith J, Jensen Å (2020). Progressive loading for hamstring "
                         "tendinopathy: a randomised trial. <cite>J Test.</cite>")


@pytest.mark.parametrize(("text", "sentence"), [
    ("and rehabilitation", "and rehabilitation."),
    ("Already ended.", "Already ended."),
    ("Does loading help?", "Does loading help?"),
    ("Run!", "Run!"),
    ("Knee Surg Sports Traumatol Arthrosc ", "Knee Surg Sports Traumatol Arthrosc."),
    ("", ""),
    (None, ""),
])
def test_references_end_their_parts_the_way_ama_does(text, sentence):
    assert full_stop(text) == sentence
    parts = reference_parts({"title": text, "container_title": text}, [])
    assert parts["title"] == parts["journal"] == sentence


async def test_claim_page_marks_a_retracted_source(ds):
    page = (await get(ds, "/evidence/claims/h-cortisone")).text
    assert "Retracted: not counted" in page
    assert 'class="not-counting"' in page


async def test_claim_page_links_neighbours_and_404s_unknown_claims(ds):
    page = (await get(ds, "/evidence/claims/h-definition")).text
    assert 'href="/evidence/claims/h-overload-runners"' in page
    assert 'href="/evidence/claims/h-semimembranosus"' in page
    await get(ds, "/evidence/claims/no-such-claim", status=404)
    await get(ds, "/evidence/claims/h-loading.json")


# --- Escaping ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/evidence/claims/h-script",
    "/evidence/claims?guide_id=hasesener",
    "/evidence/claims?_q=redaktøren",
    "/-/search?q=redakt%C3%B8ren",
    "/evidence/unsupported_claims",
    "/evidence/claims/h-cortisone",  # the script is in the same paragraph
])
async def test_html_in_a_quote_renders_escaped(ds, path):
    page = (await get(ds, path)).text
    assert SCRIPT not in page
    assert ESCAPED_SCRIPT in page or "&lt;script&gt;" in page


async def test_html_in_a_title_renders_escaped(ds):
    page = (await get(ds, "/evidence/sources/review2022")).text
    assert "<i>a</i>" not in page
    assert "&lt;i&gt;a&lt;/i&gt;" in page


# --- Source page ----------------------------------------------------------------------------


async def test_source_page_formats_the_reference_with_a_doi_link(ds):
    page = (await get(ds, "/evidence/sources/trial2020")).text
    assert ("Smith J, Jensen Å. Progressive loading for hamstring tendinopathy: a randomised "
            "trial. <cite>J Test.</cite> 2020;1(2):10-20.") in page
    assert 'href="https://doi.org/10.1234/trial.2020"' in page
    assert "Randomised controlled trial</strong>, OCEBM level 2" in page
    assert 'tier-badge tier-trial">Trials<' in page


async def test_source_page_lists_every_claim_citing_it(ds):
    page = (await get(ds, "/evidence/sources/trial2020")).text
    for claim in ("h-loading", "h-eccentric", "e-load"):
        assert f'href="/evidence/claims/{claim}"' in page
    assert "Knee pain in runners" in page
    assert "Trial in Achilles tendinopathy." in page


async def test_source_page_shows_a_retraction_banner(ds):
    page = (await get(ds, "/evidence/sources/retracted2015")).text
    assert 'class="banner banner-retraction"' in page
    assert "Retracted." in page and "10.1234/notice.2016" in page
    page = (await get(ds, "/evidence/sources/corrected2021")).text
    assert 'class="banner banner-retraction"' not in page
    assert "banner-correction" in page and "10.1234/erratum.2022" in page
    page = (await get(ds, "/evidence/sources/trial2020")).text
    assert 'class="banner' not in page


# --- Search page -----------------------------------------------------------------------------


async def test_search_page_finds_claims_and_sources_by_prefix(ds):
    page = (await get(ds, "/-/search?q=hase")).text
    assert "<mark>Hasesenerne</mark>" in page
    assert 'href="/evidence/claims/h-overload-runners"' in page
    page = (await get(ds, "/-/search?q=hamstr")).text
    assert 'href="/evidence/sources/trial2020"' in page


@pytest.mark.parametrize("q", ['"', "*", "AND", "-", "NEAR(", "'", "%22hase", ""])
async def test_search_page_never_fails_on_odd_input(ds, q):
    await get(ds, f"/-/search?q={q}")
    await get(ds, f"/evidence/claims?_q={q}")


# --- Canned queries ------------------------------------------------------------------------------


QUERY_ROWS = {
    "trial_backed_claims": ["h-loading", "h-eccentric", "e-load"],
    "consensus_only_claims": ["h-definition"],
    "unsupported_claims": ["h-walk", "h-cortisone", "h-script"],
    "single_source_claims": ["h-overload-runners", "h-semimembranosus", "h-eccentric",
                             "h-massage", "h-prognosis", "e-load"],
    "indirect_evidence": ["h-eccentric"],
    "claims_affected_by_updates": ["h-cortisone", "h-prognosis"],
}


@pytest.mark.parametrize(("name", "expected"), QUERY_ROWS.items())
async def test_canned_query_answers(ds, name, expected):
    got = await rows(ds, f"/evidence/{name}")
    assert sorted(r["claim_id"] for r in got) == sorted(expected)
    page = (await get(ds, f"/evidence/{name}")).text
    assert f'<a href="/evidence/claims/{expected[0]}">{expected[0]}</a>' in page


@pytest.mark.parametrize("doi", ["10.1002/pmrj.12667", "https://doi.org/10.1002/PMRJ.12667",
                                 " doi:10.1002/pmrj.12667 "])
async def test_claims_citing_a_doi(ds, doi):
    from urllib.parse import quote

    got = await rows(ds, f"/evidence/claims_citing_doi?doi={quote(doi)}")
    assert sorted(r["claim_id"] for r in got) == ["h-loading", "h-semimembranosus"]


async def test_sources_by_tier(ds):
    got = await rows(ds, "/evidence/sources_by_tier")
    assert [r["source_id"] for r in got][:2] == ["trial2020", "retracted2015"]
    assert [r["tier"] for r in got] == ["Trials", "Trials", "Observational studies",
                                        "Observational studies", "Case reports and series",
                                        "Expert and laboratory literature"]
    assert {r["source_id"]: r["supports_claims"] for r in got}["trial2020"] == 3


async def test_every_canned_query_is_tested_and_runs_in_public_mode(public):
    assert set(QUERY_ROWS) | {"claims_citing_doi", "sources_by_tier"} == set(QUERIES)
    for name in QUERIES:
        await get(public, f"/evidence/{name}" + ("?doi=10.1234/trial.2020"
                                                 if name == "claims_citing_doi" else ""))


# --- Other pages -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/evidence", "/evidence/sources", "/evidence/sections", "/evidence/claim_sources",
    "/evidence/findings", "/evidence/bases", "/evidence/tiers", "/evidence/study_designs",
    "/evidence/source_updates", "/evidence/source_authors", "/evidence/guides",
    "/evidence/bases/trial", "/evidence/sections/hasesener--behandling", "/-/metadata",
])
async def test_every_other_page_answers(ds, path):
    page = (await get(ds, path)).text
    assert "Error" not in page.split("<title>")[1].split("</title>")[0]


async def test_foreign_keys_show_labels_not_ids(ds):
    page = (await get(ds, "/evidence/claim_sources?claim_id=h-loading")).text
    assert "Progressiv belastning er centralt i behandlingen." in page
    assert "Progressive loading for hamstring tendinopathy" in page


# --- Metadata ------------------------------------------------------------------------------------------


def test_metadata_describes_every_table_and_column(database):
    meta = metadata()
    assert meta["title"] and meta["description"] and meta["license"] and meta["source"]
    tables = meta["databases"]["evidence"]["tables"]
    with sqlite3.connect(database) as conn:
        names = [r[0] for r in conn.execute(
            "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' "
            "and name not like '%_fts_%'")]
        for table in names:
            assert table in tables, table
            assert tables[table].get("description"), table
            if table.endswith("_fts"):
                continue
            columns = [r[1] for r in conn.execute(f"pragma table_info([{table}])")]
            missing = set(columns) - set(tables[table].get("columns", {}))
            assert not missing, (table, missing)
    for table in ("guides", "sections", "claims", "sources", "study_designs", "tiers", "bases"):
        assert tables[table]["label_column"]
    assert tables["claims"]["sort"] == "position"


def test_metadata_queries_are_the_canned_queries():
    assert metadata()["databases"]["evidence"]["queries"] == QUERIES


# --- Public mode ----------------------------------------------------------------------------------------


async def test_public_mode_refuses_arbitrary_sql(public):
    await get(public, "/evidence?sql=select+1", status=403)
    # the database's JSON is no reader's page: not there at all
    await get(public, "/evidence.json?sql=select+1", status=404)
    await get(public, "/evidence/claims?_where=1", status=403)
    page = (await get(public, "/evidence/claims")).text
    assert "View and edit SQL" not in page


async def test_public_mode_refuses_the_raw_download(public, database):
    await get(public, "/evidence.db", status=404)  # no such page for a reader
    allowed = make_datasette(database, public=True, settings={"allow_download": True})
    await allowed.invoke_startup()
    await get(allowed, "/evidence.db")


async def test_public_mode_is_immutable_with_inspect_data(public, database):
    db = public.get_database("evidence")
    assert not db.is_mutable
    assert public.inspect_data["evidence"]["tables"]["claims"]["count"] == 11
    saved = json.loads(inspect_path(database).read_text())
    assert saved["evidence"]["hash"] == db.hash
    data = (await get(public, "/evidence/claims.json")).json()
    assert data["filtered_table_rows_count"] == 11


async def test_stale_inspect_file_is_recomputed(tmp_path):
    database = build_project(tmp_path)
    inspect_path(database).write_text(json.dumps(
        {"evidence": {"hash": "0", "size": 1, "tables": {"claims": {"count": 999}}}}))
    ds = make_datasette(database, public=True)
    assert ds.inspect_data["evidence"]["tables"]["claims"]["count"] == 11


@pytest.mark.parametrize("path", ["/", "/evidence/claims", "/evidence/claims/h-loading",
                                  "/-/search?q=hase", "/robots.txt", "/evidence/sources_by_tier"])
async def test_every_response_has_a_content_security_policy(public, path):
    response = await get(public, path)
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_robots_are_kept_out(public):
    response = await get(public, "/robots.txt")
    assert response.text.splitlines() == ["User-agent: *", "Disallow: /"]


async def test_public_pages_still_work(public):
    for path in ("/", "/evidence/claims", "/evidence/claims/h-script", "/evidence/sources/trial2020",
                 "/evidence/guides/hasesener", "/-/search?q=hase", "/evidence/claims?_q=hase"):
        page = (await get(public, path)).text
        assert SCRIPT not in page


async def test_plugins_are_registered_once(database):
    from datasette.plugins import pm

    make_datasette(database)
    make_datasette(database, public=True)
    names = [name for name, _ in pm.list_name_plugin() if name.startswith("evidence")]
    assert names.count("evidence") == 1


async def test_missing_database_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="evidence build"):
        make_datasette(tmp_path / "nope.db")


async def test_bibliography_plugin_is_registered_and_linked_when_present(ds):
    pytest.importorskip("evidence.publish.bibliography_plugin")
    from datasette.plugins import pm

    assert pm.get_plugin("evidence-bibliography") is not None
    page = (await get(ds, "/")).text
    assert 'href="/-/bibliography/hasesener"' in page
    guide = (await get(ds, "/evidence/guides/hasesener")).text
    assert 'href="/-/bibliography/hasesener"' in guide
    bib = (await get(ds, "/-/bibliography/hasesener.bib")).text
    assert "@article{trial2020," in bib
