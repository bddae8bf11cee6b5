"""The publication's Datasette plugin: the ``evidence`` entry point of the ``datasette``
group (pyproject.toml), so any Datasette in an environment with evidence installed
loads it; :func:`evidence.host.serve.register_plugins` registers it in-process
where no entry point is installed (a packaged publication). Importing it
registers the bibliography plugin (:mod:`evidence.publish.bibliography_plugin`)
too. Configured through Datasette's plugin config (:mod:`evidence.publish.config`).

- ``/`` is the evidence overview: claims per basis for each guide and a chart
  of basis per section, rendered on the server (no scripts);
- ``/-/search`` searches claims and sources, every word a prefix (Danish
  compounds: ``hase`` finds ``hasesenerne``);
- claim, source and guide pages get their data through
  ``extra_template_vars``;
- every response carries a Content-Security-Policy (no inline script: the
  templates that held some are forked, their code in static files) and
  ``/robots.txt`` keeps crawlers out of the faceted pages;
- in public mode :mod:`evidence.publish.public` gates every request (methods,
  the reader's routes, parameters) and :mod:`evidence.publish.error_pages`
  answers errors cheaply in place of Datasette's handler;
- absolute links come from the configured ``base_url`` or are relative, never
  from the request's Host header.
"""

from __future__ import annotations

from urllib.parse import urljoin

from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.utils import tilde_encode, urlsafe_components
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup

from evidence.publish import bibliography_plugin, error_pages, jsonld, pages, public, reading
from evidence.publish.config import PublicationConfig
from evidence.publish.metadata import DATABASE
from evidence.scale import BASIS_BY_CODE, STUDY_DESIGNS, TIERS

CSP_DIRECTIVES = (
    "default-src 'self'",
    # No inline script anywhere (base.html, _close_open_menus.html, table.html and
    # _codemirror_foot.html are forked for that); styles: Datasette's inline ones stay.
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
CSP = "; ".join(CSP_DIRECTIVES)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]
ROBOTS_TXT = "User-agent: *\nDisallow: /\n"
BIBLIOGRAPHY_PLUGIN = "evidence-bibliography"


def register_bibliography_plugin() -> None:
    """Register the bibliography plugin beside this one, once: Datasette loads
    one module per entry point, and pluggy refuses a module registered twice."""
    from datasette.plugins import pm

    if not pm.is_registered(bibliography_plugin) and pm.get_plugin(BIBLIOGRAPHY_PLUGIN) is None:
        pm.register(bibliography_plugin, name=BIBLIOGRAPHY_PLUGIN)


register_bibliography_plugin()
error_pages.replace_datasette_handler()


def _db(datasette):
    return datasette.get_database(DATABASE)


async def _check_visible(datasette, request):
    await datasette.ensure_permissions(
        request.actor, [("view-database", DATABASE), "view-instance"])


def _page_number(request) -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


# --- Routes ------------------------------------------------------------------


async def overview(datasette, request):
    await _check_visible(datasette, request)
    db = _db(datasette)
    guides, pages_count = await pages.guide_summaries(
        datasette, db, page=_page_number(request))
    totals = await pages.totals(db)
    with_charts = totals["guides"] <= pages.CHARTS_ON_HOME
    if with_charts:
        for guide in guides:
            await pages.add_sections(datasette, db, guide)
    context = {
        "metadata": datasette.metadata(),
        "guides": guides,
        "with_charts": with_charts,
        "page": _page_number(request),
        "pages": pages_count,
        "totals": totals,
        "overall": await pages.overall_bar(datasette, db) if totals["guides"] > 1 else None,
        "legend": pages.legend(),
        "queries": await _canned_queries(datasette),
        "bibliography": _bibliography_routes(datasette),
        "search_example": await pages.search_example(db),
    }
    return Response.html(await datasette.render_template(
        "evidence_overview.html", context, request=request, view_name="index"))


async def search(datasette, request):
    await _check_visible(datasette, request)
    text = (request.args.get("q") or "").strip()[:200]
    result = await pages.search(datasette, _db(datasette), text)
    return Response.html(await datasette.render_template(
        "evidence_search.html",
        {"search": result, "legend": pages.legend(), "metadata": datasette.metadata(),
         "search_example": await pages.search_example(_db(datasette))},
        request=request, view_name="search"))


async def robots(request):
    return Response.text(ROBOTS_TXT)


async def claim_row(datasette, request, send):
    """A claim's page, Datasette's row page as ever; the id of a retired claim
    (``retired_claims``), which has no row, answers with the retirement: its last
    words, the reason, the day and its history (an HTML page; JSON and the other
    formats of a row that is not there stay a 404)."""
    try:
        return await _row_view(datasette)(request, send)
    except NotFound:
        key = _row_key(request)
        if request.url_vars.get("format") or key is None:
            raise
        data = await pages.retired_claim_page(datasette, _db(datasette), key)
        if data is None:
            raise
    return Response.html(await datasette.render_template(
        "evidence_retired_claim.html",
        {"evidence": data, "evidence_nav": True, "evidence_legend": pages.legend(),
         "evidence_public": PublicationConfig.of(datasette).public,
         "metadata": datasette.metadata()},
        request=request, view_name="retired-claim"))


def _row_view(datasette):
    """Datasette's own row view, as its router makes it."""
    from datasette.views.row import RowView

    return RowView.as_view(datasette)


@hookimpl
def register_routes(datasette):
    return [
        (r"^/$", overview),
        (r"^/-/search$", search),
        (r"^/robots\.txt$", robots),
        # Datasette's row route (datasette/app.py, _routes) for the claims table only
        (rf"^/(?P<database>{DATABASE})/(?P<table>claims)/(?P<pks>[^/]+?)"
         r"(\.(?P<format>\w+))?$", claim_row),
    ]


# --- Template data -------------------------------------------------------------


async def _canned_queries(datasette) -> list[dict]:
    queries = await datasette.get_canned_queries(DATABASE, None)
    return [{"name": name, "title": q.get("title") or name,
             "description": q.get("description"),
             "url": datasette.urls.query(DATABASE, name)}
            for name, q in queries.items()]


def _bibliography_routes(datasette) -> bool:
    """Whether the bibliography plugin (``/-/bibliography/<guide>``) is there."""
    from datasette.plugins import pm

    return pm.get_plugin(BIBLIOGRAPHY_PLUGIN) is not None


FACET_NAMES = {
    "claims": {"section_id": "section", "guide_id": "guide", "indirect": "indirect evidence",
               "contested": "contested", "status": "review status"},
    "sources": {"study_design": "study design", "entry_type": "entry type",
                "metadata_source": "metadata from"},
    "sections": {"guide_id": "guide"},
    "findings": {"guide_id": "guide"},
}
FLAG_COLUMNS = {
    "claims": ["indirect", "contested"],
    "sources": ["retracted"],
    "claim_sources": ["direct"],
}


def _row_key(request) -> str | None:
    pks = request.url_vars.get("pks") if request else None
    if not pks:
        return None
    components = urlsafe_components(pks)
    return components[0] if len(components) == 1 else None


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    if database != DATABASE:
        return {}

    async def inner():
        db = _db(datasette)
        legend = pages.legend()
        common = {"evidence_legend": legend, "evidence_nav": True,
                  "evidence_public": PublicationConfig.of(datasette).public}
        if view_name == "row":
            key = _row_key(request)
            if key is None:
                return common
            if table == "claims":
                data = await pages.claim_page(datasette, db, key)
                if data is None:
                    raise NotFound("Claim not found")
                return {**common, "evidence": data,
                        "evidence_jsonld": await _claim_jsonld(datasette, db, data)}
            if table == "sources":
                data = await pages.source_page(datasette, db, key)
                if data is None:
                    raise NotFound("Source not found")
                return {**common, "evidence": data}
            if table == "guides":
                guides, _ = await pages.guide_summaries(datasette, db, guide_ids=[key])
                if not guides:
                    raise NotFound("Guide not found")
                guide = await pages.add_sections(datasette, db, guides[0])
                view = await reading.reading_view(datasette, db, key,
                                                  request.args.get("basis"))
                return {**common, "evidence": {"guide": guide, "reading": view},
                        "evidence_jsonld": await _guide_jsonld(datasette, db, guide),
                        "bibliography": _bibliography_routes(datasette)}
        if view_name == "table":
            extra: dict = {}
            if table == "claims":
                extra["evidence_languages"] = {row[0]: row[1] for row in await db.execute(
                    "select id, language from guides")}
            if table == "sources":
                extra["evidence_design_labels"] = {d.code: d.label for d in STUDY_DESIGNS}
                extra["evidence_tier_labels"] = {t.code: t.label for t in TIERS}
            return {**common, **extra,
                    "evidence_basis_labels": {b["code"]: b["label"]
                                              for b in legend["bases"]},
                    "evidence_facet_names": FACET_NAMES.get(table, {}),
                    "evidence_flag_columns": FLAG_COLUMNS.get(table, [])}
        return common

    return inner


def _page_url(datasette, path: str) -> str:
    base_url = PublicationConfig.of(datasette).base_url
    return urljoin(base_url, path) if base_url else path


async def _guide_jsonld(datasette, db, guide) -> Markup:
    return jsonld.script_body(jsonld.page(
        name=guide.title, url=_page_url(datasette, guide.url), language=guide.language,
        sources=await jsonld.guide_sources(db, guide.id),
        reviews=await jsonld.guide_reviews(db, guide.id)))


async def _claim_jsonld(datasette, db, data: dict) -> Markup:
    claim = data["claim"]
    reviews = ([{"by": claim["reviewed_by"], "on": claim["reviewed_on"]}]
               if claim["status"] == "verified" else [])
    return jsonld.script_body(jsonld.page(
        name=claim["quote"], url=_page_url(datasette, pages.row_url(datasette, "claims",
                                                                    claim["id"])),
        language=claim["guide_language"], sources=await jsonld.claim_sources(db, claim["id"]),
        reviews=reviews))


@hookimpl
def prepare_jinja2_environment(env, datasette):
    env.filters.setdefault("tilde_encode", tilde_encode)
    env.filters.setdefault("inline_markdown", reading.inline_markdown)


@hookimpl
def extra_css_urls(datasette):
    from evidence.publish.metadata import STATIC_MOUNT

    return [datasette.urls.path(f"/{STATIC_MOUNT}/evidence.css")]


@hookimpl
def menu_links(datasette):
    return [
        {"href": datasette.urls.instance(), "label": "Overview"},
        {"href": datasette.urls.table(DATABASE, "claims"), "label": "Claims"},
        {"href": datasette.urls.table(DATABASE, "sources"), "label": "Sources"},
        {"href": datasette.urls.path("/-/search"), "label": "Search"},
        {"href": datasette.urls.database(DATABASE), "label": "Tables and queries"},
    ]


# --- Prefix search on table pages -------------------------------------------------

# The folded indexes (evidence.database.schema): spelling forgiven, as on /-/search.
FOLDED_TABLES = {"claims": "claims_fold_fts", "sources": "sources_fold_fts"}


@hookimpl
def filters_from_request(request, database, table, datasette):
    """``?_q=hase knæ``: full-text search where every word is a prefix, spelling
    forgiven (knae finds knæ, lob finds løb).

    Datasette's own ``?_search=`` matches whole words only (``hase`` does not
    find ``hasesenerne``); ``?_search=hase*&_searchmode=raw`` does, but raw
    FTS syntax fails on stray punctuation. ``_q`` takes what a reader types.
    """
    if database != DATABASE or table not in FOLDED_TABLES or "_q" not in request.args:
        return None
    text = request.args.get("_q", "")[:200]
    query = pages.folded_query(text)
    if query is None:
        return FilterArguments([], extra_context={"evidence_q": text})
    fts = FOLDED_TABLES[table]
    return FilterArguments(
        [f"rowid in (select rowid from [{fts}] where [{fts}] match :evidence_q)"],
        {"evidence_q": query},
        [f'words start with "{text.strip()}"'],
        {"evidence_q": text},
    )


# --- Cells ---------------------------------------------------------------------


def _basis_badge(code: str, label: str | None = None) -> Markup:
    return Markup('<span class="basis-badge basis-{}">{}</span>').format(
        code, label or BASIS_BY_CODE[code].label)


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if database != DATABASE or value is None:
        return None
    raw = value["value"] if isinstance(value, dict) else value
    label = value.get("label") if isinstance(value, dict) else None
    if table is None:  # canned and arbitrary queries: link ids to their pages
        if column == "claim_id":
            return Markup('<a href="{}">{}</a>').format(
                pages.row_url(datasette, "claims", raw), raw)
        if column == "source_id":
            return Markup('<a href="{}">{}</a>').format(
                pages.row_url(datasette, "sources", raw), raw)
        if column == "basis" and raw in pages.BASIS_ORDER:
            return _basis_badge(raw)
    if column == "doi" and isinstance(raw, str) and raw.startswith("10."):
        return Markup('<a href="https://doi.org/{}" rel="noopener">{}</a>').format(raw, raw)
    if table == "claims" and column == "section_id" and isinstance(value, dict):
        # The section's heading (its label), as the facet shows it. Answering here also keeps
        # the cell's raw value the {value, label} pair: Datasette drops the label from raw
        # when it renders the link itself, and the claims list needs both.
        return Markup("{}").format(label or raw)
    if table == "claims" and column == "basis" and raw in pages.BASIS_ORDER:
        return Markup('<a href="{}">{}</a>').format(
            pages.claims_url(datasette, basis=raw), _basis_badge(raw, label))
    return None


# --- Security headers ------------------------------------------------------------


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        if PublicationConfig.of(datasette).public:
            app = public.gate(app, datasette)
        inner = app

        async def with_headers(scope, receive, send):
            if scope["type"] != "http":
                await inner(scope, receive, send)
                return

            async def sending(event):
                if event["type"] == "http.response.start":
                    names = {name.lower() for name, _ in event.get("headers", [])}
                    headers = list(event.get("headers", []))
                    headers += [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                    event = {**event, "headers": headers}
                await send(event)

            await inner(scope, receive, sending)

        return with_headers

    return wrap


@hookimpl
def handle_exception(datasette, request, exception):
    return error_pages.handle_exception(datasette, request, exception)


@hookimpl
def startup(datasette):
    """Absolute links from the configured base URL, else relative: Datasette's
    ``absolute_url`` joins the path to the request's URL, whose host is the Host
    header any client sets (a JSON page's ``next_url``, the ``Link`` header)."""
    # Datasette registers its default plugins after loading entry points (this module
    # among them): its exception handler is there only now.
    error_pages.replace_datasette_handler()
    base_url = PublicationConfig.of(datasette).base_url

    def absolute_url(request, path):
        return urljoin(base_url, path) if base_url else path

    datasette.absolute_url = absolute_url


@hookimpl
def prepare_connection(conn, database, datasette):
    if database == DATABASE:
        conn.execute("PRAGMA cache_size = -65536")  # 64 MiB of page cache per connection
        conn.execute("PRAGMA mmap_size = 268435456")  # read the file through 256 MiB of mmap
