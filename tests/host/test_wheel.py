"""The wheel `evidence package` ships holds every file of the package, and
pyproject.toml's package-data names no file that is not there."""

from __future__ import annotations

import tomllib
from zipfile import ZipFile

import pytest

from evidence.host.wheel import PACKAGE_DIR, build_wheel, sha256, source_root

ROOT = PACKAGE_DIR.parent


def package_files() -> set[str]:
    """Every file of the evidence package in the source, as a wheel names it."""
    return {str(path.relative_to(ROOT)) for path in PACKAGE_DIR.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
            and path.suffix not in (".pyc", ".db") and ".db-" not in path.name}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    return build_wheel(tmp_path_factory.mktemp("wheels"))


def test_the_wheel_holds_every_file_of_the_package(wheel):
    names = set(ZipFile(wheel.path).namelist())
    files = package_files()
    assert any(name.startswith("evidence/publish/templates/") for name in files)
    assert files - names == set(), "files of the package missing from its wheel"
    outside = {name for name in names - files if not name.startswith("evidence-")}
    assert outside == set(), "files in the wheel that are not in the package"
    assert wheel.sha256 == sha256(wheel.path)


def test_the_wheel_registers_the_datasette_plugin(wheel):
    with ZipFile(wheel.path) as archive:
        entry_points = next(archive.read(name).decode() for name in archive.namelist()
                            if name.endswith(".dist-info/entry_points.txt"))
    assert "[datasette]\nevidence = evidence.publish.plugin" in entry_points


def test_every_package_data_pattern_matches_a_file():
    pyproject = tomllib.loads((source_root() / "pyproject.toml").read_text(encoding="utf-8"))
    for package, patterns in pyproject["tool"]["setuptools"]["package-data"].items():
        folder = ROOT.joinpath(*package.split("."))
        for pattern in patterns:
            assert [path for path in folder.glob(pattern) if path.is_file()], \
                f"package-data {package}: {pattern} matches no file"


def test_the_same_source_gives_the_same_wheel(wheel, tmp_path):
    assert build_wheel(tmp_path).sha256 == wheel.sha256


def test_a_missing_build_backend_is_named_with_its_fix(tmp_path):
    from evidence.errors import EvidenceError
    from evidence.host import wheel as wheel_module

    pyproject = {"build-system": {"requires": ["setuptools>=999"],
                                  "build-backend": "setuptools.build_meta"}}
    with pytest.raises(EvidenceError, match=r"needs setuptools>=999 \(.* is installed\).*"
                                            r"pip install 'setuptools>=999'"):
        wheel_module._backend(pyproject, tmp_path / "pyproject.toml")
    absent = {"build-system": {"requires": ["no-such-backend-here"]}}
    with pytest.raises(EvidenceError, match="it is not installed"):
        wheel_module._backend(absent, tmp_path / "pyproject.toml")


def test_an_install_without_its_source_cannot_be_packaged(tmp_path, monkeypatch):
    from evidence.errors import EvidenceError
    from evidence.host import wheel as wheel_module

    monkeypatch.setattr(wheel_module, "PACKAGE_DIR", tmp_path / "site-packages" / "evidence")
    with pytest.raises(EvidenceError, match="no pyproject.toml beside it.*pip install -e"):
        source_root()
