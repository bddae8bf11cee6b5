"""Exports: BibTeX as written, CSL-JSON and RIS re-read to the same data."""

from __future__ import annotations

import json
from pathlib import Path

import bibtexparser
import pytest
import rispy
from click.testing import CliRunner
from rispy.config import TAG_KEY_MAPPING

from evidence.bib.csl import source_to_csl
from evidence.bib.references import load_references, parse_references
from evidence.bib.richtext import strip_markup
from evidence.bibliography import bibtex_export, export
from evidence.cli import cli
from tests.conftest import write_project
from tests.csl_schema import csl_errors

REPO = Path(__file__).resolve().parents[2]
CDL = REPO.parent / "shared" / "bench" / "cdl.bib"

ACCENTS_BIB = r"""% a comment outside entries
@string{ugeskr = "Ugeskr L{\ae}ger"}

@Article{muller2020,
  author = {M{\"u}ller, J{\o}rn and \aa{}Berg, {\AA}se and van der Berg, Jan and {World Health Organization} and others},
  title = {{\O}strup's {T}endon: \emph{in vivo} study},
  journal = ugeskr,
  year = 2020,
  month = mar,
  volume = {182},
  number = {11},
  pages = {V10190580},
  doi = {10.1000/Ugeskr.2020.1},
  studydesign = {cohort},
  customfield = {kept as written}
}

@book{who2019,
  author = {{World Health Organization}},
  title = {Guidelines},
  publisher = {WHO},
  address = {Geneva},
  year = {2019},
  isbn = {978-92-4-000000-0},
  url = {https://www.who.int/x}
}
"""


def csl_items(sources) -> list[dict]:
    return [source_to_csl(s) for s in sources]


def read_ris(text: str) -> list[dict[str, list[str]]]:
    """RIS read back by rispy's parser: records of tag -> values, in order."""
    tags = {**TAG_KEY_MAPPING, "ED": "ED"}
    records = rispy.loads(text, mapping={tag: tag for tag in tags}, list_tags=list(tags))
    for record in records:
        record["TY"] = [record["TY"]]
    return records


def expected_ris_authors(item: dict) -> list[str]:
    names = []
    for name in item.get("author", []):
        if name.get("literal") == "others":
            continue
        if "literal" in name:
            names.append(name["literal"])
            continue
        family = " ".join(p for p in (name.get("non-dropping-particle"), name["family"]) if p)
        names.append(", ".join(p for p in (family, name.get("given"), name.get("suffix")) if p))
    return names


def check_ris_round_trip(items: list[dict]) -> None:
    records = read_ris(export.to_ris(items))
    assert len(records) == len(items)
    for item, record in zip(items, records):
        assert record["TY"] == [export.RIS_TYPES[item["type"]]]
        assert export.CSL_BY_RIS[record["TY"][0]] == item["type"] or item["type"] in (
            "chapter", "book", "document", "thesis", "report", "paper-conference")
        assert record["ID"] == [item["id"]]
        assert record.get("AU", []) == expected_ris_authors(item)
        assert record.get("TI") == ([strip_markup(item["title"])] if "title" in item else None)
        if "container-title" in item:
            assert record["T2"] == [strip_markup(item["container-title"])]
        year = item.get("issued", {}).get("date-parts", [[None]])[0][0]
        assert record.get("PY") == ([str(year)] if year else None)
        for variable, tag in (("volume", "VL"), ("issue", "IS"), ("DOI", "DO"),
                              ("URL", "UR"), ("publisher-place", "CY")):
            if variable in item:
                assert record[tag] == [strip_markup(str(item[variable]))], variable
        if "page" in item:
            pages = "-".join(record["SP"] + record.get("EP", []))
            assert pages == item["page"]
        if "publisher" in item:
            assert record["PB"] == [strip_markup(item["publisher"])]


def test_bibtex_export_is_the_entries_as_written_with_their_macros():
    refs = parse_references(ACCENTS_BIB)
    text = bibtex_export.to_bibtex(refs.sources, refs)
    assert text.startswith('@string{ugeskr = "Ugeskr L{\\ae}ger"}\n\n@Article{muller2020,')
    assert "  author = {M{\\\"u}ller, J{\\o}rn and" in text  # LaTeX and layout kept
    again = parse_references(text)
    assert not again.library.failed_blocks
    assert [s.key for s in again.sources] == ["muller2020", "who2019"]
    for before, after in zip(refs.sources, again.sources):
        assert [(f.key, f.value) for f in before.entry.fields] == [
            (f.key, f.value) for f in after.entry.fields]
        assert before.entry_type == after.entry_type
    assert again.get("muller2020").text("journal") == "Ugeskr Læger"


def test_bibtex_export_of_a_changed_entry_is_rendered_afresh():
    refs = parse_references(ACCENTS_BIB)
    refs.set_field("who2019", "note", "changed")
    text = bibtex_export.to_bibtex([refs.get("who2019")], refs)
    assert "note = {changed}" in text
    assert "@string" not in text  # who2019 uses no macro


def test_the_guide_bibtex_re_parses_to_the_same_entries():
    refs = load_references(REPO / "references.bib")
    text = bibtex_export.to_bibtex(refs.sources, refs)
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    original = bibtexparser.parse_string((REPO / "references.bib").read_text(encoding="utf-8"))
    assert [(e.key, e.entry_type, [(f.key, f.value) for f in e.fields])
            for e in library.entries] == [
        (e.key, e.entry_type, [(f.key, f.value) for f in e.fields]) for e in original.entries]


def test_csl_json_export_validates_and_reads_back():
    refs = parse_references(ACCENTS_BIB)
    items = csl_items(refs.sources)
    text = export.to_csl_json(items)
    data = json.loads(text)
    assert data == items
    assert csl_errors(data) == []
    muller = data[0]
    assert muller["author"][:4] == [
        {"family": "Müller", "given": "Jørn"},
        {"family": "åBerg", "given": "Åse"},
        {"family": "Berg", "given": "Jan", "non-dropping-particle": "van der"},
        {"literal": "World Health Organization"},
    ]
    assert muller["issued"] == {"date-parts": [[2020, 3]]}
    assert muller["DOI"] == "10.1000/ugeskr.2020.1"
    assert strip_markup(muller["title"]) == "Østrup's Tendon: in vivo study"
    assert "<i>in vivo</i>" in muller["title"]


def test_csl_schema_checker_rejects_bad_items():
    assert csl_errors([{"id": "a"}]) == ["item 0 (a): no type"]
    assert "not a CSL type" in csl_errors([{"id": "a", "type": "journal"}])[0]
    assert "is not a CSL variable" in csl_errors([{"id": "a", "type": "book", "pages": "1"}])[0]
    assert "neither family nor literal" in csl_errors(
        [{"id": "a", "type": "book", "author": [{"given": "A"}]}])[0]
    assert "1 to 3 numbers" in csl_errors(
        [{"id": "a", "type": "book", "issued": {"date-parts": [[2020, 1, 2, 3]]}}])[0]


def test_ris_export_re_reads_to_the_same_data():
    refs = parse_references(ACCENTS_BIB)
    items = csl_items(refs.sources)
    check_ris_round_trip(items)
    records = read_ris(export.to_ris(items))
    assert records[0]["AU"] == ["Müller, Jørn", "åBerg, Åse", "van der Berg, Jan",
                                "World Health Organization"]
    assert records[0]["TI"] == ["Østrup's Tendon: in vivo study"]
    assert records[0]["DA"] == ["2020/03//"]
    assert records[0]["SP"] == ["V10190580"] and "EP" not in records[0]
    assert records[1]["TY"] == ["BOOK"] and records[1]["SN"] == ["978-92-4-000000-0"]
    assert export.to_ris(items).count("\r\n") == export.to_ris(items).count("\n")


def test_the_guide_exports_through_the_command(tmp_path):
    runner = CliRunner()
    base = ["bibliography", "--project", str(REPO), "--guide", "distal-hasetendinopati"]
    ris = runner.invoke(cli, [*base, "--format", "ris"])
    assert ris.exit_code == 0, ris.output
    records = read_ris(ris.stdout)
    assert [r["ID"][0] for r in records] == ["sederberg2022", "mohammed2025",
                                             "mendiguchia2024", "owen2018", "watura2018",
                                             "chan2016"]
    assert records[3]["AU"] == ["Owen, C. E.", "Poon, A. M. T.", "Lee, S. T."]
    refs = load_references(REPO / "references.bib")
    check_ris_round_trip(csl_items([refs.get(r["ID"][0]) for r in records]))
    csl = runner.invoke(cli, [*base, "--format", "csl-json"])
    assert csl_errors(json.loads(csl.stdout)) == []
    bib_out = runner.invoke(cli, [*base, "--format", "bibtex"])
    assert bib_out.stdout.count("@article{") == 6


def test_export_from_a_small_project(tmp_path):
    write_project(tmp_path)
    result = CliRunner().invoke(cli, ["bibliography", "--project", str(tmp_path), "--all",
                                      "-f", "ris"])
    assert result.exit_code == 0, result.output
    [record] = read_ris(result.stdout)
    assert record["AU"] == ["Smith, John", "World Health Organization"]


@pytest.fixture(scope="module")
def cdl_items():
    if not CDL.is_file():
        pytest.skip(f"{CDL} is not present")
    refs = load_references(CDL, validate=False)
    return refs, csl_items(refs.sources)


def test_cdl_bib_round_trips_through_ris_and_bibtex(cdl_items):
    refs, items = cdl_items
    check_ris_round_trip(items)
    text = bibtex_export.to_bibtex(refs.sources, refs)
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    assert len(library.entries) == len(refs.sources)
    for before, after in zip(refs.library.entries, library.entries):
        assert before.key == after.key
        assert {f.key: f.value for f in after.fields} == {
            f.key: f.value for f in bibtexparser.parse_string(before.raw).entries[0].fields}
