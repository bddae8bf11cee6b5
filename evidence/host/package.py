"""``evidence package OUTDIR``: the publication as a folder any host can serve.

The published database is read-only, so it scales as identical Datasette
replicas of one immutable file behind a cache. The folder holds all a
replica needs, and plain ``datasette`` serves it; the evidence package is not
on PyPI, so its code (the Datasette plugins, the pages and the evidence
scale they use) is vendored under ``lib/`` and a small plugin in
``plugins/`` loads it::

    evidence.db         the database, built first if stale
    inspect.json        ``datasette inspect`` data: hash, size, row counts
    metadata.json       titles, descriptions, licence, facets, canned queries
    templates/          the publication's templates
    static/             its stylesheet
    plugins/            evidence_publication.py: loads the vendored plugins
    lib/evidence/       the evidence package's code, as built
    requirements.txt    the exact versions of evidence's dependencies installed now
    run.sh, README.md   the command that serves it
    Dockerfile          the same, as a container

It never needs the repository: tests/test_package.py serves a package from
its folder alone.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import sys
from dataclasses import dataclass
from importlib import metadata as importlib_metadata
from pathlib import Path

from evidence import __version__
from evidence.errors import EvidenceError

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the evidence package
DATABASE_FILE = "evidence.db"
STATIC_DIR = "static"
PLUGIN_FILE = "evidence_publication.py"

PLUGIN = '''\
"""The evidence publication's Datasette plugins, from the package vendored in ../lib.

Written by `evidence package`. Datasette loads every module of --plugins-dir;
this one puts ../lib first on the import path and registers evidence's own
plugins. Their defaults are the public publication: metadata.json configures
no local mode (its database is immutable).
"""

import sys
from pathlib import Path

LIB = str(Path(__file__).resolve().parent.parent / "lib")
if LIB not in sys.path:
    sys.path.insert(0, LIB)

from evidence.host.serve import register_plugins  # noqa: E402

register_plugins()
'''

README = """\
# {title}: the published evidence database

A folder that serves itself with Datasette {datasette_version}: built by
`evidence package` (evidence {version}) on {built_at}.

    pip install -r requirements.txt
    ./run.sh                      # http://127.0.0.1:8001/, or HOST=0.0.0.0 PORT=80 ./run.sh

which runs

    {command}

The database is immutable and comes with its inspect file, so any number of
identical replicas can serve it behind a cache. `Dockerfile` does the same
in a container (`docker build -t evidence-site . && docker run -p 8001:8001 evidence-site`).

Contents: `evidence.db` (the database), `inspect.json` (hash, size and row
counts), `metadata.json` (titles, descriptions, facets, canned queries),
`templates/` and `static/` (the pages), `plugins/` and `lib/evidence/` (the
publication's Datasette plugins and the evidence code they use),
`requirements.txt` (exact versions).
"""

DOCKERFILE = """\
FROM python:{python}-slim
WORKDIR /site
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
ENV HOST=0.0.0.0 PORT=8001
EXPOSE 8001
CMD ["sh", "run.sh"]
"""


@dataclass
class PackageResult:
    folder: Path
    database: Path
    built: bool  # the database was (re)built first
    command: list[str]


def serve_command(host: str = "$HOST", port: str = "$PORT") -> list[str]:
    """The ``datasette serve`` command for the package folder, settings as
    ``evidence serve --public`` uses them."""
    from evidence.host.serve import PUBLIC_SETTINGS, SETTINGS, STATIC_MOUNT

    command = ["datasette", "serve", "--immutable", DATABASE_FILE, "--inspect-file", "inspect.json",
               "-m", "metadata.json", "--template-dir", "templates", "--plugins-dir", "plugins",
               f"--static={STATIC_MOUNT}:{STATIC_DIR}", "--host", host, "--port", port]
    for name, value in (SETTINGS | PUBLIC_SETTINGS).items():
        shown = ("on" if value else "off") if isinstance(value, bool) else str(value)
        command += ["--setting", name, shown]
    return command


def requirements() -> list[str]:
    """Every runtime dependency of evidence, pinned to the version installed now."""
    pyproject = PACKAGE_DIR.parent / "pyproject.toml"
    if pyproject.exists():  # a checkout: pyproject.toml is newer than installed metadata
        import tomllib

        wanted = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]
    else:
        wanted = importlib_metadata.requires("evidence") or []
    pins = []
    for requirement in wanted:
        if "extra ==" in requirement:
            continue  # test and benchmark extras: not needed to serve
        name = re.split(r"[\s<>=!~;\[(]", requirement, maxsplit=1)[0]
        try:
            pins.append(f"{name}=={importlib_metadata.version(name)}")
        except importlib_metadata.PackageNotFoundError as exc:
            raise EvidenceError(f"{name} is not installed: install evidence's dependencies "
                                "(pip install -e .) before packaging") from exc
    return sorted(pins, key=str.lower)


def package(root: Path | str, out: Path | str, database: Path | str | None = None) -> PackageResult:
    """Build if stale, then write the publication folder ``out``."""
    from evidence.database.build import DEFAULT_DATABASE, build
    from evidence.host.serve import inspect_database
    from evidence.publish.metadata import metadata

    root, out = Path(root), Path(out)
    source_db = Path(database) if database else root / DEFAULT_DATABASE
    result = build(root, source_db)
    if out.exists() and any(out.iterdir()):
        if not (out / DATABASE_FILE).exists() or not (out / "inspect.json").exists():
            raise EvidenceError(f"{out} is not empty and is not an evidence package: "
                                "choose a new folder")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)

    target = out / DATABASE_FILE
    shutil.copyfile(source_db, target)
    inspect = inspect_database(target)
    for entry in inspect.values():
        entry["file"] = DATABASE_FILE
    (out / "inspect.json").write_text(json.dumps(inspect, indent=2), encoding="utf-8")
    meta = metadata()
    (out / "metadata.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False),
                                       encoding="utf-8")

    publish = PACKAGE_DIR / "publish"
    shutil.copytree(publish / "templates", out / "templates")
    shutil.copytree(publish / "static", out / STATIC_DIR)
    shutil.copytree(PACKAGE_DIR, out / "lib" / "evidence",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.db", "*.db-*"))
    (out / "plugins").mkdir()
    (out / "plugins" / PLUGIN_FILE).write_text(PLUGIN, encoding="utf-8")
    (out / "requirements.txt").write_text(
        "# The exact versions evidence ran with when this package was made.\n"
        + "\n".join(requirements()) + "\n", encoding="utf-8")

    command = serve_command()
    shown = " ".join(shlex.quote(part) if not part.startswith("$") else f'"{part}"'
                     for part in command)
    run_sh = out / "run.sh"
    run_sh.write_text(
        "#!/bin/sh\n# Serve this folder with Datasette (written by `evidence package`).\n"
        'cd "$(dirname "$0")"\nHOST="${HOST:-127.0.0.1}"\nPORT="${PORT:-8001}"\n'
        f"exec {shown}\n", encoding="utf-8")
    run_sh.chmod(0o755)
    import datetime as dt

    import datasette

    (out / "README.md").write_text(README.format(
        title=meta.get("title", "evidence"), version=__version__,
        datasette_version=datasette.__version__,
        built_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        command=shown), encoding="utf-8")
    (out / "Dockerfile").write_text(DOCKERFILE.format(
        python=f"{sys.version_info.major}.{sys.version_info.minor}"), encoding="utf-8")
    return PackageResult(out, target, result.built, command)
