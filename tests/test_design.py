"""docs/DESIGN.md is the shared contract plus the module map, and the map names
every subpackage of evidence/ (a new one must be placed in the layers)."""

from __future__ import annotations

import tomllib

import pytest

from tests.conftest import REPO, SHARED

DESIGN = REPO / "docs" / "DESIGN.md"


def test_design_begins_with_the_shared_contract():
    contract = SHARED / "DESIGN.md"
    if not contract.exists():
        pytest.skip("../shared/DESIGN.md is not here")
    assert DESIGN.read_text(encoding="utf-8").startswith(contract.read_text(encoding="utf-8"))


def test_the_module_map_and_the_layers_name_every_subpackage():
    text = DESIGN.read_text(encoding="utf-8")
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    layers = next(c for c in config["tool"]["importlinter"]["contracts"]
                  if c["type"] == "layers")["layers"]
    in_layers = {name.strip() for layer in layers for name in layer.split("|")}
    packages = sorted(p.parent.name for p in (REPO / "evidence").glob("*/__init__.py"))
    assert len(packages) >= 6
    for package in packages:
        assert f"`evidence/{package}/`" in text, f"docs/DESIGN.md §10 does not map {package}/"
        assert f"evidence.{package}" in in_layers, f"{package}/ has no place in the layers"


def test_at_most_eight_modules_at_the_top_of_the_package():
    assert len(list((REPO / "evidence").glob("*.py"))) <= 8
