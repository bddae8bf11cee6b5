"""Public mode, hardened (issue 16): the reader's routes only, GET and HEAD only,
400 for bad parameters, cheap error pages, bibliographies that cannot be made
to start a process per visitor, no link made from the Host header, and a CSP
with no inline script. Through Datasette's client, and against real servers:
``evidence serve --public`` and an ``evidence package`` folder's ``run.sh``."""

from __future__ import annotations

import asyncio
import json
import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence.host.serve import make_datasette
from evidence.publish import bibliography_plugin
from evidence.publish.metadata import TABLES
from evidence.publish.public import READER_TABLES, route_of
from evidence.publish.queries import QUERIES
from tests.publish.live import serve_package, serve_public
from tests.publish_support import build_project, make_project

DEBUG_PAGES = ["versions", "plugins", "settings", "config", "threads", "messages",
               "allow-debug", "patterns", "actor", "permissions", "metadata", "databases",
               "auth-token", "logout"]
HIDDEN = sorted(name for name, meta in TABLES.items() if meta.get("hidden"))
SHADOW = [f"{fts}_{part}" for fts in ("claims_fts", "sources_fts")
          for part in ("data", "idx", "docsize", "config")]
BAD_PARAMETERS = [
    "/evidence/claims?_sort=nope",
    "/evidence/claims?_sort_desc=nope",
    "/evidence/claims?_sort=quote&_sort_desc=position",
    "/evidence/claims?_through=nope",
    "/evidence/claims?_through=%7B%7D",
    "/evidence/claims?_through=" + quote(json.dumps(
        {"table": "_evidence_build", "column": "built_at", "value": "x"})),
    "/evidence/claims?_through=" + quote(json.dumps(
        {"table": "claim_sources", "column": "nope", "value": "x"})),
    "/evidence/sources.json?_sort=nope",
]
READER_PAGES = ["/", "/-/search?q=hase", "/-/bibliography/hasesener", "/evidence",
                "/evidence/claims", "/evidence/claims.json", "/evidence/claims/h-loading",
                "/evidence/sources/trial2020", "/evidence/guides/hasesener",
                "/evidence/trial_backed_claims", "/robots.txt",
                "/-/evidence-static/evidence.css", "/-/static/app.css"]


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    return build_project(tmp_path_factory.mktemp("public"))


@pytest.fixture
async def public(database):
    ds = make_datasette(database, public=True)
    await ds.invoke_startup()
    return ds


@pytest.fixture
async def local(database):
    ds = make_datasette(database)
    await ds.invoke_startup()
    return ds


# --- the allowlist -----------------------------------------------------------------


def test_the_allowlist_knows_the_reader_routes():
    assert route_of("/") and route_of("/-/search") and route_of("/-/bibliography/g.bib")
    assert route_of("/evidence/claims").table == "claims"
    assert route_of("/evidence/claims/h-1.json").row
    assert route_of("/evidence/trial_backed_claims").query
    for name in HIDDEN + SHADOW + ["sqlite_master", "nope"]:
        assert route_of(f"/evidence/{name}") is None, name
        assert route_of(f"/evidence/{name}/1") is None, name
    assert route_of("/-/versions") is None and route_of("/.json") is None
    assert {"claims", "sources", "guides", "findings"} <= READER_TABLES
    assert not READER_TABLES & set(HIDDEN)


@pytest.mark.parametrize("page", DEBUG_PAGES)
async def test_debug_and_introspection_pages_are_not_there(public, page):
    for path in (f"/-/{page}", f"/-/{page}.json"):
        response = await public.client.get(path)
        assert response.status_code == 404, (path, response.status_code)
        assert "0.65" not in response.text and "evidence.db" not in response.text


async def test_the_editor_still_has_them_locally(local):
    assert (await local.client.get("/-/versions")).status_code == 200


@pytest.mark.parametrize("table", HIDDEN + SHADOW)
async def test_hidden_tables_cannot_be_read(public, database, table):
    for path in (f"/evidence/{table}", f"/evidence/{table}.json", f"/evidence/{table}.csv",
                 f"/evidence/{table}/1", f"/evidence/{table}/1.json",
                 f"/evidence/{quote(table)}?_size=max"):
        response = await public.client.get(path)
        assert response.status_code == 404, (path, response.status_code)
    sql = await public.client.get(f"/evidence?sql={quote(f'select * from [{table}]')}")
    assert sql.status_code in (403, 404)
    assert "input_sha256" not in sql.text


async def test_reader_pages_answer(public):
    for path in READER_PAGES:
        response = await public.client.get(path)
        assert response.status_code == 200, (path, response.status_code)


@pytest.mark.parametrize("path", BAD_PARAMETERS)
async def test_bad_parameters_answer_400(public, path):
    response = await public.client.get(path)
    assert response.status_code == 400, (path, response.status_code, response.text[:300])


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"])
async def test_every_method_but_get_and_head_answers_405(public, method):
    for path in ("/", "/evidence/claims", "/evidence/trial_backed_claims", "/-/versions"):
        response = await public.client.request(method, path)
        assert response.status_code == 405, (method, path, response.status_code)
        assert response.headers["allow"] == "GET, HEAD"
    head = await public.client.request("HEAD", "/evidence/claims")
    assert head.status_code == 200


# A table's or row's query parameters, as a visitor may send them.
PARAMETER_NAMES = st.sampled_from([
    "_sort", "_sort_desc", "_through", "_size", "_next", "_facet", "_facet_array",
    "_facet_date", "_col", "_nocol", "_search", "_searchmode", "_q", "_shape", "_labels",
    "_json", "_where", "_fts_table", "_fts_pk", "_nl", "_stream", "_dl", "_trace",
    "_timelimit", "_ttl", "_extra", "_facet_size", "_sort_by_desc", "_filter_column",
    "_filter_op", "_filter_value", "_hash", "_header", "_nofacet", "_nocount", "_nosuggest",
    "_through", "id__exact", "basis__in", "quote__contains", "position__gt",
    "quote__glob", "start__arraycontains", "year__date", "id__notlike", "basis", "page",
])
VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "nope", "1", "-1", "0", "max", "99999999999999999999", "quote",
                     "id", "rowid", "raw", '{"table": "claim_sources", "column": "source_id", '
                     '"value": "trial2020"}', '{"table": 1, "column": [], "value": null}',
                     "[]", "{}", "'", '"', "*", "\x00", "é", "%", "~", "a,b"]))


@pytest.fixture(scope="module")
def asking(database):
    """GET through one public Datasette on a loop of its own (Hypothesis calls the test
    many times; a Datasette per call would cost more than the requests)."""
    loop = asyncio.new_event_loop()
    ds = make_datasette(database, public=True)
    loop.run_until_complete(ds.invoke_startup())
    yield lambda path: loop.run_until_complete(ds.client.get(path))
    loop.close()


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(path=st.sampled_from(
    [f"/evidence/{t}" for t in sorted(READER_TABLES)]
    + [f"/evidence/{t}.json" for t in ("claims", "sources")]
    + ["/evidence/claims/h-loading", "/evidence/sources/trial2020",
       "/evidence/guides/hasesener", "/evidence/claims/h-loading.json"]
    + [f"/evidence/{q}" for q in QUERIES]),
       params=st.lists(st.tuples(PARAMETER_NAMES, VALUES), max_size=4))
def test_no_parameter_makes_a_server_error(asking, path, params):
    from urllib.parse import urlencode

    response = asking(f"{path}?{urlencode(params)}")
    assert response.status_code < 500, (path, params, response.status_code,
                                        response.text[:500])


@pytest.mark.parametrize("query", ["position__gt=9223372036854775808",
                                   "rank=-9223372036854775809", "rank__lt=99999999999999999999"])
def test_a_filter_number_beyond_sqlite_is_a_400(asking, query):
    """Found by the test above: SQLite cannot bind it, which was a 500."""
    assert asking(f"/evidence/bases?{query}").status_code == 400
    assert asking("/evidence/bases?rank__lt=9223372036854775807").status_code == 200


# --- error pages --------------------------------------------------------------------


async def test_datasettes_traceback_printing_handler_is_gone(public, capsys, caplog):
    from datasette.plugins import pm

    assert pm.get_plugin("datasette.handle_exception") is None
    for path in ("/nope", "/evidence/claims/nope", "/evidence/claims?_sort=nope"):
        response = await public.client.get(path)
        assert response.status_code in (400, 404)
        assert "<html" in response.text and "Evidence" in response.text  # the site's frame
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert "locals" not in captured.out + captured.err
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


async def test_json_errors_are_json(public):
    response = await public.client.get("/evidence/claims.json?_sort=nope")
    assert response.status_code == 400
    assert response.json()["ok"] is False


# --- bibliographies ---------------------------------------------------------------


async def test_public_bibliography_offers_known_styles_and_locales_only(public, monkeypatch):
    calls = []
    real = bibliography_plugin.format_items

    def counting(items, style, locale):
        calls.append((style.name, locale))
        return real(items, style, locale)

    monkeypatch.setattr(bibliography_plugin, "format_items", counting)
    bibliography_plugin._CACHE.clear()
    for query in ("?style=vancouver", "?style=../../x", "?locale=xx-YY", "?style=bmj",
                  "?locale=zh-TW", "?style=apa&locale=ar"):
        response = await public.client.get(f"/-/bibliography/hasesener{query}")
        assert response.status_code == 400, query
        text = await public.client.get(f"/-/bibliography/hasesener.txt{query}")
        assert text.status_code == 400, query
    assert calls == []  # no pandoc for a refused request
    for _ in range(3):
        for query in ("", "?style=apa", "?style=apa&locale=da-DK",
                      "?style=nlm-citation-sequence&locale=en-GB"):
            response = await public.client.get(f"/-/bibliography/hasesener{query}")
            assert response.status_code == 200, query
    assert len(calls) == 4  # each list formatted once, then from the cache
    page = (await public.client.get("/-/bibliography/hasesener")).text
    # the form offers what is allowed, every control labelled
    assert re.search(r'<label for="bib-style">', page) and 'id="bib-style"' in page
    assert re.search(r'<label for="bib-locale">', page) and 'id="bib-locale"' in page
    options = re.findall(r'<option value="([^"]*)"', page)
    assert "apa" in options and "loeberlab" in options and "da-DK" in options


async def test_the_editor_may_name_any_style_locally(local):
    response = await local.client.get("/-/bibliography/hasesener?style=bmj")
    assert response.status_code == 200


def test_the_bibliography_page_is_a_template_file():
    source = (bibliography_plugin.Path(bibliography_plugin.__file__).parent / "templates"
              / "evidence_bibliography.html")
    assert source.exists()
    assert "PAGE =" not in bibliography_plugin.Path(bibliography_plugin.__file__).read_text()


# --- links and the Host header ---------------------------------------------------------


async def test_no_link_is_made_from_the_host_header(public):
    for path in ("/evidence/claims?_size=2", "/evidence/claims.json?_size=2", "/",
                 "/evidence/claims/h-loading", "/evidence/sources.json?_size=1",
                 "/evidence/claims?basis=trial&_facet=type"):
        response = await public.client.get(path, headers={"host": "evil.example"})
        assert response.status_code == 200
        assert "evil.example" not in response.text, path
        assert "evil.example" not in str(response.headers), path
    next_url = (await public.client.get("/evidence/claims.json?_size=2",
                                        headers={"host": "evil.example"})).json()["next_url"]
    assert next_url.startswith("/evidence/claims.json?")


async def test_a_configured_base_url_makes_the_absolute_links(database):
    ds = make_datasette(database, public=True, base_url="https://evidence.example.org/")
    await ds.invoke_startup()
    data = (await ds.client.get("/evidence/claims.json?_size=2",
                                headers={"host": "evil.example"})).json()
    assert data["next_url"].startswith("https://evidence.example.org/evidence/claims.json?")


# --- no inline script ----------------------------------------------------------------


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>",
                           re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


@pytest.mark.parametrize("mode", ["public", "local"])
async def test_no_page_has_an_inline_script_and_the_csp_forbids_them(database, mode):
    ds = make_datasette(database, public=mode == "public")
    await ds.invoke_startup()
    pages = READER_PAGES + ["/evidence/sources", "/evidence/claims?_facet=type",
                            "/evidence/unsupported_claims", "/nope", "/evidence/claims?_sort=x"]
    if mode == "local":
        pages += ["/evidence?sql=select+1", "/evidence/claims?_sort=quote"]
    for path in pages:
        response = await ds.client.get(path)
        csp = response.headers["content-security-policy"]
        script_src = re.search(r"script-src ([^;]*)", csp).group(1)
        assert script_src.strip() == "'self'", csp
        if "text/html" in response.headers.get("content-type", ""):
            assert not INLINE_SCRIPT.findall(response.text), (path, INLINE_SCRIPT.findall(
                response.text))
            assert not EVENT_HANDLER.findall(response.text), path


# --- real servers --------------------------------------------------------------------


@pytest.fixture(scope="module", params=["serve", "package"])
def live(request, tmp_path_factory):
    if request.param == "serve":
        database = build_project(tmp_path_factory.mktemp("serve"))
        with serve_public(database) as server:
            yield server
    else:
        folder = tmp_path_factory.mktemp("package")
        project = make_project(folder / "project")
        with serve_package(project, folder / "site") as server:
            yield server


def test_live_reader_pages_answer(live):
    for path in READER_PAGES:
        assert live.get(path).status == 200, path


def test_live_debug_pages_and_hidden_tables_are_not_there(live):
    for page in DEBUG_PAGES:
        assert live.get(f"/-/{page}").status == 404, page
        assert live.get(f"/-/{page}.json").status == 404, page
    for table in HIDDEN + SHADOW:
        assert live.get(f"/evidence/{table}").status == 404, table
        assert live.get(f"/evidence/{table}.json").status == 404, table
    assert live.get("/evidence.db").status in (403, 404)


def test_live_bad_parameters_answer_400(live):
    for path in BAD_PARAMETERS:
        assert live.get(path).status == 400, path


def test_live_methods(live):
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
        answer = live.request(method, "/evidence/claims", body=b"x=1",
                              headers={"content-type": "application/x-www-form-urlencoded"})
        assert answer.status == 405, method
        assert answer.headers["allow"] == "GET, HEAD"
    assert live.request("HEAD", "/evidence/claims").status == 200


def test_live_host_header_never_becomes_a_link(live):
    for path in ("/evidence/claims.json?_size=2", "/evidence/claims?_size=2"):
        answer = live.get(path, headers={"Host": "evil.example"})
        assert answer.status == 200
        assert "evil.example" not in answer.body
        assert "evil.example" not in json.dumps(answer.headers)


def test_live_bibliography_refuses_unknown_styles(live):
    assert live.get("/-/bibliography/hasesener?style=bmj").status == 400
    assert live.get("/-/bibliography/hasesener?locale=xx-YY").status == 400
    assert live.get("/-/bibliography/hasesener?style=apa").status == 200


def test_live_csp_and_no_inline_script(live):
    for path in ("/", "/evidence/claims", "/evidence/claims/h-loading", "/nope",
                 "/evidence/trial_backed_claims"):
        answer = live.get(path)
        assert re.search(r"script-src 'self'(;|$)", answer.headers["content-security-policy"])
        assert not INLINE_SCRIPT.findall(answer.body), path


def test_live_csv_downloads_carry_no_formula(live):
    import csv
    import io

    from evidence.publish.csv_cells import FORMULA_STARTS

    answer = live.get("/evidence/sources.csv?_size=max")
    assert answer.status == 200
    cells = [cell for row in csv.reader(io.StringIO(answer.body, newline="")) for cell in row]
    assert any(cell.startswith("'@article{") for cell in cells)  # each source's BibTeX
    assert not any(cell.startswith(FORMULA_STARTS) for cell in cells)
