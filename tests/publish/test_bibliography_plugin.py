"""The publication's bibliography plugin: .bib/.ris renderers and the guide's page."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import bibtexparser
import pytest
from datasette.app import Datasette
from datasette.database import Database

from evidence.database.build import build
from evidence.host.serve import make_datasette
from evidence.publish import bibliography_plugin
from tests.bibliography.test_bibliography import KILDER_KEYS, printed_kilder
from tests.bibliography.test_export import read_ris

REPO = Path(__file__).resolve().parents[2]
GUIDE = "distal-hasetendinopati"


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("db") / "evidence.db"
    build(REPO, target, force=True)
    return target


@pytest.fixture
async def ds(database):
    datasette = make_datasette(database)
    await datasette.invoke_startup()
    return datasette


async def test_the_guide_page_shows_the_kilder_list_in_printed_order(ds):
    response = await ds.client.get(f"/-/bibliography/{GUIDE}")
    assert response.status_code == 200
    entries = re.findall(r'<div id="ref-([^"]+)" class="csl-entry"[^>]*>(.*?)</div>',
                         response.text)
    assert [key for key, _ in entries] == KILDER_KEYS
    texts = [re.sub(r"<[^>]+>", "", body).replace("&amp;", "&") for _, body in entries]
    assert texts == printed_kilder()
    assert "Kilder: Distal hasetendinopati" in response.text


async def test_the_guide_list_as_files(ds):
    text = await ds.client.get(f"/-/bibliography/{GUIDE}.txt")
    assert text.status_code == 200
    assert text.text.splitlines() == printed_kilder()
    ris = await ds.client.get(f"/-/bibliography/{GUIDE}.ris")
    assert ris.headers["content-type"].startswith("application/x-research-info-systems")
    assert [r["ID"][0] for r in read_ris(ris.text)] == KILDER_KEYS
    bib = await ds.client.get(f"/-/bibliography/{GUIDE}.bib")
    assert [e.key for e in bibtexparser.parse_string(bib.text).entries] == KILDER_KEYS
    csl = await ds.client.get(f"/-/bibliography/{GUIDE}.json")
    assert [item["id"] for item in csl.json()] == KILDER_KEYS
    md = await ds.client.get(f"/-/bibliography/{GUIDE}.md")
    assert md.text.startswith("- Sederberg M, LaMarche L")


async def test_style_and_locale_from_the_query_string(ds):
    response = await ds.client.get(f"/-/bibliography/{GUIDE}?style=apa&locale=da-DK")
    assert response.status_code == 200
    assert "APA Style" in response.text and "Sorted as the style sorts" in response.text
    keys = re.findall(r'<div id="ref-([^"]+)" class="csl-entry"', response.text)
    assert keys == sorted(KILDER_KEYS)  # APA sorts by author
    bad = await ds.client.get(f"/-/bibliography/{GUIDE}?style=../../etc/passwd")
    assert bad.status_code == 400 and "given by its name" in bad.text
    unknown = await ds.client.get(f"/-/bibliography/{GUIDE}?style=vancouver")
    assert unknown.status_code == 400 and "vancouver-ama" in unknown.text
    missing = await ds.client.get("/-/bibliography/no-such-guide")
    assert missing.status_code == 404


async def test_sources_table_downloads_as_bib_and_ris(ds):
    page = await ds.client.get("/evidence/sources")
    assert "/evidence/sources.bib" in page.text and "/evidence/sources.ris" in page.text
    bib = await ds.client.get("/evidence/sources.bib")
    assert bib.status_code == 200
    assert bib.headers["content-type"].startswith("application/x-bibtex")
    library = bibtexparser.parse_string(bib.text)
    assert sorted(e.key for e in library.entries) == sorted(KILDER_KEYS)
    # as written in references.bib
    assert "pages = {1010--1017}" in bib.text and "studydesign = {narrative-review}" in bib.text
    ris = await ds.client.get("/evidence/sources.ris?_size=2")
    assert len(read_ris(ris.text)) == 2
    row = await ds.client.get("/evidence/sources/owen2018.ris")
    [record] = read_ris(row.text)
    assert record["AU"] == ["Owen, C. E.", "Poon, A. M. T.", "Lee, S. T."]


async def test_link_tables_and_queries_download_their_sources_once(ds):
    links = await ds.client.get("/evidence/claim_sources.bib?_size=max&_labels=on")
    keys = [e.key for e in bibtexparser.parse_string(links.text).entries]
    assert len(keys) == len(set(keys)) and set(keys) <= set(KILDER_KEYS)
    query = await ds.client.get(
        "/evidence.ris?sql=select+doi+from+sources+where+id+%3D+%27chan2016%27")
    [record] = read_ris(query.text)
    assert record["ID"] == ["chan2016"]
    claims = await ds.client.get("/evidence/claims")
    assert "/evidence/claims.bib" not in claims.text  # claims name no source


def make_bare_database(path: Path) -> Path:
    """Only the contract columns (DESIGN §4): no bibtex, csl_json or guide text."""
    conn = sqlite3.connect(path)
    conn.executescript("""
        create table guides (id text primary key, title text, language text);
        create table claims (id text primary key, guide_id text, position integer,
                             start integer);
        create table claim_sources (claim_id text, source_id text, relation text);
        create table sources (id text primary key, doi text, entry_type text, title text,
            container_title text, year integer, volume text, issue text, pages text,
            authors text);
        create table source_authors (source_id text, position integer, family text,
                                     given text, orcid text);
        insert into guides values ('g', 'Guide', 'en');
        insert into claims values ('c1', 'g', 1, 10), ('c2', 'g', 2, 50);
        insert into claim_sources values ('c2', 'b', 'supports'), ('c1', 'a', 'mentions'),
                                         ('c2', 'x', 'contradicts');
        insert into sources values
          ('a', '10.1/a', 'article', 'First & <script>x</script>', 'J A', 2001, '1', '2',
           '3--4', 'Alpha A'),
          ('b', '10.1/b', 'book', 'Second', null, 2002, null, null, null, 'Beta B, Gamma GC'),
          ('x', null, 'misc', 'Against', null, 2003, null, null, null, null);
        insert into source_authors values ('a', 1, 'Alpha', 'Anna', null);
    """)
    conn.commit()
    conn.close()
    return path


async def test_a_database_without_bibtex_falls_back_to_the_columns(tmp_path):
    from datasette.plugins import pm

    if pm.get_plugin("evidence-bibliography") is None:
        pm.register(bibliography_plugin, name="evidence-bibliography")
    path = make_bare_database(tmp_path / "bare.db")
    ds = Datasette([])
    # named as the publication names its database: its plugin may be registered too
    ds.add_database(Database(ds, path=str(path)), name="evidence")
    await ds.invoke_startup()
    page = await ds.client.get("/-/bibliography/g")
    assert page.status_code == 200
    keys = re.findall(r'<div id="ref-([^"]+)" class="csl-entry"', page.text)
    assert keys == ["a", "b"]  # first citation; the contradicting source is left out
    assert "Alpha A. First &amp; &lt;script&gt;x&lt;/script&gt;." in page.text  # escaped
    assert "Beta B, Gamma GC." in page.text  # names from the display column
    bib = await ds.client.get("/evidence/sources.bib")
    entries = {e.key: e for e in bibtexparser.parse_string(bib.text).entries}
    assert entries["a"]["author"] == "Alpha, Anna"
    assert entries["a"]["pages"] == "3--4"
    assert entries["b"]["author"] == "Beta, B. and Gamma, G. C."
    ris = read_ris((await ds.client.get("/evidence/sources.ris")).text)
    assert ris[0]["TY"] == ["JOUR"] and ris[0]["SP"] == ["3"] and ris[0]["EP"] == ["4"]
    assert ris[1]["TY"] == ["BOOK"]
