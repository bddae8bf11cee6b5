"""The exact versions a packaged publication runs with: a pinned requirements file.

The pins are the closure of evidence's runtime requirements (the
``Requires-Dist`` of the wheel being shipped, without extras such as
``test``): every distribution they name, and every one those name in turn,
at the version installed now. Markers are evaluated for this machine
(``sys_platform``, ``python_version`` …), so the file describes this
environment: a host on another platform may need a requirement left out here.
A requirement with extras (``foo[bar]``) brings in foo's ``extra == "bar"``
requirements too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.parser import HeaderParser
from importlib import metadata as importlib_metadata
from pathlib import Path
from zipfile import ZipFile

from packaging.markers import default_environment
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from evidence.errors import EvidenceError


@dataclass(frozen=True)
class Installed:
    name: str  # as the distribution spells it
    version: str
    requires: tuple[str, ...]


@dataclass(frozen=True)
class Pin:
    name: str
    version: str

    def __str__(self) -> str:
        return f"{self.name}=={self.version}"


def installed(name: str) -> Installed | None:
    """A distribution of this environment, by name, or None."""
    try:
        dist = importlib_metadata.distribution(name)
    except importlib_metadata.PackageNotFoundError:
        return None
    return Installed(dist.metadata["Name"] or name, dist.version, tuple(dist.requires or ()))


def wheel_requires(wheel: Path) -> tuple[str, ...]:
    """The ``Requires-Dist`` lines of a wheel's METADATA."""
    with ZipFile(wheel) as archive:
        name = next((member for member in archive.namelist()
                     if member.count("/") == 1 and member.endswith(".dist-info/METADATA")), None)
        if name is None:
            raise EvidenceError(f"{wheel}: a wheel without .dist-info/METADATA")
        headers = HeaderParser().parsestr(archive.read(name).decode("utf-8"))
    return tuple(headers.get_all("Requires-Dist") or ())


def _parse(line: str, needed_by: str) -> Requirement:
    try:
        return Requirement(line)
    except InvalidRequirement as exc:
        raise EvidenceError(f"{needed_by} requires {line!r}, which is not a requirement: {exc}") from exc


def _applies(requirement: Requirement, extras: Iterable[str], environment: dict[str, str]) -> bool:
    if requirement.marker is None:
        return True
    return any(requirement.marker.evaluate(environment | {"extra": extra})
               for extra in ("", *extras))


def pins(requires: Iterable[str], needed_by: str = "evidence", *,
         lookup: Callable[[str], Installed | None] = installed,
         environment: dict[str, str] | None = None) -> list[Pin]:
    """Every distribution ``requires`` needs, recursively, pinned to its installed version.

    A requirement that is not installed, or whose installed version is
    outside its range, is an error naming who requires it: the package would
    not install as it runs here.
    """
    env = dict(environment) if environment is not None else {
        key: str(value) for key, value in default_environment().items()}
    found: dict[str, Installed] = {}
    expanded: dict[str, set[str]] = {}  # the extras already followed, per distribution
    queue: list[tuple[Requirement, str, tuple[str, ...]]] = [
        (_parse(line, needed_by), needed_by, ()) for line in requires]
    queue.reverse()
    while queue:
        requirement, parent, parent_extras = queue.pop()
        if not _applies(requirement, parent_extras, env):
            continue
        key = canonicalize_name(requirement.name)
        dist = found.get(key) or lookup(requirement.name)
        if dist is None:
            raise EvidenceError(f"{parent} requires {requirement}, which is not installed: "
                                "install evidence's dependencies (pip install -e .) before packaging")
        if not requirement.specifier.contains(dist.version, prereleases=True):
            raise EvidenceError(f"{parent} requires {requirement}, but {dist.name} {dist.version} "
                                "is installed: install evidence's dependencies again (pip install -e .)")
        found[key] = dist
        new_extras = set(requirement.extras) - expanded.get(key, set())
        if key in expanded and not new_extras:
            continue
        expanded.setdefault(key, set()).update(new_extras)
        queue.extend((_parse(line, dist.name), dist.name, tuple(sorted(expanded[key])))
                     for line in reversed(dist.requires))
    return sorted((Pin(dist.name, dist.version) for dist in found.values()),
                  key=lambda pin: canonicalize_name(pin.name))
