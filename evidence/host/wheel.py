"""A wheel of the installed evidence, built offline for a packaged publication.

``evidence package`` ships evidence as a wheel beside the database, so a host
installs it as any Python distribution (its Datasette plugin is then loaded
through its ``datasette`` entry point) instead of importing a vendored copy.

The wheel is built from evidence's source (the checkout an editable install
points at) by the build backend that pyproject.toml names, already installed
here: nothing is downloaded, as ``pip wheel --no-build-isolation --no-index``
would do, without needing pip. The build runs on a copy of the source in a
temporary folder, in a process of its own, so setuptools writes its
``build/`` and ``*.egg-info`` there and not into the checkout. The copy keeps
the files' times and ``SOURCE_DATE_EPOCH`` is the newest of them, so the same
source gives the same wheel, byte for byte (a host then sees no change).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from importlib import metadata as importlib_metadata
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from evidence.errors import EvidenceError

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the evidence package
# Left out of the copy: what a build or a run leaves in the package folder.
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.db", "*.db-*", "*.egg-info")
# Seconds from the epoch to 1980-01-01, the earliest time a zip file holds.
ZIP_EPOCH = 315532800

BUILD = """\
import importlib, sys
backend = importlib.import_module(sys.argv[1])
print(backend.build_wheel(sys.argv[2]))
"""


@dataclass(frozen=True)
class Wheel:
    path: Path
    sha256: str


def source_root() -> Path:
    """The folder of evidence's pyproject.toml: the source the installed evidence runs from."""
    root = PACKAGE_DIR.parent
    if not (root / "pyproject.toml").is_file():
        raise EvidenceError(
            f"evidence runs from {PACKAGE_DIR}, which has no pyproject.toml beside it: "
            "`evidence package` builds its wheel from evidence's source, so install evidence "
            "from a checkout (pip install -e <checkout>) and package from there")
    return root


def _backend(pyproject: dict, path: Path) -> str:
    """The build backend pyproject.toml names, after checking that what it requires is installed."""
    system = pyproject.get("build-system", {})
    for line in system.get("requires", []):
        try:
            requirement = Requirement(line)
        except InvalidRequirement as exc:
            raise EvidenceError(f"{path}: [build-system] requires: {exc}") from exc
        try:
            installed = importlib_metadata.version(requirement.name)
        except importlib_metadata.PackageNotFoundError:
            installed = None
        if installed is None or not requirement.specifier.contains(installed, prereleases=True):
            found = f"{installed} is installed" if installed else "it is not installed"
            raise EvidenceError(
                f"{path}: building evidence's wheel needs {line} ({found}); nothing is "
                f"downloaded while packaging: pip install '{line}'")
    return str(system.get("build-backend", "setuptools.build_meta:__legacy__")).split(":")[0]


def _copy_source(root: Path, pyproject: dict, into: Path) -> None:
    """What the build reads: pyproject.toml, the files it names, the package."""
    project = pyproject.get("project", {})
    readme = project.get("readme")
    if isinstance(readme, dict):
        readme = readme.get("file")
    names = {"pyproject.toml", "setup.py", "setup.cfg", "MANIFEST.in"}
    if isinstance(readme, str):
        names.add(readme)
    for pattern in project.get("license-files", ["LICEN[CS]E*", "COPYING*", "NOTICE*", "AUTHORS*"]):
        names.update(str(path.relative_to(root)) for path in root.glob(pattern))
    for name in sorted(names):
        if (root / name).is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / name, into / name)
    shutil.copytree(PACKAGE_DIR, into / PACKAGE_DIR.name, ignore=IGNORED)


def _newest_time(folder: Path) -> int:
    return max([ZIP_EPOCH, *(int(path.stat().st_mtime)
                             for path in folder.rglob("*") if path.is_file())])


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_wheel(out: Path) -> Wheel:
    """Build evidence's wheel into the folder ``out`` (made if missing)."""
    root = source_root()
    path = root / "pyproject.toml"
    try:
        pyproject = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise EvidenceError(f"{path}: {exc}") from exc
    backend = _backend(pyproject, path)
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="evidence-wheel-") as scratch:
        source = Path(scratch) / "source"
        source.mkdir()
        _copy_source(root, pyproject, source)
        environment = {key: value for key, value in os.environ.items()
                       if key not in ("PYTHONPATH", "PYTHONSTARTUP")}
        environment["SOURCE_DATE_EPOCH"] = str(_newest_time(source))
        done = subprocess.run([sys.executable, "-c", BUILD, backend, str(out)], cwd=source,
                              env=environment, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise EvidenceError(f"building evidence's wheel with {backend} failed:\n"
                                + (done.stderr or done.stdout)[-3000:])
        target = out / done.stdout.strip().splitlines()[-1]
    return Wheel(target, sha256(target))
