"""The editor's desk: verdicts, links, re-anchoring and retiring from the browser.

A Datasette plugin of its own, registered by ``evidence serve`` in local mode
only (:func:`evidence.host.serve.register_plugins` with a desk) and never as
an entry point, so a package installed on a public host cannot load it; the
publication never imports it (an import-linter contract in pyproject.toml).
Its hooks answer only for a Datasette instance that carries a registered
desk's id (:mod:`evidence.desk.state`): any other instance in the process
(public mode above all) gets nothing from it. The publication's templates
include the desk's (``_desk_bar.html``, ``_desk_claim.html``,
``_desk_reading.html``) only where the ``evidence_desk`` variable this plugin
fills is set. Its actions call the same library functions as the CLI verbs
(:mod:`evidence.desk.actions`); its safety is :mod:`evidence.desk.guard`
(Host, Origin, Sec-Fetch-Site, login) and :mod:`evidence.desk.routes` (token,
editor, hash).
"""

from __future__ import annotations

import asyncio

from datasette import hookimpl
from datasette.utils import urlsafe_components

from evidence.desk import actions, guard, queue, routes
from evidence.desk.state import SESSION_COOKIE, desk_of
from evidence.edit.reanchor import propose, side_by_side
from evidence.errors import EvidenceError
from evidence.project import load_project

STATIC = "evidence.desk"  # Datasette serves a plugin's static/ under its module's name


@hookimpl
def register_routes(datasette):
    return routes.ROUTES


@hookimpl
def skip_csrf(datasette, scope):
    # The desk's posts carry the desk's own token, checked on every one (routes.py):
    # Datasette's CSRF cookie is signed with a secret each instance makes anew, so
    # after a rebuild (a new instance) every page's Datasette token would fail.
    return scope.get("path", "").startswith("/-/desk/") and desk_of(datasette) is not None


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        desk = desk_of(datasette)
        return guard.wrap(app, desk) if desk is not None else app
    return wrap


@hookimpl
def extra_css_urls(datasette):
    if desk_of(datasette) is None:
        return []
    return [datasette.urls.static_plugins(STATIC, "desk.css")]


@hookimpl
def extra_js_urls(datasette):
    if desk_of(datasette) is None:
        return []
    return [datasette.urls.static_plugins(STATIC, "desk.js")]


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    desk = desk_of(datasette)
    if desk is None or request is None:
        return {}

    async def inner():
        session = request.cookies.get(SESSION_COOKIE, "")
        editor = routes.editor_of(desk, request)
        kind, message = desk.messages.pop(session, (None, None))
        data = {"token": desk.token(session), "editor": editor,
                "editor_from_env": bool(desk.editor), "message": message,
                "message_kind": kind,
                "here": request.scope.get("evidence_desk_here") or request.full_path,
                "queue_url": "/-/desk/"}
        key = _row_key(request) if view_name == "row" else None
        if key is None:
            return {"evidence_desk": data}
        db = datasette.get_database(routes.DATABASE)
        if table == "claims":
            data["claim"] = await queue.claim_for_form(db, key)
            if data["claim"] and data["claim"]["anchor"] == "orphaned":
                data["proposal"] = await _proposal(desk, key)
        if table == "guides":
            row = (await db.execute("select claims_sha256 from guides where id = ?",
                                    [key])).first()
            stubs, why = await asyncio.to_thread(actions.uncovered, desk.project, key)
            waiting = await queue.review_queue(datasette, db, key)
            data["guide"] = {"id": key, "hash": row[0] if row else None, "uncovered": stubs,
                             "why_none": why, "waiting": [
                                 item for g in waiting["guides"] for s in g.sections
                                 for item in s.items if item["kind"] != "orphaned"]}
        return {"evidence_desk": data}

    return inner


def _row_key(request) -> str | None:
    """The key of a row page with a single-column key (claims, guides)."""
    pks = request.url_vars.get("pks")
    components = urlsafe_components(pks) if pks else []
    return components[0] if len(components) == 1 else None


async def _proposal(desk, claim_id: str) -> dict | None:
    """Where an orphan's words went, as ``evidence reanchor`` proposes (from the files)."""
    def find():
        try:
            found = propose(load_project(desk.project, strict=False), [claim_id])
        except EvidenceError:
            return None
        match = found[0].match if found else None
        if match is None:
            return {"applicable": False, "why_not": found[0].why_not if found else None}
        old, new = side_by_side(found[0].claim.quote, match.words)
        return {"applicable": found[0].applicable, "why_not": found[0].why_not,
                "score": round(match.score), "old": old, "new": new, "words": match.words}

    return await asyncio.to_thread(find)
