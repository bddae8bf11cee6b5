"""The desk's pages and form actions (``/-/desk/…``), POST only for anything that writes.

Every POST is checked here beyond the guard (evidence.desk.guard): the
desk's token (an HMAC of the browser's session cookie), the editor's name,
and the hash of the claims.yaml the page was rendered from. A refused post
writes nothing and says why; an accepted one runs the verb's library
function (evidence.desk.actions), rebuilds, and redirects back to the page
(post, redirect, get), where the result is shown once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from urllib.parse import parse_qsl, quote, unquote

from datasette.utils import tilde_encode
from datasette.utils.asgi import Response

from evidence.claims.loader import EvidenceLink
from evidence.claims.ondisk import ChangedOnDisk
from evidence.claims.review import STATUSES
from evidence.desk import actions, queue
from evidence.desk.state import (
    EDITOR_COOKIE,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    TOKEN_FIELD,
    Desk,
    desk_of,
)
from evidence.errors import EvidenceError, InputError
from evidence.scale import RELATIONS

DATABASE = "evidence"  # the publication's name for evidence.db (host/serve.py)
MAX_FIELD = 4000  # characters of a note or reason: a paragraph, not a file
MAX_BODY = 1_000_000  # bytes of a posted form: every field at its longest is far less


def editor_of(desk: Desk, request) -> str | None:
    if desk.editor:
        return desk.editor
    raw = request.cookies.get(EDITOR_COOKIE)
    name = unquote(raw).strip() if raw else ""
    return name[:200] or None


def _back(value: str | None) -> str:
    """Where to return: a path on this server only (never another site).

    Browsers drop tabs and newlines from a URL before reading it, so ``/\t/evil``
    is ``//evil``, another site: a value with any control character is refused."""
    if (value and value.startswith("/") and not value.startswith("//") and "\\" not in value
            and value.isprintable()):
        return value
    return "/-/desk/"


async def _page(datasette, request, template: str, context: dict, status: int = 200):
    return Response.html(await datasette.render_template(template, context, request=request),
                         status=status)


async def refused(datasette, request, message: str, status: int, back: str | None = None):
    """The refusal page; its Back link, and the name form on it, return to the page
    the refused form was on (``back``, posted), not to the action's own URL."""
    back = _back(back or request.args.get("back"))
    request.scope["evidence_desk_here"] = back
    return await _page(datasette, request, "desk_refused.html",
                       {"refusal": message, "status": status, "back": back}, status)


# Characters a field may hold besides the printable: a note may have lines.
_NOTE_WHITESPACE = {"\n", "\r", "\t"}
_SHORT_FIELDS = {"name": 200}


def unfit(name: str, value: str) -> str | None:
    """Why a posted field cannot be written, or None. Too long is refused, not cut
    (a cut note would say less than the editor wrote); control characters are
    refused (in a terminal, ``evidence check`` would print them as they are)."""
    limit = _SHORT_FIELDS.get(name, MAX_FIELD)
    if len(value) > limit:
        return f"The field {name!r} is {len(value):,} characters long; at most {limit:,}."
    allowed = set() if name in _SHORT_FIELDS else _NOTE_WHITESPACE
    if any(not c.isprintable() and c not in allowed for c in value):
        return f"The field {name!r} holds a control character (such as a terminal escape)."
    return None


class Posted:
    """A checked POST: its fields, the desk, the editor."""

    def __init__(self, desk: Desk, fields: dict[str, str], editor: str | None, session: str):
        self.desk, self.fields, self.editor, self.session = desk, fields, editor, session

    def text(self, name: str) -> str:
        return (self.fields.get(name) or "").strip()  # its length checked by unfit()


async def _check_post(datasette, request, *, needs_editor: bool = True):
    """The checked post, or the refusal to answer with."""
    desk = desk_of(datasette)
    if desk is None:
        return Response.text("Not found", status=404)
    if request.method != "POST":
        return Response.text("The desk writes only through POST.", status=405,
                             headers={"Allow": "POST"})
    session = request.cookies.get(SESSION_COOKIE)
    no_token = ("This form's token is missing or not this browser's: reload the page and "
                "try again. Nothing was changed.")
    if request.scope.get("evidence_desk_new_session") or not session:
        # no session, no token can match: refused before a byte of the body is read
        return await refused(datasette, request, no_token, 403)
    fields = await _form(request)
    if isinstance(fields, tuple):
        status, refusal = fields
        return await refused(datasette, request, refusal + " Nothing was changed.", status)
    if not desk.token_ok(session, fields.get(TOKEN_FIELD)):
        return await refused(datasette, request, no_token, 403, fields.get("back"))
    editor = editor_of(desk, request)
    if needs_editor and not editor:
        return await refused(datasette, request, "Give your name first (at the top of the "
                             "page): every verdict records who gave it. Nothing was changed.",
                             400, fields.get("back"))
    for name, value in fields.items():
        if why := unfit(name, value):
            return await refused(datasette, request, why + " Nothing was changed.", 400,
                                 fields.get("back"))
    return Posted(desk, fields, editor, session or "")


async def _form(request, limit: int = MAX_BODY) -> dict[str, str] | tuple[int, str]:
    """The posted form's fields, or (status, why) it is refused: 413 for a body over
    ``limit`` bytes (by its Content-Length, before reading any of it, else as soon
    as that much has come), 400 for one that is not UTF-8 form data."""
    length = (request.headers.get("content-length") or "").strip()
    if length and not length.isdigit():
        return 400, "The form's Content-Length is not a number."
    too_big = (413, f"The form is over {limit:,} bytes, the most the desk reads.")
    if length and int(length) > limit:
        return too_big
    body = bytearray()
    while True:
        message = await request.receive()
        if message["type"] != "http.request":  # the browser went away
            return 400, "The form did not arrive whole."
        body += message.get("body", b"")
        if len(body) > limit:
            return too_big
        if not message.get("more_body", False):
            break
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return 400, "The form is not UTF-8 text."
    return dict(parse_qsl(text, keep_blank_values=True))


async def _act(datasette, request, make: Callable[[Posted], Callable | str]):
    posted = await _check_post(datasette, request)
    if not isinstance(posted, Posted):
        return posted
    back = posted.fields.get("back")
    if not posted.text("hash"):
        return await refused(datasette, request, "The form carries no hash of claims.yaml: "
                             "reload the page. Nothing was changed.", 400, back)
    made = make(posted)
    if isinstance(made, str):  # a refusal of the input
        return await refused(datasette, request, made + " Nothing was changed.", 400, back)
    desk = posted.desk
    try:
        outcome = await asyncio.to_thread(actions.run, desk.project, desk.database, made)
    except ChangedOnDisk as exc:
        return await refused(datasette, request, str(exc), 409, back)
    except InputError as exc:
        return await refused(datasette, request, "; ".join(str(p) for p in exc.problems)
                             + ". Nothing was changed.", 400, back)
    except EvidenceError as exc:
        return await refused(datasette, request, str(exc), 400, back)
    desk.messages[posted.session] = ("done", outcome.said())
    return Response.redirect(_back(posted.fields.get("back")), status=303)


async def review(datasette, request):
    def make(p: Posted):
        if p.text("status") not in STATUSES:
            return f"Choose a verdict: {', '.join(STATUSES)}."
        return actions.verdict(p.text("claim"), p.text("status"), p.text("note"),
                               p.editor or "", p.text("hash"))
    return await _act(datasette, request, make)


async def link(datasette, request):
    def make(p: Posted):
        if p.text("relation") not in RELATIONS:
            return f"Choose a relation: {', '.join(RELATIONS)}."
        if not p.text("source"):
            return "Choose a source."
        new = EvidenceLink(p.text("source"), p.text("relation"), direct=p.text("indirect") != "1",
                      locator=p.text("locator") or None, note=p.text("note") or None)
        return actions.link(p.text("claim"), new, p.editor or "", p.text("hash"))
    return await _act(datasette, request, make)


async def consensus(datasette, request):
    def make(p: Posted):
        if not p.text("reason"):
            return "Give the reason the claim rests on consensus."
        return actions.consensus(p.text("claim"), p.text("reason"), p.editor or "",
                                 p.text("hash"))
    return await _act(datasette, request, make)


async def reanchor(datasette, request):
    def make(p: Posted):
        if not p.text("words"):
            return "The form carries no proposed words: reload the page."
        return actions.reanchor(p.text("claim"), p.editor or "", p.text("hash"),
                                p.text("words"))
    return await _act(datasette, request, make)


async def retire(datasette, request):
    def make(p: Posted):
        if not p.text("reason"):
            return "Give the reason the claim is retired."
        return actions.retire(p.text("claim"), p.text("reason"), p.editor or "",
                              p.text("hash"))
    return await _act(datasette, request, make)


async def stub(datasette, request):
    return await _act(datasette, request, lambda p: actions.stub(
        p.text("guide"), p.text("quote"), p.editor or "", p.text("hash")))


async def not_claim(datasette, request):
    def make(p: Posted):
        if not p.text("reason"):
            return "Give the reason the sentence is no claim."
        return actions.not_claim(p.text("guide"), p.text("quote"), p.text("reason"),
                                 p.editor or "", p.text("hash"))
    return await _act(datasette, request, make)


async def editor(datasette, request):
    posted = await _check_post(datasette, request, needs_editor=False)
    if not isinstance(posted, Posted):
        return posted
    name = posted.text("name")
    if not name:
        return await refused(datasette, request, "Give your name.", 400)
    response = Response.redirect(_back(posted.fields.get("back")), status=303)
    response.set_cookie(EDITOR_COOKIE, quote(name), httponly=True, samesite="strict",
                        max_age=365 * 24 * 3600)
    return response


async def login(datasette, request):
    desk = desk_of(datasette)
    if desk is None or not desk.remote:
        return Response.text("Not found", status=404)
    if request.method == "POST":
        posted = await _check_post(datasette, request, needs_editor=False)
        if not isinstance(posted, Posted):
            return posted
        value = desk.login(posted.text("login"))
        if value is None:
            return await refused(datasette, request, "That is not the login token printed "
                                 "at start, or it was used already.", 403)
        response = Response.redirect("/-/desk/", status=303)
        response.set_cookie(LOGIN_COOKIE, value, httponly=True, samesite="strict")
        return response
    return await _page(datasette, request, "desk_login.html", {})


async def queue_page(datasette, request):
    desk = desk_of(datasette)
    if desk is None:
        return Response.text("Not found", status=404)
    data = await queue.review_queue(datasette, datasette.get_database(DATABASE))
    return await _page(datasette, request, "desk_queue.html", {"queue": data})


async def sources_page(datasette, request):
    desk = desk_of(datasette)
    if desk is None:
        return Response.text("Not found", status=404)
    db = datasette.get_database(DATABASE)
    claim_id = request.args.get("claim", "")
    claim = await queue.claim_for_form(db, claim_id)
    if claim is None:
        return Response.text("No such claim", status=404)
    text = (request.args.get("q") or "").strip()[:200]
    found = await queue.find_sources(db, text) if text else []
    for source in found:  # each one's page, to read it before linking it
        source["url"] = datasette.urls.row(DATABASE, "sources", tilde_encode(source["id"]))
    return await _page(datasette, request, "desk_sources.html",
                       {"claim": claim, "q": text, "found": found, "relations": RELATIONS,
                        "claim_url": datasette.urls.row(DATABASE, "claims",
                                                        tilde_encode(claim_id))})


ROUTES = [
    (r"^/-/desk/$", queue_page),
    (r"^/-/desk/sources$", sources_page),
    (r"^/-/desk/review$", review),
    (r"^/-/desk/link$", link),
    (r"^/-/desk/consensus$", consensus),
    (r"^/-/desk/reanchor$", reanchor),
    (r"^/-/desk/retire$", retire),
    (r"^/-/desk/stub$", stub),
    (r"^/-/desk/not-claim$", not_claim),
    (r"^/-/desk/editor$", editor),
    (r"^/-/desk/login$", login),
]
