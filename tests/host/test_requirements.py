"""The pinned requirements of a package: the closure of evidence's runtime requirements."""

from __future__ import annotations

from importlib import metadata as importlib_metadata

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from evidence.errors import EvidenceError
from evidence.host.requirements import Installed, installed, pins

LINUX = default_environment() | {"sys_platform": "linux", "python_version": "3.11",
                                 "python_full_version": "3.11.7"}


def graph(*dists: Installed):
    by_name = {canonicalize_name(dist.name): dist for dist in dists}
    return lambda name: by_name.get(canonicalize_name(name))


def names(found) -> list[str]:
    return [str(pin) for pin in found]


def test_the_closure_follows_requirements_markers_and_extras():
    lookup = graph(
        Installed("Alpha", "1.2", ("beta>=2", "gamma[fast]", "pytest; extra == 'test'")),
        Installed("beta", "2.0", ("alpha",)),  # a cycle
        Installed("gamma", "3.1", ("delta; extra == 'fast'", "winonly; sys_platform == 'win32'",
                                   "epsilon; extra == 'slow'")),
        Installed("delta", "0.1", ()),
        Installed("epsilon", "9", ()),
        Installed("pytest", "8", ()),
    )
    found = pins(["alpha>=1", "pytest; extra == 'test'"], lookup=lookup, environment=LINUX)
    assert names(found) == ["Alpha==1.2", "beta==2.0", "delta==0.1", "gamma==3.1"]


def test_an_extra_asked_for_later_is_followed_too():
    lookup = graph(Installed("a", "1", ("c",)), Installed("b", "1", ("c[more]",)),
                   Installed("c", "1", ("d; extra == 'more'",)), Installed("d", "1", ()))
    assert names(pins(["a", "b"], lookup=lookup, environment=LINUX)) == \
        ["a==1", "b==1", "c==1", "d==1"]


def test_a_missing_or_mismatched_requirement_names_who_needs_it():
    with pytest.raises(EvidenceError, match="alpha requires beta, which is not installed"):
        pins(["alpha"], lookup=graph(Installed("alpha", "1", ("beta",))), environment=LINUX)
    with pytest.raises(EvidenceError, match="requires beta>=3, but beta 2.0 is installed"):
        pins(["beta>=3"], lookup=graph(Installed("beta", "2.0", ())), environment=LINUX)


def test_evidence_runtime_closure_is_installed_here_and_consistent():
    requires = importlib_metadata.requires("evidence") or []
    found = {canonicalize_name(pin.name): pin.version for pin in pins(requires)}
    assert found["datasette"] == importlib_metadata.version("datasette")
    assert "pytest" not in found and "hypothesis" not in found  # test extras
    # Closed: every requirement of a pinned distribution that applies here is pinned.
    for name in found:
        dist = installed(name)
        assert dist is not None and dist.version == found[name]
        for line in dist.requires:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                assert canonicalize_name(requirement.name) in found, (name, line)
