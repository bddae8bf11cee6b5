"""Error pages that cost what a page costs, logged in one line.

Datasette 0.65's own ``handle_exception`` (``datasette.handle_exception``)
prints a rich traceback with every frame's locals for each error, even a 404,
and even when a plugin answers (every implementation of the hook runs): about
230 ms of CPU per error against 12 ms for a claim page, so a few 404s a second
keep a core busy. :func:`replace_datasette_handler` unregisters it; this
module's hook answers instead: the site's error page (``error.html`` in the
site's frame), a JSON body for ``.json`` paths, one log line for a server
error (with its traceback only on the editor's machine) and nothing for a
4xx (the access log has its line).

In public mode an error Datasette raises as a 500 from a request's own
parameters (``DatasetteError`` without a status: a bad sort column, a
malformed ``_through``, SQL that a parameter made invalid) answers 400.
"""

from __future__ import annotations

import logging

from datasette import hookimpl
from datasette.utils.asgi import Base400, Forbidden, NotFound, Response
from datasette.views.base import DatasetteError
from markupsafe import Markup

from evidence.publish.config import PublicationConfig

DATASETTE_HANDLER = "datasette.handle_exception"
log = logging.getLogger("evidence.publish")

TITLES = {400: "Bad request", 403: "Forbidden", 404: "Not found",
          405: "Method not allowed", 500: "Server error"}


def replace_datasette_handler() -> None:
    """Unregister Datasette's default exception handler (once; idempotent)."""
    from datasette.plugins import pm

    default = pm.get_plugin(DATASETTE_HANDLER)
    if default is not None:
        pm.unregister(default, name=DATASETTE_HANDLER)


def classify(exception: BaseException, public: bool) -> tuple[int, str, str | None, bool]:
    """(status, message, title, message is HTML) of an exception."""
    if isinstance(exception, NotFound):
        return 404, str(exception.args[0]) if exception.args else "Not found", None, False
    if isinstance(exception, Forbidden | Base400):
        return exception.status, str(exception.args[0]) if exception.args else "", None, False
    if isinstance(exception, DatasetteError):
        status = exception.status
        if status == 500 and public:
            status = 400
        return status, exception.message, exception.title, bool(exception.message_is_html)
    return 500, "Something went wrong on the server." if public else str(exception), None, False


async def error_response(datasette, request, status: int, message: str,
                         title: str | None = None, *, html_message: bool = False,
                         headers: dict | None = None) -> Response:
    """The site's error page (or JSON body) for ``status``."""
    headers = dict(headers or {})
    path = request.path if request is not None else ""
    if path.split("?")[0].endswith(".json"):
        return Response.json({"ok": False, "error": message, "status": status, "title": title},
                             status=status, headers=headers)
    context = {"ok": False, "error": Markup(message) if html_message else message,
               "status": status, "title": title or TITLES.get(status)}
    try:
        body = await datasette.render_template("error.html", context, request=request)
    except Exception:  # noqa: BLE001 - an error page must never fail: plain text then
        log.exception("the error page could not be rendered")
        return Response.text(f"{status} {message}\n", status=status, headers=headers)
    return Response.html(body, status=status, headers=headers)


@hookimpl
def handle_exception(datasette, request, exception):
    async def inner():
        public = PublicationConfig.of(datasette).public
        status, message, title, is_html = classify(exception, public)
        if status >= 500:
            if public:
                log.error("%s %s: %s: %s", request.method, request.path,
                          type(exception).__name__, exception)
            else:
                log.error("%s %s", request.method, request.path, exc_info=exception)
        return await error_response(datasette, request, status, message, title,
                                    html_message=is_html)

    return inner
