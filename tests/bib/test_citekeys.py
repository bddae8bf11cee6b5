"""One citekey rule for `evidence add` and for the stubs drafted from a printed list."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from evidence.bib.citekeys import citekey_base, printed_citekeys
from evidence.bib.printed import parse_printed_citations
from evidence.bib.references import load_references
from evidence.cli import cli
from tests.crossref_support import FakeCrossref

KILDER = """\
- Sederberg M, LaMarche L. Distal semimembranosus tendinopathy. PM R. 2022;14(8):1010-1017. DOI: 10.1002/pmrj.12667
- Sederberg M, Cushman DM. A second paper. PM R. 2022;14(9):1-2. DOI: 10.5555/evidence.key.2
- World Health Organization. Guidelines on physical activity. Geneva. 2020;1:1-10. DOI: 10.5555/evidence.key.3
- Øster J, Ångström K. Løb og knæ. Ugeskr Laeger. 2019;181(2):1-5. DOI: 10.5555/evidence.key.4
"""

BIB = """\
@article{sederberg2022,
  author = {Sederberg, M.},
  title = {Distal semimembranosus tendinopathy},
  year = {2022},
  doi = {10.1002/pmrj.12667},
  studydesign = {narrative-review},
  metadatasource = {manual}
}
"""


def test_the_rule() -> None:
    assert citekey_base(family="Øster", year="2019") == "oster2019"
    assert citekey_base(organisation="World Health Organization", year="2020") == "who2020"
    assert citekey_base(title="The knee", year=None) == "kneend"


def test_printed_keys_are_the_entries_or_the_next_free_keys(tmp_path: Path) -> None:
    citations = parse_printed_citations(KILDER)
    empty = load_references(tmp_path / "none.bib")
    assert printed_citekeys(citations, empty) == ["sederberg2022", "sederberg2022a",
                                                  "who2020", "oster2019"]
    (tmp_path / "references.bib").write_text(BIB, encoding="utf-8")
    refs = load_references(tmp_path / "references.bib")
    # the first is in references.bib by DOI; the second gets the next free key
    assert printed_citekeys(citations, refs)[:2] == ["sederberg2022", "sederberg2022a"]


def _work(doi: str, family: str | None, year: int, name: str | None = None) -> dict:
    author = {"family": family, "given": "M"} if family else {"name": name}
    return {"DOI": doi, "type": "journal-article", "title": ["T"], "author": [author],
            "issued": {"date-parts": [[year]]}, "container-title": ["J"]}


def test_add_from_guide_gives_the_printed_keys(tmp_path: Path) -> None:
    """Run in that order, the stubs' drafted keys and `add --from-guide` agree."""
    project = tmp_path
    (project / "references.bib").write_text(BIB, encoding="utf-8")
    guide = project / "claims" / "g" / "guide.md"
    guide.parent.mkdir(parents=True)
    guide.write_text("Tekst.\n\n## Kilder\n\n" + KILDER, encoding="utf-8")
    expected = printed_citekeys(parse_printed_citations(KILDER),
                                load_references(project / "references.bib"))
    with FakeCrossref() as fake:
        fake.add_work(_work("10.5555/evidence.key.2", "Sederberg", 2022))
        fake.add_work(_work("10.5555/evidence.key.3", None, 2020, "World Health Organization"))
        fake.add_work(_work("10.5555/evidence.key.4", "Øster", 2019))
        env = {"EVIDENCE_CROSSREF_URL": fake.url, "EVIDENCE_CACHE_DIR": str(tmp_path / "c")}
        result = CliRunner().invoke(cli, ["add", "--from-guide", "g", "--project", str(project)],
                                    env=env)
    assert result.exit_code == 0, result.output
    keys = {s.doi: s.key for s in load_references(project / "references.bib").sources}
    citations = parse_printed_citations(KILDER)
    assert [keys[c.doi] for c in citations] == expected
