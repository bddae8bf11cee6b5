"""references.bib: validation with lines, DOI normalisation, lossless writing."""

import pytest

from evidence.bib.doi import InvalidDOI, normalise_doi
from evidence.bib.references import load_references, parse_references, validate_references
from evidence.errors import InputError

BIB = r"""% Comment kept verbatim
@string{pmr = "PM R"}

@Article{sederberg2022,
    author = {Sederberg, M. and LaM{\"a}rche, L. and {World Health Organization}},
    title = {Distal {semimembranosus} tendinopathy},
    journal = pmr,
    year = 2022,
    month = aug,
    note = "quoted" # pmr,
    doi = {https://doi.org/10.1002/PMRJ.12667},
    studydesign = {narrative-review},
    customfield = {kept},
}

@misc{other,
  title = "Other -- thing",
}
"""


def problems_of(text):
    return [str(p) for p in validate_references(parse_references(text, "refs.bib"))]


@pytest.mark.parametrize("raw, doi", [
    ("10.1002/PMRJ.12667", "10.1002/pmrj.12667"),
    ("https://doi.org/10.1002/pmrj.12667", "10.1002/pmrj.12667"),
    ("http://dx.doi.org/10.1002/pmrj.12667", "10.1002/pmrj.12667"),
    ("doi: 10.4103/jmu.jmu_56_24", "10.4103/jmu.jmu_56_24"),
])
def test_doi_normalisation(raw, doi):
    assert normalise_doi(raw) == doi


@pytest.mark.parametrize("raw", ["foo", "10.12/x", "10.1002/has space", ""])
def test_invalid_doi(raw):
    with pytest.raises(InvalidDOI):
        normalise_doi(raw)


def test_display_values_are_decoded_but_raw_values_are_kept():
    refs = parse_references(BIB)
    source = refs.get("sederberg2022")
    assert source.raw("author").startswith(r"Sederberg, M. and LaM{\"a}rche")
    assert [a.family for a in source.authors] == ["Sederberg", "LaMärche",
                                                  "World Health Organization"]
    assert source.authors[2].given is None
    assert source.text("journal") == "PM R"  # @string macro expanded for display
    assert source.raw("journal") == "pmr"
    assert source.text("note") == "quotedPM R"
    assert source.doi == "10.1002/pmrj.12667"
    assert source.year == 2022
    assert source.tier == "expert"
    assert source.line == 4


def test_unchanged_file_is_written_back_byte_for_byte(tmp_path):
    path = tmp_path / "references.bib"
    path.write_text(BIB)
    refs = load_references(path)
    assert refs.render() == BIB
    assert refs.write() is False


def test_editing_one_field_rewrites_only_that_entry(tmp_path):
    path = tmp_path / "references.bib"
    path.write_text(BIB)
    refs = load_references(path)
    assert refs.set_field("other", "year", "2021")
    assert refs.changed_keys() == ["other"]
    assert refs.write() is True
    text = path.read_text()
    head, _, tail = text.partition("@misc{other")
    assert head == BIB.partition("@misc{other")[0]  # everything before: untouched
    assert "year = {2021}" in tail and 'title = "Other -- thing"' in tail
    again = load_references(path)
    assert again.get("other").raw("year") == "2021"
    assert again.get("sederberg2022").raw("customfield") == "kept"


def test_edited_entry_keeps_macros_latex_and_type_spelling(tmp_path):
    path = tmp_path / "references.bib"
    path.write_text(BIB)
    refs = load_references(path)
    refs.set_field("sederberg2022", "volume", "14")
    refs.write()
    text = path.read_text()
    assert "@Article{sederberg2022," in text
    assert "journal = pmr," in text
    assert r"LaM{\"a}rche" in text
    assert "month = aug," in text
    assert 'note = "quoted" # pmr,' in text
    assert "    volume = {14}" in text  # the entry's own indentation


def test_unclosed_brace_is_an_error_with_its_line():
    text = "@article{a, title={ok}}\n\n@article{b, title={unclosed\n\n@article{c, title={ok}}\n"
    problems = problems_of(text)
    assert len(problems) == 1
    assert problems[0].startswith("refs.bib:3: BibTeX could not be parsed")


def test_duplicate_key_is_an_error_with_its_line():
    problems = problems_of("@article{a, title={x}}\n@article{a, title={y}}\n")
    expected = ("refs.bib:2: a: duplicate citekey (also at line 1) "
                "(each entry needs its own key; rename or merge one of them)")
    assert problems == [expected]


def test_duplicate_doi_names_both_entries():
    text = ("@article{a,\n doi={10.1000/x}}\n"
            "@article{b,\n doi={https://doi.org/10.1000/X}}\n")
    problems = problems_of(text)
    assert len(problems) == 1
    assert problems[0].startswith("refs.bib:4: b: DOI 10.1000/x is also the DOI of a (line 1)")


def test_invalid_doi_is_an_error_on_its_field_line():
    problems = problems_of("@article{a,\n  title={x},\n  doi={not-a-doi}}\n")
    assert problems[0].startswith("refs.bib:3: a: 'not-a-doi' is not a DOI")


def test_unknown_study_design_suggests_the_vocabulary():
    problems = problems_of("@article{a,\n  studydesign={rct}}\n")
    assert problems[0].startswith("refs.bib:2: a: unknown study design 'rct'")
    assert "randomised-trial" in problems[0]


def test_load_raises_all_problems_at_once(tmp_path):
    path = tmp_path / "references.bib"
    path.write_text("@article{a,\n doi={bad}}\n@article{b,\n studydesign={x}}\n")
    with pytest.raises(InputError) as info:
        load_references(path)
    assert len(info.value.problems) == 2


def test_update_notices_mark_retraction():
    text = ("@article{a,\n updates = {retraction 10.1000/notice 2020-05-01 retraction-watch; "
            "correction 10.1000/c 2019 publisher}}\n")
    source = parse_references(text).get("a")
    assert source.retracted
    assert [(u.update_type, u.notice_doi, u.updated, u.origin) for u in source.updates] == [
        ("retraction", "10.1000/notice", "2020-05-01", "retraction-watch"),
        ("correction", "10.1000/c", "2019", "publisher"),
    ]


def test_cdl_bib_round_trip_loses_nothing(shared, tmp_path):
    import bibtexparser

    text = (shared / "bench" / "cdl.bib").read_text(encoding="utf-8")
    refs = parse_references(text, "cdl.bib")
    for source in refs.sources[::7]:  # touch every seventh entry so it is re-written
        source_fields = source.entry.fields_dict
        refs.set_field(source.key, "title", str(source_fields["title"].value)
                       if "title" in source_fields else "x")
        refs.set_field(source.key, "touched", "yes")
    written = refs.render()
    again = parse_references(written, "cdl.bib")
    assert len(again.sources) == len(refs.sources) == 6315 - len(refs.library.failed_blocks)

    def fields(library):
        return {e.key: {f.key: f.value for f in e.fields if f.key != "touched"}
                for e in library.entries}

    original = bibtexparser.parse_string(text, parse_stack=[])
    assert fields(again.library) == fields(refs.library)
    assert set(fields(original)) == set(fields(again.library))


@pytest.mark.parametrize("kind, withdrawn", [
    ("retraction", True), ("withdrawal", True), ("removal", True),
    ("correction", False), ("expression_of_concern", False), ("partial_retraction", False),
])
def test_withdrawing_notices_mark_the_source_retracted(kind, withdrawn):
    source = parse_references(f"@article{{a,\n updates = {{{kind} 10.1000/n 2020}}}}\n").get("a")
    assert source.retracted is withdrawn


@pytest.mark.parametrize("written, meant", [
    ("case report", "case-report"), ("RCT", "randomised-trial"), ("cohort study", "cohort"),
    ("Randomized trial", "randomised-trial"),
])
def test_unknown_study_design_suggests_the_code_meant(written, meant):
    problems = problems_of(f"@article{{a,\n  studydesign={{{written}}}}}\n")
    assert f"did you mean {meant!r}?" in problems[0]
