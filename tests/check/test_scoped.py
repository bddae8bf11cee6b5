"""`evidence check --guide`: only that guide is read and checked (check/scoped.py),
and its findings are the full check's, filtered to the guide."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence.check.run import check_project, filter_findings
from evidence.check.scoped import check_guides
from evidence.cli import cli
from tests.conftest import write_project

REPO = Path(__file__).resolve().parents[2]

GUIDE = """\
Løbere får ofte ondt. Det er en lille guide.

## Behandling

Progressiv belastning er centralt. Massage hjælper kortvarigt. Is dæmper smerten.
"""

KILDER = ("\n## Kilder\n\n- Smith J, Jones A. Loading for tendinopathy: a randomised trial. "
          "J Test. 2020;1(2):10-20. DOI: 10.1234/test.2020.1\n"
          "- Roe R. A printed work no claim links. J Test. 2019;4:1-2. DOI: 10.1234/printed.1\n")


def entry(key: str, doi: str, extra: str = "", design: str = "cohort") -> str:
    return textwrap.dedent(f"""\
        @article{{{key},
          author = {{Roe, Richard}},
          title = {{A work called {key}}},
          journal = {{J Test}},
          year = {{2019}},
          volume = {{4}},
          pages = {{1--2}},
          doi = {{{doi}}},
          studydesign = {{{design}}},{extra}
          metadatasource = {{manual}}
        }}
        """)


BIB = "\n".join([
    textwrap.dedent("""\
        % test references
        @article{smith2020,
          author = {Smith, John and Jones, Anna},
          title = {Loading for tendinopathy: a randomised trial},
          journal = {J Test},
          year = {2020},
          volume = {1},
          number = {2},
          pages = {10--20},
          doi = {10.1234/test.2020.1},
          studydesign = {randomised-trial},
          metadatasource = {manual}
        }
        """),
    entry("retracted2019", "10.1234/retracted.1",
          "\n  updates = {retraction 10.1234/notice.1 2021-03-01 publisher},"),
    entry("corrected2019", "10.1234/corrected.1",
          "\n  updates = {correction 10.1234/fix.1 2021-03-01 publisher},"),
    entry("printed2019", "10.1234/printed.1"),
    entry("baddoi2019", "not-a-doi"),
    entry("nodesign2019", "10.1234/nodesign.1", design="no-such-design"),
    entry("uncited2019", "10.1234/uncited.1"),
    entry("smith2020", "10.1234/duplicate-key.1"),  # the key twice
])


def claim(claim_id: str, quote: str, *sources: str, extra: str = "") -> str:
    links = "".join(f"      - source: {s}\n" for s in sources)
    return (f"  - id: {claim_id}\n    quote: \"{quote}\"\n    type: treatment\n"
            + (f"    evidence:\n{links}" if sources else "") + extra)


def head(title: str) -> str:
    return f"guide:\n  title: {title}\n  language: da\nclaims:\n"


GUIDES = {
    "alpha": (GUIDE, head("Alpha")
              + claim("alpha-1", "Progressiv belastning er centralt.", "smith2020",
                      "retracted2019", "corrected2019")
              + claim("shared-id", "Massage hjælper kortvarigt.", "baddoi2019")
              + "retired:\n  - id: old-id\n    quote: \"Gammel.\"\n    reason: \"Ud.\"\n"
                "    on: 2026-01-01\n"),
    "bravo": (GUIDE, head("Bravo")
              + claim("bravo-1", "Progressiv belastning er centralt.", "smith2020",
                      "retracted2019", "nodesign2019", "no-such-key")
              + claim("shared-id", "Massage hjælper kortvarigt.", "smith2020")
              + claim("old-id", "Is dæmper smerten.", "corrected2019")
              + claim("bravo-orphan", "Ord som ikke står i guiden.", "smith2020")),
    "charlie": (GUIDE + KILDER, head("Charlie")
                + claim("charlie-1", "Progressiv belastning er centralt.", "smith2020",
                        "corrected2019")),
    "delta": (GUIDE, "guide:\n  title: [unclosed\nclaims: {\n"),  # YAML that does not read
    "echo": (GUIDE, head("Echo")
             + claim("echo-1", "Progressiv belastning er centralt.", "retracted2019")
             + claim("echo-1", "Massage hjælper kortvarigt.")),  # an id twice in one file
}


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", str(folder))
    return folder


def make_project(root: Path, guides=GUIDES, bib=BIB) -> Path:
    for guide_id, (guide, claims) in guides.items():
        write_project(root, guide=guide, claims=claims, bib=bib, guide_id=guide_id)
    return root


def as_dicts(findings) -> list[dict]:
    return [f.as_dict() for f in findings]


def assert_scoped_equals_full(root: Path, guide_ids) -> None:
    _, full = check_project(root)
    for guide_id in guide_ids:
        project, scoped = check_guides(root, [guide_id])
        assert [g.id for g in project.guides] in ([guide_id], [])  # only that guide read
        expected = as_dicts(filter_findings(full, guides=[guide_id]))
        assert as_dicts(filter_findings(scoped, guides=[guide_id])) == expected, guide_id
    pair = sorted(guide_ids)[:2]
    _, scoped = check_guides(root, pair)
    assert as_dicts(filter_findings(scoped, guides=pair)) == as_dicts(
        filter_findings(full, guides=pair))


def test_a_guides_findings_equal_the_full_checks_across_guides(tmp_path, cache):
    root = make_project(tmp_path / "project")
    _, full = check_project(root)
    codes = {f.code for f in full}
    # The fixture holds what crosses guides: ids, retired ids, sources cited by several.
    assert {"claim-id-duplicate", "claim-id-retired", "source-retracted", "source-corrected",
            "citekey-unknown", "claim-orphaned", "source-printed-unlinked",
            "doi-invalid", "citekey-duplicate", "claims-invalid"} <= codes
    assert_scoped_equals_full(root, list(GUIDES))
    assert list(cache.glob("check/guides/*.json"))  # the other guides' summaries, kept
    assert_scoped_equals_full(root, list(GUIDES))  # again, from the summaries


def test_an_edit_of_another_guide_is_seen(tmp_path, cache):
    root = make_project(tmp_path / "project")
    assert_scoped_equals_full(root, ["bravo"])
    # alpha drops the claim whose id bravo reuses, and stops citing the retracted source
    claims = root / "claims" / "alpha" / "claims.yaml"
    text = claims.read_text(encoding="utf-8")
    claims.write_text(text.replace("shared-id", "alpha-2").replace(
        "      - source: retracted2019\n", ""), encoding="utf-8")
    assert_scoped_equals_full(root, ["bravo", "echo"])
    # references.bib changed: a printed list is matched again
    bib = root / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("10.1234/printed.1",
                                                           "10.1234/printed.2"),
                   encoding="utf-8")
    assert_scoped_equals_full(root, list(GUIDES))
    # One summary a guide folder, one index a references.bib: new versions replace old ones.
    assert len(list(cache.glob("check/guides/*.json"))) == len(GUIDES)
    assert len(list(cache.glob("check/references/*.json"))) <= 1


def test_a_generated_corpus(tmp_path, cache):
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import corpus
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    root = tmp_path / "corpus"
    corpus.generate(root, guides=6, claims=25, sources=120, seed=3)
    guide_ids = sorted(d.name for d in (root / "claims").iterdir())
    assert_scoped_equals_full(root, guide_ids)


def test_the_command_reads_only_the_guide(tmp_path, cache, monkeypatch):
    root = make_project(tmp_path / "project")
    runner = CliRunner()
    full = runner.invoke(cli, ["check", "--project", str(root), "--format", "json"])
    read: list[str] = []
    import evidence.check.scoped as scoped

    real = scoped.read_guide_dir

    def spy(root_, directory):
        read.append(directory.name)
        return real(root_, directory)

    for other in ("alpha", "charlie"):  # between them, every guide summarised
        runner.invoke(cli, ["check", "--project", str(root), "--guide", other])
    monkeypatch.setattr(scoped, "read_guide_dir", spy)
    one = runner.invoke(cli, ["check", "--project", str(root), "--guide", "bravo",
                              "--format", "json"])
    assert read == ["bravo"]
    assert one.exit_code == 1
    got = json.loads(one.output)
    assert got["findings"]
    everything = json.loads(full.output)["findings"]
    assert all(f in everything for f in got["findings"])
    unknown = runner.invoke(cli, ["check", "--project", str(root), "--guide", "zulu"])
    assert unknown.exit_code == 2 and "no guide zulu" in unknown.output


def test_only_the_cited_entries_of_references_bib_are_read_once_it_is_indexed(
        tmp_path, cache, monkeypatch):
    """No block of references.bib fails to parse here (a key given twice would):
    after the first check its index is kept, and a guide without a printed list
    reads only the entries it cites, each at its own line, macros and all."""
    import evidence.check.scoped as scoped

    bib = BIB[:BIB.rindex("@article{smith2020,")] + "@string{jt = \"J Test\"}\n"
    bib += entry("macro2018", "10.1234/macro.1").replace("{J Test}", "jt")
    guides = dict(GUIDES)
    guides["foxtrot"] = (GUIDE, head("Foxtrot")
                         + claim("foxtrot-1", "Progressiv belastning er centralt.",
                                 "macro2018", "corrected2019"))
    root = make_project(tmp_path / "project", guides=guides, bib=bib)
    assert_scoped_equals_full(root, list(guides))  # the first call keeps the index
    assert list(cache.glob("check/references/*.json"))
    whole: list[int] = []
    real = scoped._Bib._load

    def counted(self):
        whole.append(1)
        return real(self)

    monkeypatch.setattr(scoped._Bib, "_load", counted)
    project, _ = check_guides(root, ["foxtrot"])
    assert whole == []
    assert {s.key for s in project.references} == {"macro2018", "corrected2019", "baddoi2019",
                                                   "nodesign2019"}  # cited, or with a problem
    assert project.references.get("macro2018").container_title == "J Test"
    assert_scoped_equals_full(root, ["foxtrot", "alpha", "bravo"])
    project, _ = check_guides(root, ["charlie"])  # a printed list: matched against every entry
    assert whole and len(project.references) == 8
