"""``evidence package OUTDIR``: the publication as a folder any host can serve.

The published database is read-only, so it scales as identical Datasette
replicas of one immutable file behind a cache. The folder holds all a
replica needs; evidence itself travels as a wheel built from the installed
source (evidence is not on PyPI), installed with its pinned dependencies in a
virtual environment beside the folder's ``run.sh``, and plain ``datasette
serve`` loads the publication's plugins through the wheel's ``datasette``
entry point and its templates and stylesheet from the installed package::

    evidence.db         the database, built first if stale
    inspect.json        ``datasette inspect`` data: hash, size, row counts
    metadata.json       titles, descriptions, licence, facets, canned queries
    wheels/             evidence-<version>-py3-none-any.whl (with the templates and stylesheet)
    requirements.txt    the wheel, and every distribution it needs at the version installed now
    run.sh              installs requirements.txt into .venv (once), then serves
    README.md           how to serve it
    Dockerfile          the same, as a container (.dockerignore keeps .venv out)

It never needs the repository: tests/host/test_package.py moves a package
elsewhere and serves it with its run.sh, from a virtual environment that
cannot import the repository's evidence.

The folder is written beside ``OUTDIR`` and renamed into place, so a failed
packaging leaves the previous package; the ``.venv`` that run.sh made in the
previous package is kept (run.sh reinstalls when requirements.txt changed).
"""

from __future__ import annotations

import datetime as dt
import json
import shlex
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from evidence import __version__
from evidence.errors import EvidenceError
from evidence.host.requirements import pins, wheel_requires
from evidence.host.wheel import Wheel, build_wheel

DATABASE_FILE = "evidence.db"
WHEELS_DIR = "wheels"
VENV_DIR = ".venv"
# Where run.sh finds the installed publication (templates/, static/): a shell variable.
PUBLICATION = "$PUBLICATION"

REQUIREMENTS = """\
# Written by `evidence package` (evidence {version}, Python {python} on {platform}):
# evidence's wheel and every distribution it needs, at the versions it ran with.
# {wheel} sha256 {sha256}
./{wheels}/{wheel}
{pins}
"""

RUN_SH = """\
#!/bin/sh
# Serve this folder with Datasette (written by `evidence package`).
#
#   ./run.sh            install requirements.txt into {venv}/ when it changed, then serve
#   ./run.sh install    only install (a Dockerfile's build step)
#
# HOST and PORT (127.0.0.1, 8001) say where to listen; PYTHON (python3) which
# interpreter makes {venv}/; pip's own variables where it installs from
# (PIP_INDEX_URL, or PIP_NO_INDEX=1 with every wheel in {wheels}/).
set -e
cd "$(dirname "$0")"
HOST="${{HOST:-127.0.0.1}}"
PORT="${{PORT:-8001}}"
VENV={venv}
if ! cmp -s requirements.txt "$VENV/evidence-requirements.txt" 2>/dev/null; then
    [ -x "$VENV/bin/python" ] || "${{PYTHON:-python3}}" -m venv "$VENV"
    # pip keeps an installed evidence of the same version as the wheel: remove it first.
    "$VENV/bin/python" -m pip uninstall --quiet --yes evidence >/dev/null 2>&1 || true
    "$VENV/bin/python" -m pip install --find-links {wheels} -r requirements.txt
    cp requirements.txt "$VENV/evidence-requirements.txt"
fi
[ "${{1:-}}" = install ] && exit 0
# Everything runs as "$VENV/bin/python -m": that still works if this folder moves.
PUBLICATION="$("$VENV/bin/python" -c 'import evidence.publish, os; print(os.path.dirname(evidence.publish.__file__))')"
exec "$VENV/bin/python" -m {command}
"""

README = """\
# {title}: the published evidence database

A folder that serves itself with Datasette {datasette_version}: built by
`evidence package` (evidence {version}) on {built_at}.

    ./run.sh                      # http://127.0.0.1:8001/, or HOST=0.0.0.0 PORT=80 ./run.sh

The first run makes a virtual environment in `{venv}/` with `{python}` (or
`$PYTHON`) and installs `requirements.txt` there: evidence's wheel from
`{wheels}/` and its dependencies, pinned to the versions it was packaged with,
from the package index (pip's settings apply: `PIP_INDEX_URL`; for a host
without internet, put every wheel in `{wheels}/`, e.g. with
`pip download -r requirements.txt -d {wheels}` elsewhere, and run
`PIP_NO_INDEX=1 ./run.sh`). Then it runs plain Datasette:

    {command}

where `$PUBLICATION` is the installed `evidence/publish` folder (the
templates and the stylesheet come with the wheel, and Datasette loads the
publication's plugins through the wheel's entry point).

The database is immutable and comes with its inspect file, so any number of
identical replicas can serve it behind a cache. `Dockerfile` does the same
in a container (`docker build -t evidence-site . && docker run -p 8001:8001 evidence-site`).

Contents: `evidence.db` (the database), `inspect.json` (hash, size and row
counts), `metadata.json` (titles, descriptions, facets, canned queries, and
no plugin configuration: the publication's defaults are the public ones),
`{wheels}/` (evidence), `requirements.txt` (exact versions), `run.sh`.
"""

DOCKERFILE = """\
FROM python:{python}-slim
WORKDIR /site
COPY run.sh requirements.txt ./
COPY {wheels}/ {wheels}/
RUN sh run.sh install
COPY . .
ENV HOST=0.0.0.0 PORT=8001
EXPOSE 8001
CMD ["sh", "run.sh"]
"""

DOCKERIGNORE = f"{VENV_DIR}\n"


@dataclass
class PackageResult:
    folder: Path
    database: Path
    built: bool  # the database was (re)built first
    command: list[str]
    wheel: Path


def serve_command(host: str = "$HOST", port: str = "$PORT",
                  publication: str = PUBLICATION) -> list[str]:
    """The ``datasette serve`` command for the package folder, settings as
    ``evidence serve --public`` uses them; ``publication`` is the installed
    ``evidence/publish`` folder."""
    from evidence.host.serve import PUBLIC_SETTINGS, SETTINGS, STATIC_MOUNT

    command = ["datasette", "serve", "--immutable", DATABASE_FILE, "--inspect-file", "inspect.json",
               "-m", "metadata.json", "--template-dir", f"{publication}/templates",
               f"--static={STATIC_MOUNT}:{publication}/static", "--host", host, "--port", port]
    for name, value in (SETTINGS | PUBLIC_SETTINGS).items():
        shown = ("on" if value else "off") if isinstance(value, bool) else str(value)
        command += ["--setting", name, shown]
    return command


def shell_words(command: list[str]) -> str:
    """The command as sh reads it: words with a variable in double quotes, others quoted as needed."""
    shown = []
    for part in command:
        if "$" in part:
            if any(char in part for char in '"\\`'):
                raise ValueError(f"cannot quote {part!r} for sh")
            shown.append(f'"{part}"')
        else:
            shown.append(shlex.quote(part))
    return " ".join(shown)


def requirements_text(wheel: Wheel) -> str:
    """requirements.txt: the wheel by its path in the folder, then every pinned dependency."""
    dependencies = [pin for pin in pins(wheel_requires(wheel.path)) if pin.name != "evidence"]
    return REQUIREMENTS.format(
        version=__version__, python=f"{sys.version_info.major}.{sys.version_info.minor}",
        platform=sys.platform, wheel=wheel.path.name, sha256=wheel.sha256, wheels=WHEELS_DIR,
        pins="\n".join(str(pin) for pin in dependencies))


def _is_package(folder: Path) -> bool:
    return (folder / DATABASE_FILE).exists() and (folder / "inspect.json").exists()


def package(root: Path | str, out: Path | str, database: Path | str | None = None) -> PackageResult:
    """Build if stale, then write the publication folder ``out``."""
    from evidence.database.build import DEFAULT_DATABASE, build

    root, out = Path(root), Path(out)
    source_db = Path(database) if database else root / DEFAULT_DATABASE
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not _is_package(out))):
        raise EvidenceError(f"{out} is not empty and is not an evidence package: "
                            "choose a new folder")
    result = build(root, source_db)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    try:
        command, wheel = _write_folder(partial, source_db)
        _swap_in(partial, out)
    finally:
        if partial.exists():
            shutil.rmtree(partial)
    return PackageResult(out, out / DATABASE_FILE, result.built, command,
                         out / WHEELS_DIR / wheel.path.name)


def _swap_in(partial: Path, out: Path) -> None:
    """Rename the new folder to ``out``, keeping the previous package's .venv."""
    partial.chmod(0o755)  # mkdtemp makes it private; a host serves it
    if not out.exists():
        partial.rename(out)
        return
    if (out / VENV_DIR).is_dir():
        (out / VENV_DIR).rename(partial / VENV_DIR)
    previous = out.with_name(partial.name.replace(".partial", ".previous"))
    out.rename(previous)
    partial.rename(out)
    shutil.rmtree(previous)


def _write_folder(folder: Path, source_db: Path) -> tuple[list[str], Wheel]:
    import datasette

    from evidence.host.serve import inspect_database
    from evidence.publish.metadata import metadata

    target = folder / DATABASE_FILE
    shutil.copyfile(source_db, target)
    inspect = inspect_database(target)
    for entry in inspect.values():
        entry["file"] = DATABASE_FILE
    (folder / "inspect.json").write_text(json.dumps(inspect, indent=2), encoding="utf-8")
    # No plugin configuration: the publication's defaults are the public ones.
    meta = metadata()
    (folder / "metadata.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False),
                                          encoding="utf-8")

    wheel = build_wheel(folder / WHEELS_DIR)
    (folder / "requirements.txt").write_text(requirements_text(wheel), encoding="utf-8")

    command = serve_command()
    shown = shell_words(command)
    run_sh = folder / "run.sh"
    run_sh.write_text(RUN_SH.format(venv=VENV_DIR, wheels=WHEELS_DIR, command=shown),
                      encoding="utf-8")
    run_sh.chmod(0o755)
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    (folder / "README.md").write_text(README.format(
        title=meta.get("title", "evidence"), version=__version__,
        datasette_version=datasette.__version__,
        built_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        command=shown, venv=VENV_DIR, wheels=WHEELS_DIR, python="python3"), encoding="utf-8")
    (folder / "Dockerfile").write_text(DOCKERFILE.format(python=python, wheels=WHEELS_DIR),
                                       encoding="utf-8")
    (folder / ".dockerignore").write_text(DOCKERIGNORE, encoding="utf-8")
    return command, wheel
