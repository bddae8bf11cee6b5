"""Shared fixtures: small projects written into a temporary folder."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long property, fuzz and fault-injection tests (tests/**/test_reliability_*.py)
    carry the ``reliability`` marker, so they can be run apart:
    ``pytest -m reliability`` or ``pytest -m 'not reliability'``."""
    for item in items:
        if item.path.name.startswith("test_reliability_"):
            item.add_marker(pytest.mark.reliability)
SHARED = REPO.parent / "shared"

GUIDE = """\
Løbere får ofte ondt. Det er en lille guide.

## Hvad er det?

Tendinopati er en overbelastningsskade i senen.

- Hold i 30 sekunder
- Hold i 30 sekunder igen

## Behandling

Progressiv belastning er centralt. Massage hjælper kortvarigt.
"""

CLAIMS = """\
guide:
  title: Testguide
  language: da
claims:
  # a comment that tools keep
  - id: t-definition
    quote: "Tendinopati er en overbelastningsskade i senen."
    type: definition
    consensus: "Standard definition."
  - id: t-loading
    quote: "Progressiv belastning er centralt."
    type: treatment
    evidence:
      - source: smith2020
        relation: supports
"""

BIB = """\
% test references
@article{smith2020,
  author = {Smith, John and {World Health Organization}},
  title = {Loading for tendinopathy: a {randomised} trial},
  journal = {J Test},
  year = {2020},
  volume = {1},
  number = {2},
  pages = {10--20},
  doi = {10.1234/test.2020.1},
  studydesign = {randomised-trial},
  metadatasource = {manual}
}
"""


def write_project(root: Path, guide: str = GUIDE, claims: str | None = CLAIMS,
                  bib: str | None = BIB, guide_id: str = "testguide") -> Path:
    folder = root / "claims" / guide_id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "guide.md").write_text(textwrap.dedent(guide), encoding="utf-8")
    if claims is not None:
        (folder / "claims.yaml").write_text(claims, encoding="utf-8")
    if bib is not None:
        (root / "references.bib").write_text(bib, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def _empty_pubmed():
    from tests.pubmed_support import FakePubMed

    with FakePubMed() as fake:
        yield fake


@pytest.fixture(autouse=True)
def _no_real_pubmed(_empty_pubmed, monkeypatch):
    """`evidence resolve` looks DOIs up in PubMed: never the real one in tests. By
    default it asks a loopback E-utilities server that knows no DOI; a test that
    wants answers sets EVIDENCE_PUBMED_URL to its own FakePubMed."""
    monkeypatch.setenv("EVIDENCE_PUBMED_URL", _empty_pubmed.url)
    monkeypatch.delenv("EVIDENCE_NCBI_API_KEY", raising=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path)


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    return SHARED
