"""evidence add --from FILE and --from-guide GUIDE (with and without Crossref)."""

from __future__ import annotations

import re
import socket

import pytest
from click.testing import CliRunner

from evidence.bib.references import load_references
from evidence.cli import cli
from evidence.crossref.cache import ResponseCache
from evidence.crossref.client import CrossrefClient
from evidence.crossref.mapping import map_work
from evidence.crossref.resolve import citekey_base
from evidence.crossref.retry import RetryPolicy
from evidence.intake.add import add_from_guide
from tests.crossref_support import FakeCrossref, Reply, fixture
from tests.intake.support import BIB, FIXTURES, project

NEW = {
    "zotero-bbt.bib": {"lund2019a": "10.5555/new.lund", "nielsen_tendon_2023": "10.5555/new.nielsen",
                       "kirk_rehabilitation_2020": None},
    "jabref.bib": {"Petersen2020": "10.5555/new.petersen"},
    "zotero.json": {"vanderberg2022": "10.5555/new.vanderberg", "hansen2021": "10.5555/new.hansen",
                    "who2020": None},
    "mendeley.ris": {"ostergaard2024": "10.5555/new.ostergaard",
                     "berg2017": "10.9999/evidence.chapter.5", "smith2018": "10.5555/new.smith"},
}
PRESENT = {"zotero-bbt.bib": 4, "jabref.bib": 1, "zotero.json": 2, "mendeley.ris": 2}


def add(folder, *args):
    return CliRunner().invoke(cli, ["add", *args, "--project", str(folder)])


def dois_in(text: str) -> list[str]:
    return [d.lower() for d in re.findall(r"^\s*doi = \{([^}]*)\}", text, re.MULTILINE)]


@pytest.mark.parametrize("name", list(NEW))
def test_add_from_an_export_adds_the_new_entries_once(tmp_path, name):
    folder = project(tmp_path)
    result = add(folder, "--from", str(FIXTURES / name))
    assert result.exit_code == 0, result.output
    expected = NEW[name]
    assert f"{len(expected)} added, {PRESENT[name]} already present" in result.output
    text = (folder / "references.bib").read_text(encoding="utf-8")
    assert text.startswith(BIB)  # nothing else in references.bib changed
    refs = load_references(folder / "references.bib")
    assert [s.key for s in refs.sources][5:] == list(expected)
    for key, doi in expected.items():
        assert refs.get(key).doi == doi
        assert refs.get(key).raw("metadatasource").startswith("import ")
        assert refs.get(key).study_design is None
        assert all(f.key == f.key.lower() for f in refs.get(key).entry.fields)
    assert sorted(dois_in(text)) == sorted(set(dois_in(text)))  # never a DOI twice
    again = add(folder, "--from", str(FIXTURES / name))
    assert again.exit_code == 0 and "0 added" in again.output
    assert (folder / "references.bib").read_text(encoding="utf-8") == text


def test_the_three_formats_one_after_another_add_each_doi_once(tmp_path):
    folder = project(tmp_path)
    for name in NEW:
        assert add(folder, "--from", str(FIXTURES / name)).exit_code == 0
    text = (folder / "references.bib").read_text(encoding="utf-8")
    dois = dois_in(text)
    assert len(dois) == len(set(dois)) == 4 + sum(1 for n in NEW.values() for d in n.values() if d)


def test_reported_what_is_present_and_why(tmp_path):
    out = add(project(tmp_path), "--from", str(FIXTURES / "zotero-bbt.bib")).output
    assert ("present: zotero-bbt.bib line 19 (holm_hamstring_2022) is holm2022 of "
            "references.bib (DOI 10.5555/evidence.corrected.2, recorded as an alias)") in out
    assert "(gray_anatomy_1918) is gray1918 of references.bib (same first author" in out
    assert "added lund2019a: 10.5555/new.lund" in out and "its key lund2019 is taken" in out
    assert "keywords (1), note (1)" in out


def test_bad_input_leaves_references_bib_untouched(tmp_path):
    folder = project(tmp_path)
    bad = tmp_path / "export.ris"
    bad.write_text("TY  - JOUR\nTI  - A\n\nTY  - JOUR\nER  - \n", encoding="utf-8")
    before = (folder / "references.bib").read_bytes()
    result = add(folder, "--from", str(bad))
    assert result.exit_code == 1
    assert "export.ris:1: the record has no end" in result.output
    assert "references.bib was not changed" in result.output
    assert (folder / "references.bib").read_bytes() == before
    result = add(folder, "--from", str(folder / "references.bib"))
    assert result.exit_code == 1 and "is references.bib itself" in result.output
    assert add(folder, "10.5555/x", "--from", str(bad)).exit_code == 2


GUIDE = """\
# Test guide

Some text.

## Kilder

1. Ærø S, van der Berg ML, Müller J, et al. Eccentric loading of the semimembranosus tendon & pain: a randomised trial. J Tendon Res. 2021;12(5):241-7. DOI: 10.5555/evidence.article.1
2. Holm L, Holm P. Hamstring strength in runners with knee pain. Sports Med Open Res. 2022;3(2):10-19. DOI: 10.5555/evidence.corrected.2
3. Storm K. Platelet-rich plasma cures all tendinopathies. J Tendon Res. 2019;10(1):1-9. DOI: https://doi.org/10.5555/evidence.retracted.3
4. World Health Organization. WHO guidelines on physical activity. Geneva: WHO; 2020.
5. Aero S. A second paper of that year. J Tendon Res. 2021;12(6):300-5. DOI: 10.5555/new.aero
"""
HOLM_ONLY = BIB[BIB.index("% Resolved before"):BIB.index("@article{lund2019")]


def guide_project(tmp_path):
    folder = project(tmp_path, HOLM_ONLY)
    guide = folder / "claims" / "testguide" / "guide.md"
    guide.parent.mkdir(parents=True)
    guide.write_text(GUIDE, encoding="utf-8")
    return folder


def test_from_guide_offline_adds_the_printed_citations(tmp_path):
    folder = guide_project(tmp_path)
    result = add(folder, "--from-guide", "testguide", "--offline")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "--offline: added from the printed citations" in out
    assert "added aero2021: 10.5555/evidence.article.1, from the printed citation 1" in out
    assert "added storm2019: 10.5555/evidence.retracted.3" in out
    assert "added aero2021a: 10.5555/new.aero" in out
    assert "note: citation 4 (line 10) prints no DOI, so it is not added" in out
    assert "3 added from the printed list, with metadatasource = {printed " in out
    text = (folder / "references.bib").read_text(encoding="utf-8")
    assert text.startswith(HOLM_ONLY)
    refs = load_references(folder / "references.bib")
    assert [s.key for s in refs.sources] == ["holm2022", "aero2021", "storm2019", "aero2021a"]
    aero = refs.get("aero2021")
    assert aero.raw("author") == "Ærø, S. and van der Berg, M. L. and Müller, J. and others"
    assert aero.raw("title") == (r"Eccentric loading of the semimembranosus tendon \& pain: "
                                 "a randomised trial")
    assert [aero.raw(n) for n in ("journal", "year", "volume", "number", "pages")] == [
        "J Tendon Res", "2021", "12", "5", "241--7"]
    assert re.fullmatch(r"printed \d{4}-\d{2}-\d{2}", aero.raw("metadatasource"))
    assert aero.study_design is None  # never guessed: the check asks an editor for it
    assert refs.get("storm2019").year == 2019 and refs.get("aero2021a").year == 2021
    # the key Crossref's record of the same work would get
    assert citekey_base(map_work(fixture("article_orcid"))) == "aero2021"
    check = CliRunner().invoke(cli, ["check", "--project", str(folder), "--format", "json",
                                     "--code", "source-no-study-design"])
    assert {"aero2021", "storm2019", "aero2021a"} <= set(re.findall(r'"(\w+)"', check.output))
    again = add(folder, "--from-guide", "testguide", "--offline")
    assert again.exit_code == 0 and "Every DOI printed" in again.output
    assert (folder / "references.bib").read_text(encoding="utf-8") == text


FAST = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_from_guide_falls_back_to_the_printed_citations_when_crossref_is_unreachable(tmp_path):
    folder = guide_project(tmp_path)
    client = CrossrefClient(f"http://127.0.0.1:{closed_port()}", None, retry=FAST, timeout=1.0,
                            cache=ResponseCache(tmp_path / "cache"))
    lines: list[str] = []
    status = add_from_guide(folder, "testguide", offline=False, mailto=None, echo=lines.append,
                            client=client, show_progress=False)
    out = "\n".join(lines)
    assert status == 0, out
    assert "Crossref could not be reached for 3 DOIs" in out
    refs = load_references(folder / "references.bib")
    assert [s.key for s in refs.sources] == ["holm2022", "aero2021", "storm2019", "aero2021a"]
    assert all(s.raw("metadatasource").startswith("printed") for s in refs.sources[1:])


def test_from_guide_takes_crossref_where_it_answers_and_the_print_where_not(tmp_path):
    folder = guide_project(tmp_path)
    with FakeCrossref() as fake:
        fake.add_work(fixture("article_orcid"))
        fake.add("10.5555/evidence.retracted.3", Reply(503, "busy", "text/plain"))
        fake.add("10.5555/new.aero", Reply(503, "busy", "text/plain"))
        client = CrossrefClient(fake.url, None, retry=FAST, timeout=2.0,
                                cache=ResponseCache(tmp_path / "cache"))
        lines: list[str] = []
        status = add_from_guide(folder, "testguide", offline=False, mailto=None,
                                echo=lines.append, client=client, show_progress=False)
    out = "\n".join(lines)
    assert status == 0, out
    assert "added aero2021: 10.5555/evidence.article.1\n" in out + "\n"
    assert "Crossref could not be reached for 2 DOIs" in out
    refs = load_references(folder / "references.bib")
    assert refs.get("aero2021").raw("metadatasource").startswith("crossref")
    assert refs.get("storm2019").raw("metadatasource").startswith("printed")
    assert refs.get("aero2021a").raw("metadatasource").startswith("printed")


def test_a_doi_crossref_does_not_know_is_not_added_from_the_print(tmp_path):
    folder = guide_project(tmp_path)
    with FakeCrossref() as fake:  # every DOI: Crossref's 404
        client = CrossrefClient(fake.url, None, retry=FAST, timeout=2.0,
                                cache=ResponseCache(tmp_path / "cache"))
        lines: list[str] = []
        status = add_from_guide(folder, "testguide", offline=False, mailto=None,
                                echo=lines.append, client=client, show_progress=False)
    assert status == 1 and "DOI not registered with Crossref" in "\n".join(lines)
    assert (folder / "references.bib").read_text(encoding="utf-8") == HOLM_ONLY


def test_resolve_upgrades_printed_entries_and_keeps_their_citekeys(tmp_path):
    folder = guide_project(tmp_path)
    assert add(folder, "--from-guide", "testguide", "--offline").exit_code == 0
    with FakeCrossref() as fake:
        fake.add_work(fixture("article_orcid"))
        fake.add_work(fixture("retracted"))
        env = {"EVIDENCE_CROSSREF_URL": fake.url, "EVIDENCE_CACHE_DIR": str(tmp_path / "c")}
        result = CliRunner().invoke(cli, ["resolve", "--project", str(folder)], env=env)
        asked = {r.doi for r in fake.requests}
    assert "updated aero2021:" in result.output and "updated storm2019:" in result.output
    assert "holm2022" not in asked  # from Crossref already: not selected by --missing
    assert asked == {"10.5555/evidence.article.1", "10.5555/evidence.retracted.3",
                     "10.5555/new.aero"}
    refs = load_references(folder / "references.bib")
    assert [s.key for s in refs.sources] == ["holm2022", "aero2021", "storm2019", "aero2021a"]
    aero = refs.get("aero2021")
    assert aero.raw("metadatasource").startswith("crossref ")
    assert aero.raw("journal") == "Journal of Tendon Research"
    assert "Müller" in aero.raw("author") and "others" not in aero.raw("author")
    assert refs.get("storm2019").retracted
    assert refs.get("aero2021a").raw("metadatasource").startswith("printed")  # 404: kept
