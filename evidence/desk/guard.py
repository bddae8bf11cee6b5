"""Every request of a desk server, checked before Datasette sees it.

- ``Host`` must be 127.0.0.1, localhost or [::1] with the served port (or the
  bound host, with ``--allow-remote-edits``): a page a DNS-rebinding site
  loads under its own name is refused, reads included.
- A request that is not GET or HEAD must come from this server: an
  ``Origin`` other than ``http://<Host>`` or a ``Sec-Fetch-Site`` other than
  ``same-origin`` is refused. (The desk's routes check their own token too:
  :mod:`evidence.desk.routes`.)
- With ``--allow-remote-edits`` every page but the login page needs the login
  cookie that the one-time token printed at start was exchanged for.
- Each browser gets its session cookie (HttpOnly, SameSite=Strict), of which
  the forms' token is made (:mod:`evidence.desk.state`).

Refusals are plain text, 403 (a missing Host too), and write nothing; a
missing login is a small page with a link to the login form.
"""

from __future__ import annotations

import secrets
from http.cookies import SimpleCookie

from evidence.desk.state import LOGIN_COOKIE, SESSION_COOKIE, Desk

LOGIN_PATH = "/-/desk/login"
SAFE_METHODS = ("GET", "HEAD")


def headers_of(scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def cookies_of(headers: dict[str, str]) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:  # noqa: BLE001 - a malformed cookie header is no cookie
        return {}
    return {k: m.value for k, m in jar.items()}


def refusal(scope, desk: Desk) -> str | None:
    """Why the request is refused, or None."""
    headers = headers_of(scope)
    host = headers.get("host", "")
    if host not in desk.allowed_hosts() and not (desk.any_host and host):
        hosts = ", ".join(sorted(desk.allowed_hosts()))
        return (f"Refused: this editor's desk answers only to {hosts} (the request was for "
                f"{host or 'no host'!r}). Open the address `evidence serve` printed.")
    if scope.get("method", "GET") not in SAFE_METHODS:
        origin = headers.get("origin")
        if origin is not None and origin != f"http://{host}":
            return f"Refused: a form from {origin!r} cannot write here; use this server's pages."
        site = headers.get("sec-fetch-site")
        if site is not None and site != "same-origin":
            return (f"Refused: the request came from another site (Sec-Fetch-Site: {site}); "
                    "use this server's pages.")
    if desk.remote and scope.get("path") != LOGIN_PATH and \
            cookies_of(headers).get(LOGIN_COOKIE) not in desk.logins:
        return ("Log in first: open /-/desk/login and give the token `evidence serve` "
                    "printed when it started.")
    return None


def wrap(app, desk: Desk):
    async def guarded(scope, receive, send):
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        why = refusal(scope, desk)
        if why is not None:
            await _refuse(send, why, login=desk.remote and "Log in" in why)
            return
        headers = headers_of(scope)
        new_session = None
        if not cookies_of(headers).get(SESSION_COOKIE):
            # The session is made now, so the page rendered for this request holds
            # its token already; the browser keeps it from the response.
            new_session = secrets.token_urlsafe(32)
            cookie = f"{SESSION_COOKIE}={new_session}"
            raw = [(k, v) for k, v in scope["headers"] if k.lower() != b"cookie"]
            existing = headers.get("cookie")
            raw.append((b"cookie", (f"{existing}; {cookie}" if existing else cookie).encode()))
            scope = {**scope, "headers": raw, "evidence_desk_new_session": True}

        async def sending(event):
            if event["type"] == "http.response.start":
                # Datasette says no-referrer, with which a browser posts a form with
                # ``Origin: null``: same-origin keeps the origin for this server's forms
                # and still sends nothing to any other site.
                headers = [(k, v) for k, v in event.get("headers", [])
                           if k.lower() != b"referrer-policy"]
                headers.append((b"referrer-policy", b"same-origin"))
                if new_session is not None:
                    headers.append((b"set-cookie", session_cookie(new_session).encode()))
                event = {**event, "headers": headers}
            await send(event)

        await app(scope, receive, sending)

    return guarded


def session_cookie(value: str) -> str:
    return f"{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict"


LOGIN_PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Log in first: the editor's desk</title></head>
<body>
<h1>Log in first</h1>
<p>This editor's desk is open to the network: <a href="{LOGIN_PATH}">log in</a> with the
one-time token <code>evidence serve</code> printed when it started.</p>
</body>
</html>
"""


async def _refuse(send, why: str, *, login: bool = False) -> None:
    """403: plain text, or for a missing login a page that links the login form
    (fixed words: nothing of the request is in it)."""
    kind = b"text/html; charset=utf-8" if login else b"text/plain; charset=utf-8"
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", kind), (b"cache-control", b"no-store"),
                            (b"content-security-policy", b"default-src 'none'"),
                            (b"x-content-type-options", b"nosniff")]})
    body = LOGIN_PAGE if login else why
    await send({"type": "http.response.body", "body": body.encode("utf-8")})
