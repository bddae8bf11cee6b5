"""The desk's state in one serving process: where the project is, who may write, its secrets.

One :class:`Desk` per ``evidence serve`` in local mode, kept in a registry by
an id that the Datasette instances of that server carry in their plugin
config (``{"evidence-desk": {"id": …}}``): the id is no secret (Datasette
shows its config at ``/-/metadata``), the secrets stay in this process. Every
instance the server makes after a rebuild (host/follow.py) finds the same
desk, so a page rendered before a rebuild can still post after it.

Tokens: each browser gets a random session cookie (HttpOnly, SameSite=Strict);
the token in the desk's forms is an HMAC of it under the desk's secret. A
form posted from another site carries neither (a cross-site POST has no
SameSite=Strict cookie, and the attacker cannot read the page that holds the
token), so it is refused even where Datasette's CSRF layer lets a request
without cookies through.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass, field
from pathlib import Path

PLUGIN_NAME = "evidence-desk"
SESSION_COOKIE = "evidence_desk_session"
LOGIN_COOKIE = "evidence_desk_login"
EDITOR_COOKIE = "evidence_editor"
TOKEN_FIELD = "desk_token"
LOOPBACK_NAMES = ("127.0.0.1", "localhost")


@dataclass
class Desk:
    project: Path
    database: Path
    host: str = "127.0.0.1"
    port: int = 8001
    editor: str | None = None  # EVIDENCE_EDITOR, when set: the cookie is not asked for
    remote: bool = False  # --allow-remote-edits: a login token is needed
    id: str = field(default_factory=lambda: secrets.token_hex(8))
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    # The one-time login token printed at start (remote mode), until it is used.
    login_token: str | None = field(default=None, repr=False)
    # Sessions that logged in (remote mode): the login cookie's values.
    logins: set[str] = field(default_factory=set, repr=False)
    # What the last action said, per session, shown once on the next page.
    messages: dict[str, tuple[str, str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.remote and self.login_token is None:
            self.login_token = secrets.token_urlsafe(24)

    def token(self, session: str) -> str:
        """The form token of a browser session."""
        return hmac.new(self.secret, session.encode(), hashlib.sha256).hexdigest()

    def token_ok(self, session: str | None, token: str | None) -> bool:
        # Compared as bytes: compare_digest raises on a str that is not ASCII,
        # and a forged token may be anything.
        return bool(session) and bool(token) and hmac.compare_digest(
            self.token(session or "").encode(), (token or "").encode())

    @property
    def any_host(self) -> bool:
        """Bound to every interface with --allow-remote-edits: the name the editors use
        cannot be known, and the login cookie (kept per host by browsers) stands in
        for the Host check."""
        return self.remote and self.host in ("0.0.0.0", "::", "")

    def allowed_hosts(self) -> set[str]:
        """The Host headers this server answers to: loopback names with the served
        port (so a rebinding DNS name is refused), and the bound host when remote."""
        hosts = {f"{name}:{self.port}" for name in LOOPBACK_NAMES}
        hosts.add(f"[::1]:{self.port}")
        if self.remote or is_loopback(self.host):  # 127.0.0.2 is loopback too
            name = f"[{self.host}]" if ":" in self.host else self.host  # IPv6 in brackets
            hosts.add(f"{name.lower()}:{self.port}")
        return hosts

    def login(self, token: str) -> str | None:
        """Exchange the one-time login token for a login cookie value (once)."""
        if self.login_token is None or not hmac.compare_digest(
                self.login_token.encode(), token.encode()):
            return None
        self.login_token = None
        value = secrets.token_urlsafe(32)
        self.logins.add(value)
        return value

    def as_plugin_config(self) -> dict:
        return {PLUGIN_NAME: {"id": self.id}}


_DESKS: dict[str, Desk] = {}


def register(desk: Desk) -> Desk:
    _DESKS[desk.id] = desk
    return desk


def unregister(desk: Desk) -> None:
    _DESKS.pop(desk.id, None)


def desk_of(datasette) -> Desk | None:
    """The desk of a Datasette instance; None for any instance ``serve`` did not
    give one (public mode, a package on a host, another server in the process)."""
    config = datasette.plugin_config(PLUGIN_NAME) or {}
    local = (datasette.plugin_config("evidence") or {}).get("local") is True
    desk_id = config.get("id")
    desk = _DESKS.get(desk_id) if isinstance(desk_id, str) else None
    return desk if desk is not None and local else None


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False

