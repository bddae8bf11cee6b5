"""Running Datasette on evidence.db, in-process (DESIGN §7), following its rebuilds.

The database is always published under the name ``evidence`` (URLs
``/evidence/claims``, templates ``row-evidence-claims.html``), whatever the
file is called. Public mode serves it immutable, with an inspect file so
that row counts are never recomputed, arbitrary SQL and downloads off. A
rebuild by any process is served from the next request on, in either mode
(:mod:`evidence.host.follow`); ``--watch`` rebuilds on every change in a
warm child process and has the server follow each new database as soon as
it is renamed into place (:mod:`evidence.host.watch`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from datasette.app import Datasette
from datasette.database import Database
from datasette.inspect import inspect_hash
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket

from evidence.errors import EvidenceError
from evidence.publish.config import PublicationConfig
from evidence.publish.metadata import DATABASE, STATIC_MOUNT, metadata

if TYPE_CHECKING:
    from evidence.desk.state import Desk

PUBLICATION = Path(__file__).resolve().parent.parent / "publish"  # templates and static files

# Settings for speed (DESIGN §7, NOTES: suggested facets and counts are what
# makes table pages slow) and for a tidy publication.
SETTINGS = {
    "suggest_facets": False,
    "default_facet_size": 12,
    "facet_time_limit_ms": 500,
    "sql_time_limit_ms": 2000,
    "truncate_cells_html": 400,
}
PUBLIC_SETTINGS = {
    "default_allow_sql": False,  # arbitrary SQL off; canned queries still run
    "allow_download": False,  # no download of the raw database file
    # CSV answers hold at most max_returned_rows rows, so their cells can be
    # neutralised before they are sent (publish/csv_cells.py)
    "allow_csv_stream": False,
}


class SharedTemplateCode(BytecodeCache):
    """The templates' compiled code, kept in memory for every instance of the process.

    Each Datasette instance has its own Jinja environment, which compiles a
    template the first time it renders it: some 150 ms for a claim page. The
    server makes a new instance for every rebuild (host/follow.py), so without
    this each first page after an edit paid for compiling its templates again.
    Jinja checks each entry against the template's source (a changed template is
    compiled anew); the key holds what of the environment the code depends on.
    """

    def __init__(self) -> None:
        self._code: dict[tuple, bytes] = {}

    @staticmethod
    def _key(bucket: Bucket) -> tuple:
        env = bucket.environment
        return (bucket.key, env.is_async, tuple(sorted(env.extensions)),
                env.block_start_string, env.variable_start_string, env.comment_start_string)

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(self._key(bucket))
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[self._key(bucket)] = bucket.bytecode_to_string()


TEMPLATE_CODE = SharedTemplateCode()


def register_plugins(*, desk: bool = False) -> None:
    """Register the project's Datasette plugins, once per process.

    An installed evidence is loaded by Datasette through its entry point
    (named ``evidence``, as here); this registers it where entry points were not
    loaded (Datasette skips them under pytest) and never a second time.
    ``desk``: the editor's desk too (local mode only; never an entry point).
    Its hooks answer only for an instance given a desk (make_datasette), so
    other instances of the process are untouched by it.
    """
    from datasette.plugins import pm

    from evidence.publish import plugin
    from evidence.publish.config import PLUGIN_NAME

    if not pm.is_registered(plugin) and pm.get_plugin(PLUGIN_NAME) is None:
        pm.register(plugin, name=PLUGIN_NAME)
    plugin.register_bibliography_plugin()
    if desk:
        import evidence.desk
        from evidence.desk.state import PLUGIN_NAME as DESK_PLUGIN

        if not pm.is_registered(evidence.desk) and pm.get_plugin(DESK_PLUGIN) is None:
            pm.register(evidence.desk, name=DESK_PLUGIN)


def inspect_path(database: Path) -> Path:
    """Where the inspect file of a database lives: beside it, ``evidence.db-inspect.json``
    (a build artifact like the database, ignored by git with it)."""
    database = Path(database)
    return database.with_name(database.name + "-inspect.json")


def inspect_database(database: Path) -> dict:
    """What ``datasette inspect`` records: hash, size and every table's row count."""
    database = Path(database)
    tables = {}
    with sqlite3.connect(f"file:{database}?immutable=1", uri=True) as conn:
        names = [row[0] for row in conn.execute(
            "select name from sqlite_master where type = 'table'")]
        for name in names:
            quoted = '"' + name.replace('"', '""') + '"'
            try:
                count = conn.execute(f"select count(*) from {quoted}").fetchone()[0]
            except sqlite3.Error:
                count = 0
            tables[name] = {"count": count}
    return {DATABASE: {"hash": inspect_hash(database), "size": database.stat().st_size,
                       "file": str(database), "tables": tables}}


def load_inspect_data(database: Path, *, write: bool = True) -> dict:
    """The inspect data of a database: read from its inspect file when that
    file matches the database, else computed (and written, when allowed)."""
    database = Path(database)
    path = inspect_path(database)
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            entry = data.get(DATABASE, {})
            if (entry.get("size") == database.stat().st_size
                    and entry.get("hash") == inspect_hash(database)):
                return data
        except (OSError, ValueError, AttributeError):
            pass
    data = inspect_database(database)
    if write:
        try:
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
            tmp.replace(path)
        except OSError:
            pass  # a read-only folder: serve with the data computed in memory
    return data


def make_datasette(database: Path, *, public: bool = False,
                   settings: dict | None = None,
                   inspect_data: dict | None = None,
                   base_url: str | None = None, desk: Desk | None = None) -> Datasette:
    """A Datasette instance publishing ``database`` as ``evidence``.

    ``public``: immutable database with inspect data, no arbitrary SQL, no
    raw download. ``base_url``: where the publication is served, for absolute links
    (else they are relative). ``desk``: the editor's desk of a local server
    (evidence.desk), refused with ``public``. The caller must
    ``await ds.invoke_startup()`` before use.
    """
    database = Path(database)
    if not database.exists():
        raise FileNotFoundError(f"{database} does not exist: run `evidence build` first")
    if desk is not None and public:
        raise EvidenceError("the editor's desk exists only in local mode, never with --public")
    register_plugins(desk=desk is not None)
    combined = dict(SETTINGS)
    if public:
        combined |= PUBLIC_SETTINGS
        if inspect_data is None:
            inspect_data = load_inspect_data(database)
    combined |= settings or {}
    published = metadata()
    # The plugin's defaults are the public publication; local mode says so.
    published["plugins"] = PublicationConfig(
        local=not public, base_url=base_url).as_plugin_config()
    if desk is not None:
        published["plugins"] |= desk.as_plugin_config()
    ds = Datasette(
        [],
        memory=False,
        inspect_data=inspect_data,
        metadata=published,
        settings=combined,
        template_dir=str(PUBLICATION / "templates"),
        static_mounts=[(STATIC_MOUNT, str(PUBLICATION / "static"))],
    )
    # Datasette names a database after its file; the publication is always
    # "evidence", so URLs, templates and canned queries never depend on it.
    ds.jinja_env.bytecode_cache = TEMPLATE_CODE  # compiled once per process, not per instance
    ds.remove_database("_memory")
    ds.add_database(Database(ds, path=str(database), is_mutable=not public), name=DATABASE)
    return ds


def serve(database: Path, *, host: str, port: int, public: bool = False,
          base_url: str | None = None, watch: Path | None = None,
          echo: Callable[[str], None] | None = None, project: Path | None = None,
          allow_remote_edits: bool = False) -> None:
    """Serve ``database`` until interrupted, following every rebuild of it.

    ``watch``: the project folder whose inputs are watched, each change
    rebuilt in a child process (:mod:`evidence.host.watch`); the first build
    runs before serving, and a database must exist after it. In local mode
    (not ``public``) the editor's desk edits ``project`` (default: ``watch``,
    else the database's folder); on a host other than loopback only with
    ``allow_remote_edits``, behind a one-time login token printed here.
    """
    echo = echo or _echo_to_stderr
    desk = None if public else local_desk(Path(project or watch or Path(database).parent),
                                          Path(database), host=host, port=port,
                                          allow_remote_edits=allow_remote_edits, echo=echo)
    asyncio.run(_serve(Path(database), host=host, port=port, public=public, base_url=base_url,
                       watch=watch, echo=echo, desk=desk))


def local_desk(project: Path, database: Path, *, host: str, port: int,
               allow_remote_edits: bool, echo: Callable[[str], None]) -> Desk:
    """The editor's desk of a local server, registered for its instances."""
    import os

    from evidence.desk.state import Desk, is_loopback, register

    remote = not is_loopback(host)
    if remote and not allow_remote_edits:
        raise EvidenceError(
            f"--host {host} is not this machine's loopback: in local mode anyone who reaches "
            "it could edit the claims. Serve on 127.0.0.1, add --public for a read-only "
            "publication, or --allow-remote-edits to edit from elsewhere behind a login token")
    desk = register(Desk(project.resolve(), database.resolve(), host=host, port=port,
                         editor=os.environ.get("EVIDENCE_EDITOR", "").strip() or None,
                         remote=remote))
    echo(f"Editor's desk: edits go to {project.resolve()}; review queue at "
         f"{_addresses(host, port, '/-/desk/')}")
    if remote:
        echo(f"Editor's desk open to {host}: log in at {_addresses(host, port, '/-/desk/login')} "
             f"with the one-time token {desk.login_token}")
        # The server speaks plain HTTP: the token and the login cookie cross the
        # network in the clear unless something in front of it encrypts them.
        echo("This server speaks plain HTTP: put a TLS proxy in front of it, or serve on "
             f"127.0.0.1 and reach it through an SSH tunnel (ssh -L {port}:127.0.0.1:{port} "
             "HOST), never across an open network.")
    return desk


async def _serve(database: Path, *, host: str, port: int, public: bool, base_url: str | None,
                 watch: Path | None, echo: Callable[[str], None],
                 desk: Desk | None = None) -> None:
    import uvicorn

    from evidence.host.follow import FollowingApp

    async with contextlib.AsyncExitStack() as stack:
        rebuilder = None
        if watch is not None:
            from evidence.host.watch import Rebuilder

            rebuilder = await stack.enter_async_context(Rebuilder(watch, database, echo=echo))
            await rebuilder.build()
            if not database.exists():
                raise EvidenceError(f"{database} could not be built, so there is nothing to "
                                    "serve; fix the problems listed here and start again")
        app = FollowingApp(database, functools.partial(make_datasette, database, public=public,
                                                       base_url=base_url, desk=desk),
                           log=echo)
        await app.start()  # startup hooks run before the first request, as in `datasette serve`
        if rebuilder is not None:
            # After each rebuild the new instance is made and warmed at once, not
            # by the first request that finds the new file.
            rebuilder.on_built = app.check
        echo(f"Serving {database} on {_addresses(host, port)} (plain HTTP)"
             + (f", rebuilding it on every change in {watch}" if watch is not None else ""))
        server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="info",
                                               lifespan="on"))
        if rebuilder is None:
            await server.serve()
            return
        rebuilding = asyncio.create_task(rebuilder.run())
        try:
            await server.serve()
        finally:
            rebuilding.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await rebuilding


def _echo_to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def url_host(host: str) -> str:
    """The host as a URL writes it: an IPv6 address in brackets (``[::1]``)."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


WILDCARD_HOSTS = ("0.0.0.0", "::", "[::]", "")


def served_urls(host: str, port: int, path: str = "/") -> list[str]:
    """Addresses a browser can open for ``path``: the host served on, or, bound to
    every interface (0.0.0.0, ::), which no browser can open, this machine's name
    and each of its addresses (looked up locally: nothing is sent), then the
    loopback one for this machine itself."""
    if host not in WILDCARD_HOSTS:
        return [f"http://{url_host(host)}:{port}{path}"]
    import ipaddress
    import socket

    name = socket.gethostname()
    names = [name] if name else []
    families = (socket.AF_INET,) if host == "0.0.0.0" else (socket.AF_INET, socket.AF_INET6)
    found = _interface_addresses()
    for family in families:
        with contextlib.suppress(OSError, UnicodeError):
            found += [str(a[0]) for *_, a in socket.getaddrinfo(name, None, family,
                                                                 socket.SOCK_STREAM)]
    for ip in found:
        ip = ip.split("%")[0]
        with contextlib.suppress(ValueError):
            if not ipaddress.ip_address(ip).is_loopback and ip not in names:
                names.append(ip)
    names.append("127.0.0.1" if host == "0.0.0.0" else "[::1]")
    return [f"http://{url_host(n)}:{port}{path}" for n in dict.fromkeys(names)]


def _interface_addresses() -> list[str]:
    """The IPv4 address of each network interface (Linux's SIOCGIFADDR; elsewhere,
    or where it fails, none: the machine's name is printed all the same)."""
    import socket
    import struct

    try:
        import fcntl
    except ImportError:
        return []
    addresses = []
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _, interface in socket.if_nameindex():
            with contextlib.suppress(OSError):
                answer = fcntl.ioctl(probe.fileno(), 0x8915,  # SIOCGIFADDR
                                     struct.pack("256s", interface.encode()[:15]))
                addresses.append(socket.inet_ntoa(answer[20:24]))
    return addresses


def _addresses(host: str, port: int, path: str = "/") -> str:
    """The served addresses as one phrase: "http://a:1/ (or http://b:1/)"."""
    first, *others = served_urls(host, port, path)
    if not others:
        return first
    bound = f"bound to every interface, {host or '0.0.0.0'}"
    return f"{first} ({bound}; also {', '.join(others)})"
