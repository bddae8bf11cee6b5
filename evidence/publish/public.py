"""Public mode's gate: what a request may ask for before Datasette sees it.

An ASGI layer outside Datasette's own (outside its CSRF layer too), used only
when the publication is public (:mod:`evidence.publish.config`):

- every method but GET and HEAD answers 405 with ``Allow: GET, HEAD``;
- only the reader's routes exist (an allowlist, :func:`route_of`): the
  overview, search, bibliographies, static files, the database page, the
  tables meant for readers (``metadata.TABLES`` without the hidden ones),
  their rows and the canned queries. Every other path answers 404: Datasette's
  ``/-/`` introspection pages (versions, plugins, settings, threads, databases,
  actor, permissions, messages, patterns, allow-debug, metadata, auth-token …),
  the hidden build tables, the FTS index and its shadow tables, ``/.json``;
- parameters Datasette would answer with a 500 (``_sort`` or ``_sort_desc`` by
  a column the table lacks, both at once, a malformed ``_through``) answer 400.

What is answered is decided here; how an error page looks is
:mod:`evidence.publish.error_pages`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from datasette.utils import tilde_decode

from evidence.publish.metadata import DATABASE, STATIC_MOUNT, TABLES
from evidence.publish.queries import QUERIES

ALLOWED_METHODS = ("GET", "HEAD")
# The tables a reader browses: every table the metadata describes and does not hide.
READER_TABLES = frozenset(name for name, meta in TABLES.items()
                          if not (isinstance(meta, dict) and meta.get("hidden")))

_FIXED = re.compile(
    r"^/(?:"
    r"|robots\.txt|favicon\.ico"
    r"|-/search"
    r"|-/bibliography/[^/]+"
    rf"|-/static/[^?]*|{re.escape(STATIC_MOUNT)}/[^?]*"
    rf"|{DATABASE}"
    r")$")
# Datasette's own table and row routes (datasette/app.py, _routes).
_TABLE = re.compile(rf"^/{DATABASE}/(?P<table>[^/.]+)(?:\.(?P<format>\w+))?$")
_ROW = re.compile(rf"^/{DATABASE}/(?P<table>[^/]+?)/(?P<pks>[^/]+?)(?:\.(?P<format>\w+))?$")


@dataclass(frozen=True)
class Route:
    """A path a reader may ask for: ``table`` is set on table, query and row pages."""

    table: str | None = None
    row: bool = False
    query: bool = False  # a canned query


def route_of(path: str, queries: frozenset[str] | None = None) -> Route | None:
    """The reader's route at ``path`` (the base path stripped), or None: not public."""
    if _FIXED.match(path):
        return Route()
    queries = frozenset(QUERIES) if queries is None else queries
    match = _TABLE.match(path)
    if match:
        name = _decoded(match["table"])
        if name in READER_TABLES:
            return Route(table=name)
        if name in queries:
            return Route(table=name, query=True)
        return None
    match = _ROW.match(path)
    if match:
        name = _decoded(match["table"])
        return Route(table=name, row=True) if name in READER_TABLES else None
    return None


def _decoded(segment: str) -> str | None:
    try:
        return tilde_decode(segment)
    except Exception:  # noqa: BLE001 - a malformed tilde encoding names no table
        return None


def parameter_problem(route: Route, query_string: str, columns: set[str]) -> str | None:
    """Why the parameters of a page cannot be answered, or None.

    ``columns`` are the table's columns (empty for other pages). Only what
    Datasette would answer with a 500 is checked here; what it already refuses
    with a 400 it refuses itself.
    """
    args = parse_qsl(query_string, keep_blank_values=True)
    for name, value in args:
        if name in _NUMBERS and not (value.isascii() and value.isdigit()
                                     or value in _NUMBERS[name]):
            return f"{name} takes a whole number."
    if route.table is None or route.row or route.query:
        return None
    names = [name for name, _ in args]
    if "_sort" in names and "_sort_desc" in names:
        return "Sort by one column: _sort or _sort_desc, not both."
    for name, value in args:
        if name in ("_sort", "_sort_desc") and value and value not in columns | {"rowid"}:
            return f"{route.table} has no column {value!r} to sort by."
        if name in _FACETS and value not in columns:
            return f"{route.table} has no column {value!r} to count by."
        if name == "_through":
            problem = _through_problem(value)
            if problem:
                return problem
        if not name.startswith("_") and _beyond_sqlite(value):
            # Datasette binds a numeric filter value as an integer: SQLite's
            # OverflowError would be a 500.
            return f"{name}: {value[:30]} is a number larger than any stored."
    return None


def _beyond_sqlite(value: str) -> bool:
    digits = value[1:] if value[:1] in "+-" else value
    return digits.isascii() and digits.isdigit() and abs(int(value)) > 2 ** 63 - 1


# Whole-number parameters, with the words each also takes.
_NUMBERS = {"_timelimit": (), "_ttl": (), "_size": ("max",), "_facet_size": ("max",)}
_FACETS = ("_facet", "_facet_array", "_facet_date")


def _through_problem(value: str) -> str | None:
    try:
        data = json.loads(value)
    except ValueError:
        data = None
    if not (isinstance(data, dict) and all(isinstance(data.get(k), str | int)
                                           for k in ("table", "column", "value"))):
        return ('_through takes {"table": …, "column": …, "value": …} as JSON.')
    if data["table"] not in READER_TABLES:
        return f"_through: no table {data['table']!r}."
    return None


def is_json(path: str) -> bool:
    return path.endswith(".json")


# --- the ASGI layer ------------------------------------------------------------------


def gate(app, datasette):
    """``app`` behind public mode's gate (an ``asgi_wrapper``)."""
    from datasette.utils.asgi import Request

    from evidence.publish.csv_cells import neutralised_send
    from evidence.publish.error_pages import error_response

    columns: dict[str, set[str]] = {}

    async def table_columns(table: str) -> set[str]:
        if table not in columns:
            db = datasette.get_database(DATABASE)
            columns[table] = set(await db.table_columns(table))
        return columns[table]

    async def refuse(scope, receive, send, status: int, message: str, headers=None):
        # Outside Datasette's CSRF layer: no token in the scope; the page needs none.
        request = Request(dict(scope, csrftoken=lambda: ""), receive)
        response = await error_response(datasette, request, status, message, headers=headers)
        await response.asgi_send(send)

    async def gated(scope, receive, send):
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        if scope["method"] not in ALLOWED_METHODS:
            await refuse(scope, receive, send, 405,
                         "This publication is read-only: it answers GET and HEAD only.",
                         headers={"Allow": ", ".join(ALLOWED_METHODS)})
            return
        path = _route_path(scope, datasette.setting("base_url") or "/")
        queries = frozenset(await datasette.get_canned_queries(DATABASE, None))
        route = route_of(path, queries)
        if route is None and path == f"/{DATABASE}.db" and datasette.setting("allow_download"):
            route = Route()  # the operator offers the file: Datasette serves it
        if route is None:
            await refuse(scope, receive, send, 404, "There is no such page.")
            return
        query_string = scope.get("query_string", b"").decode("latin-1")
        if query_string:
            table = route.table if route.table and not route.row and not route.query else None
            problem = parameter_problem(route, query_string,
                                        await table_columns(table) if table else set())
            if problem:
                await refuse(scope, receive, send, 400, problem)
                return
        if path.endswith(".csv"):  # a download a spreadsheet must not run
            send = neutralised_send(send)
        await app(scope, receive, send)

    return gated


def _route_path(scope, base_url: str) -> str:
    """The path as Datasette routes it: raw (tilde-encoded, undecoded), base path stripped."""
    raw = scope.get("raw_path")
    path = raw.decode("latin-1") if raw else scope["path"]
    path = path.partition("?")[0]
    if base_url != "/" and path.startswith(base_url):
        path = "/" + path[len(base_url):]
    return path
