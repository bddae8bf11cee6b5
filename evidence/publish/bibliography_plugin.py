"""Bibliographies in the publication (DESIGN §7–8): a Datasette 0.65 plugin.

- **Output renderers** ``.bib`` and ``.ris``: any table or query whose rows
  name sources (the ``sources`` table; rows with ``source_id``, ``doi``,
  ``bibtex`` or ``csl_json``; ``id`` with ``entry_type``) can be downloaded
  as BibTeX or RIS. Each row is looked up in the ``sources`` table; BibTeX is
  the entry as written in references.bib (``sources.bibtex``), RIS is made
  from the source's stored CSL-JSON (``source_csl.csl_json``), else from the
  row's columns (``source_authors`` for the names). Rows are those of the
  page shown (add ``_size=max`` for more); repeated sources are given once.
- **Route** ``/-/bibliography/<guide_id>``: the guide's reference list as a
  page, formatted by the same engine as ``evidence bibliography`` (pandoc
  citeproc), in the guide's numbering (its printed Kilder list, then first
  citation); ``?style=apa&locale=da-DK`` pick another CSL style by name and
  another locale. ``/-/bibliography/<guide_id>.bib|.ris|.json|.txt|.md`` give
  the same list as a file. The page's template is
  ``templates/evidence_bibliography.html``.
- In public mode the page formats only the guide's own style and the common
  styles of :data:`PUBLIC_STYLES` in the locales of :data:`PUBLIC_LOCALES`
  (anything else answers 400), each list formatted once and cached, and at
  most one pandoc process runs at a time: a visitor cannot make the server
  start a process per request.

The database tables and columns used, each optional: ``guide_references``
(the guide's numbering, stored by the build), ``guides.style``,
``sources.bibtex``, ``source_csl``, ``claim_sources.position``; without them
the plugin falls back as described (first citation; CSL from the contract
columns). It reads only the database: no BibTeX, LaTeX or YAML parser is
loaded to answer a request. Registered by :mod:`evidence.publish.plugin`
under the name ``evidence-bibliography``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import threading
from collections import OrderedDict
from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup

from evidence.bib.csl_types import TYPES
from evidence.bibliography.export import csl_to_bibtex, to_csl_json, to_ris
from evidence.bibliography.formatting import bibliography_locale, format_items
from evidence.bibliography.order import CITED_RELATIONS, numbering
from evidence.bibliography.styles import DEFAULT_STYLE, resolve_style
from evidence.errors import EvidenceError

CONTENT_TYPES = {
    "bib": "application/x-bibtex; charset=utf-8",
    "ris": "application/x-research-info-systems; charset=utf-8",
    "json": "application/vnd.citationstyles.csl+json; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
}
SOURCE_COLUMNS = ("bibtex", "csl_json", "source_id", "doi")
_STYLE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,120}$")
_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 256
# One pandoc at a time (a lock taken in the worker thread, so it holds across event
# loops): a formatted list is cached, so this only queues first requests.
_PANDOC = threading.Lock()

# What public mode offers besides each guide's own style: (name, title).
PUBLIC_STYLES = (
    ("american-medical-association", "AMA (American Medical Association)"),
    ("nlm-citation-sequence", "Vancouver (NLM, citation order)"),
    ("apa", "APA (7th edition)"),
    ("harvard-cite-them-right", "Harvard (Cite Them Right)"),
    ("chicago-author-date", "Chicago (author-date)"),
    ("ieee", "IEEE"),
)
PUBLIC_LOCALES = (
    ("en-US", "English (US)"), ("en-GB", "English (UK)"), ("da-DK", "Danish"),
    ("sv-SE", "Swedish"), ("nb-NO", "Norwegian (Bokmål)"), ("de-DE", "German"),
    ("fr-FR", "French"), ("nl-NL", "Dutch"),
)


# --- output renderers ----------------------------------------------------------

@hookimpl
def register_output_renderer(datasette):
    return [
        {"extension": "bib", "render": render_bib, "can_render": can_render_sources},
        {"extension": "ris", "render": render_ris, "can_render": can_render_sources},
    ]


def can_render_sources(columns, table=None) -> bool:
    columns = set(columns or [])
    if table == "sources":
        return True
    return bool(columns & set(SOURCE_COLUMNS)) or {"id", "entry_type"} <= columns


async def render_bib(datasette, columns, rows, database, table, request):
    records = await source_records(datasette, database, table, columns, rows)
    body = "\n\n".join(r["bibtex"] for r in records)
    return _download(body + ("\n" if body else ""), "bib", table or "query")


async def render_ris(datasette, columns, rows, database, table, request):
    records = await source_records(datasette, database, table, columns, rows)
    return _download(to_ris([r["csl"] for r in records]), "ris", table or "query")


def _download(body: str, extension: str, name: str) -> Response:
    filename = re.sub(r"[^A-Za-z0-9_.-]", "_", name) + "." + extension
    return Response(body, content_type=CONTENT_TYPES[extension],
                    headers={"content-disposition": f'attachment; filename="{filename}"'})


def _value(row, column):
    try:
        value = row[column]
    except (KeyError, IndexError):
        return None
    if isinstance(value, dict) and "value" in value:  # an expanded foreign key
        value = value["value"]
    return value


async def source_records(datasette, database, table, columns, rows) -> list[dict]:
    """One record per distinct source of ``rows``: ``{"id", "bibtex", "csl"}``.

    A row is looked up in ``sources`` by ``source_id`` (or ``id``), else by
    ``doi``; a row found in neither is used as it is when it carries
    bibliographic data (``bibtex``, ``csl_json`` or a ``title``), else skipped
    (a claim's id, say).
    """
    columns = list(columns or [])
    key_column = "source_id" if "source_id" in columns else "id" if "id" in columns else None
    db = datasette.get_database(database)
    source_columns = await _columns(db, "sources")
    wanted = []  # per row: (key or None, doi or None, row)
    for row in rows:
        key = _value(row, key_column) if key_column else None
        doi = _value(row, "doi") if "doi" in columns else None
        wanted.append((str(key) if key not in (None, "") else None,
                       str(doi).lower() if doi else None, row))
    found = await _source_rows(
        db, source_columns,
        [("id", k) for k, _, _ in wanted if k] + [("doi", d) for _, d, _ in wanted if d])
    authors = await _authors(db, sorted({r["id"] for r in found.values() if r.get("id")}))
    records, seen = [], set()
    for key, doi, row in wanted:
        data = found.get(("id", key)) or found.get(("doi", doi))
        if data is None:
            data = {c: _value(row, c) for c in columns}
            if not (data.get("bibtex") or data.get("csl_json") or data.get("title")):
                continue
        record = _record(data, authors.get(str(data.get("id")), []))
        if record is not None and record["id"] not in seen:
            seen.add(record["id"])
            records.append(record)
    return records


async def _columns(db, table: str) -> set[str]:
    try:
        if not await db.table_exists(table):
            return set()
        return set(await db.table_columns(table))
    except Exception:  # noqa: BLE001 - an odd database simply has no such table
        return set()


async def _source_rows(db, source_columns: set[str], wanted) -> dict:
    found: dict = {}
    if not source_columns or "id" not in source_columns:
        return found
    csl = await _columns(db, "source_csl")
    select = ("select so.*, csl.csl_json from sources so "
              "left join source_csl csl on csl.source_id = so.id"
              if {"source_id", "csl_json"} <= csl else "select so.* from sources so")
    for kind in ("id", "doi"):
        if kind not in source_columns:
            continue
        values = sorted({v for k, v in wanted if k == kind})
        for start in range(0, len(values), 500):
            chunk = values[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            column = "lower(so.doi)" if kind == "doi" else "so.id"
            result = await db.execute(f"{select} where {column} in ({marks})", chunk)
            for row in result.rows:
                data = dict(zip(result.columns, row, strict=True))
                key = data["id"] if kind == "id" else str(data.get("doi") or "").lower()
                found[(kind, key)] = data
    return found


async def _authors(db, ids: list[str]) -> dict[str, list[dict]]:
    columns = await _columns(db, "source_authors")
    if not ids or not {"source_id", "family"} <= columns:
        return {}
    names: dict[str, list[dict]] = {}
    order = "position" if "position" in columns else "rowid"
    given = ", given" if "given" in columns else ", null"
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        result = await db.execute(
            f"select source_id, family{given} from source_authors "
            f"where source_id in ({marks}) order by source_id, {order}", chunk)
        for source_id, family, given_name in result.rows:
            name = {"family": family}
            if given_name:
                name["given"] = given_name
            names.setdefault(source_id, []).append(name)
    return names


def _stored_csl(data: dict) -> dict | None:
    try:
        item = json.loads(data["csl_json"]) if data.get("csl_json") else None
    except (TypeError, ValueError):
        return None
    return item if isinstance(item, dict) else None


def _record(data: dict, authors: list[dict]) -> dict | None:
    """BibTeX and CSL of one source row, from the best columns it has."""
    key = data.get("id") or data.get("source_id")
    bibtex = (data.get("bibtex") or "").strip() or None
    csl = _stored_csl(data)
    if csl is None:
        if not key:
            return None
        csl = _csl_from_columns(data, authors)
    csl["id"] = str(key or csl.get("id"))
    if bibtex is None:
        bibtex = csl_to_bibtex(csl)
    return {"id": csl["id"], "bibtex": bibtex, "csl": csl}


_TYPE_BY_ENTRY = {"article": "article-journal"}


def _csl_from_columns(data: dict, authors: list[dict]) -> dict:
    """A CSL item from the contract columns of ``sources`` (DESIGN §4)."""
    entry_type = str(data.get("entry_type") or "misc").lower()
    item: dict = {"id": str(data.get("id")), "type": TYPES.get(entry_type, "document")}
    names = authors or _names_from_display(data.get("authors"))
    if names:
        item["author"] = names
    for column, variable in (("title", "title"), ("container_title", "container-title"),
                             ("volume", "volume"), ("issue", "issue"), ("doi", "DOI")):
        if data.get(column) not in (None, ""):
            item[variable] = str(data[column])
    if data.get("pages"):
        item["page"] = re.sub(r"\s*[-\u2013\u2014]+\s*", "-", str(data["pages"]))
    if data.get("year"):
        try:
            item["issued"] = {"date-parts": [[int(data["year"])]]}
        except (TypeError, ValueError):
            item["issued"] = {"literal": str(data["year"])}
    return item


def _names_from_display(value) -> list[dict]:
    """'Sederberg M, Cushman DM' (the display form of ``sources.authors``) as names."""
    names = []
    for part in str(value or "").split(","):
        part = part.strip()
        if not part or part in ("et al.", "et al"):
            continue
        family, _, initials = part.rpartition(" ")
        if family and initials.isalpha() and initials.isupper() and len(initials) <= 4:
            names.append({"family": family, "given": " ".join(f"{i}." for i in initials)})
        else:
            names.append({"literal": part})
    return names


# --- the guide's bibliography page ------------------------------------------------

@hookimpl
def register_routes(datasette):
    return [
        (r"^/-/bibliography/(?P<guide_id>[^/]+?)(?:\.(?P<format>bib|ris|json|txt|md))?$",
         bibliography_page),
    ]


async def bibliography_page(datasette, request):
    guide_id = request.url_vars["guide_id"]
    fmt = request.url_vars.get("format")
    database = await _database_with_guides(datasette)
    if database is None:
        return await _error_page(datasette, request, "No database with guides", 404)
    await datasette.ensure_permissions(request.actor,
                                       [("view-database", database), "view-instance"])
    db = datasette.get_database(database)
    public = _is_public(datasette)
    guide = await _guide(db, guide_id)
    if guide is None:
        return await _error_page(datasette, request, f"No guide {guide_id!r}", 404)
    keys = await guide_keys(db, guide)
    found = await _source_rows(db, await _columns(db, "sources"), [("id", k) for k in keys])
    authors = await _authors(db, keys)
    records = [r for k in keys
               if (row := found.get(("id", k))) and (r := _record(row, authors.get(k, [])))]

    if fmt:
        items = [r["csl"] for r in records]
        if fmt == "bib":
            body = "\n\n".join(r["bibtex"] for r in records) + ("\n" if records else "")
        elif fmt == "ris":
            body = to_ris(items)
        elif fmt == "json":
            body = to_csl_json(items)
        else:
            style, locale, error = _style_and_locale(request, guide, public=public)
            if error:
                return Response.text(error + "\n", status=400)
            bibliography = await _format(items, style, locale)
            body = bibliography.as_text() if fmt == "txt" else bibliography.as_markdown()
        return _download(body, fmt, f"{guide_id}-bibliography")

    style, locale, error = _style_and_locale(request, guide, public=public)
    html = ""
    style_title = style.title if style else "—"
    if style is not None and not error:
        try:
            html = (await _format([r["csl"] for r in records], style, locale)).as_html()
        except EvidenceError as exc:
            error = str(exc)
    base = datasette.urls.path(f"/-/bibliography/{guide_id}")
    own = _own_style(guide)
    body = await datasette.render_template(_page_template(datasette), {
        "heading": f"Kilder: {guide.get('title') or guide_id}" if guide.get("language") == "da"
        else f"References: {guide.get('title') or guide_id}",
        "count": len(records),
        "bibliography": Markup(html),
        "guide_language": guide.get("language"),
        "style_name": request.args.get("style") or own,
        "style_choices": (_style_choices(own) if public else None),
        "locale_choices": PUBLIC_LOCALES,
        "style_title": style_title,
        "sorted": bool(style and style.sorted),
        "locale": locale,
        "error": error,
        "base": base,
        "has_nav": _has_template(datasette, "_evidence_nav.html"),
        "downloads": [(label, f"{base}.{ext}") for label, ext in (
            ("BibTeX", "bib"), ("RIS", "ris"), ("CSL-JSON", "json"), ("Text", "txt"),
            ("Markdown", "md"))],
        "metadata": datasette.metadata(),
    }, request=request, view_name="bibliography")
    return Response.html(body, status=400 if error and not html else 200)


PAGE_TEMPLATE = "evidence_bibliography.html"


def _page_template(datasette):
    """The page's template: from the publication's template folder, else (a Datasette
    serving this plugin without it) read from the package beside this module."""
    try:
        return datasette.jinja_env.get_template(PAGE_TEMPLATE)
    except Exception:  # noqa: BLE001 - jinja raises TemplateNotFound and friends
        text = (Path(__file__).parent / "templates" / PAGE_TEMPLATE).read_text(encoding="utf-8")
        return datasette.jinja_env.from_string(text)


def _own_style(guide: dict) -> str:
    return (guide.get("style") or DEFAULT_STYLE).strip()


def _style_choices(own: str) -> list[tuple[str, str]]:
    choices = [(name, title) for name, title in PUBLIC_STYLES if name != own]
    own_title = "House style (AMA with DOI:)" if own == DEFAULT_STYLE else own
    return [(own, f"{own_title}: the guide's own")] + choices


async def _error_page(datasette, request, message: str, status: int) -> Response:
    body = await datasette.render_template(
        "error.html", {"ok": False, "error": message, "status": status, "title": None},
        request=request)
    return Response.html(body, status=status)


def _has_template(datasette, name: str) -> bool:
    try:
        datasette.jinja_env.get_template(name)
        return True
    except Exception:  # noqa: BLE001 - jinja raises TemplateNotFound and friends
        return False


def _is_public(datasette) -> bool:
    # The publication's configuration (evidence.publish.config), read without importing
    # the plugin: this module also serves a Datasette without it.
    raw = datasette.plugin_config("evidence") or {}
    return raw.get("local") is not True


def _style_and_locale(request, guide: dict, *, public: bool = False):
    own = _own_style(guide)
    name = (request.args.get("style") or own).strip()
    wanted_locale = (request.args.get("locale") or "").strip() or None
    if public:
        if name != own and name not in dict(PUBLIC_STYLES):
            return None, None, ("This style is not offered here: choose one of "
                                + ", ".join([own, *dict(PUBLIC_STYLES)]) + ".")
        if wanted_locale and wanted_locale not in dict(PUBLIC_LOCALES):
            return None, None, ("This locale is not offered here: choose one of "
                                + ", ".join(dict(PUBLIC_LOCALES)) + ".")
    if not _STYLE_NAME.match(name):
        return None, None, "A style is given by its name (such as apa or loeberlab)."
    try:
        style = resolve_style(name)
        locale = bibliography_locale(style, wanted_locale, guide.get("language"))
    except EvidenceError as exc:
        return None, None, str(exc)
    return style, locale, None


async def _format(items, style, locale):
    digest = hashlib.sha256(json.dumps([items, str(style.path), locale],
                                       sort_keys=True).encode()).hexdigest()
    if digest in _CACHE:
        _CACHE.move_to_end(digest)
        return _CACHE[digest]
    result = await asyncio.to_thread(_format_one_at_a_time, digest, items, style, locale)
    _CACHE[digest] = result
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return result


def _format_one_at_a_time(digest: str, items, style, locale):
    with _PANDOC:
        if digest in _CACHE:  # formatted while this request waited
            return _CACHE[digest]
        return format_items(items, style, locale)


async def _database_with_guides(datasette) -> str | None:
    for name in datasette.databases:
        if name.startswith("_"):
            continue
        if await datasette.get_database(name).table_exists("guides"):
            return name
    return None


async def _guide(db, guide_id: str) -> dict | None:
    result = await db.execute("select * from guides where id = ?", [guide_id])
    rows = result.rows
    return dict(zip(result.columns, rows[0], strict=True)) if rows else None


async def guide_keys(db, guide: dict) -> list[str]:
    """The sources of a guide's bibliography, in its numbering (as the CLI).

    The build stores that numbering (``guide_references``: the printed Kilder
    list, then first citation). A database without it gets first citation
    of the sources the claims cite.
    """
    if {"guide_id", "position", "source_id"} <= await _columns(db, "guide_references"):
        result = await db.execute("select source_id from guide_references where guide_id = ? "
                                  "order by position", [guide["id"]])
        return [row[0] for row in result.rows]
    claim_columns = await _columns(db, "claims")
    link_columns = await _columns(db, "claim_sources")
    if not {"claim_id", "source_id", "relation"} <= link_columns:
        return []
    claim_order = ", ".join(f"c.{c}" for c in ("start", "position") if c in claim_columns)
    link_order = "cs.position" if "position" in link_columns else "cs.rowid"
    result = await db.execute(
        "select cs.source_id, cs.relation from claim_sources cs "
        "join claims c on c.id = cs.claim_id where c.guide_id = ? "
        f"order by {claim_order + ', ' if claim_order else ''}{link_order}",
        [guide["id"]])
    links = [(source_id, relation) for source_id, relation in result.rows]
    wanted = {s for s, relation in links if relation in CITED_RELATIONS}
    return [k for k in numbering(None, (s for s, _ in links)) if k in wanted]
