"""Fuzzing: whatever the files hold, a clean result or a clear error, never a traceback.

The loaders get random text, generated valid files and those files mutated
(braces, quotes, YAML tags and anchors, NUL, BOM, cut files, swapped lines,
non-UTF-8 bytes). ``EVIDENCE_FUZZ_EXAMPLES`` sets how many examples each test
runs (see tests/fuzz/__init__.py).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from evidence.bib.references import parse_references, validate_references
from evidence.claims.loader import parse_claims
from evidence.cli import cli
from evidence.errors import EvidenceError, InputError, Problem
from evidence.project import load_project
from tests.fuzz import FUZZ, scaled
from tests.fuzz.bibtex import bib_files
from tests.fuzz.project import TOKENS, broken_projects, mutated, projects, write_files

SOURCE_PROPERTIES = ("key", "entry_type", "doi", "study_design", "tier", "metadata_source",
                     "authors", "updates", "retracted", "year", "container_title")


def check_problems(problems: list[Problem]):
    for problem in problems:
        assert isinstance(problem, Problem)
        text = str(problem)
        assert problem.message and "Traceback" not in text


def use_every_source(refs):
    """Everything the build reads from a source, so a crash there shows up here."""
    from evidence.database.rows import display_authors

    for source in refs.sources:
        for name in SOURCE_PROPERTIES:
            getattr(source, name)
        for name in ("title", "journal", "volume", "pages", "number", "author"):
            source.text(name)
        source.names("editor")
        display_authors(source)


bib_text = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(TOKENS + list("abc123 \n")), max_size=60).map("".join),
    bib_files().map(lambda g: g.text),
    bib_files().flatmap(lambda g: mutated(g.text)),
)


@FUZZ
@given(bib_text)
def test_bibtex_loader_never_crashes(text):
    refs = parse_references(text, "references.bib")
    check_problems(validate_references(refs))
    use_every_source(refs)
    if not refs.library.failed_blocks:
        assert refs.render() == text  # nothing edited: the file is given back as it was


CLAIMS = """\
guide:
  title: Test
  language: da
claims:
  # comment
  - id: c-1
    quote: "Tendinopati er en overbelastningsskade."
    type: definition
    consensus: Standard definition.
    review:
      status: verified
      by: AB
      on: 2026-11-01
  - id: c-2
    quote: Progressiv belastning
    type: treatment
    evidence:
      - source: smith2020
        relation: supports
        direct: false
        locator: Table 2
not_claims:
  - quote: Det er en lille guide.
    reason: framing
"""

yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                         st.text(max_size=20), st.dates())
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(
                                ["id", "quote", "type", "evidence", "source", "review", "status",
                                 "on", "direct", "relation", "claims", "guide", "pin", "x", "1"]),
                                inner, max_size=5)),
    max_leaves=20,
)


def dump_yaml(value) -> str:
    import io

    from ruamel.yaml import YAML

    stream = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.dump(value, stream)
    return stream.getvalue()


date_like = st.from_regex(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([ Tt][0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?",
                          fullmatch=True)
claims_text = st.one_of(
    st.text(max_size=300),
    st.tuples(st.sampled_from(["on: 2026-11-01", "id: c-1", "quote: Progressiv belastning",
                               "title: Test", "locator: Table 2"]), date_like).map(
        lambda c: CLAIMS.replace(c[0], c[0].split(":")[0] + ": " + c[1])),
    mutated(CLAIMS, max_edits=6),
    yaml_values.map(dump_yaml),
    st.dictionaries(st.sampled_from(["claims", "guide", "not_claims"]), yaml_values,
                    max_size=3).map(dump_yaml),
    st.lists(yaml_values, max_size=4).map(lambda c: dump_yaml({"claims": c})),
)


@FUZZ
@given(claims_text)
def test_claims_loader_never_crashes(text):
    claims_file, problems = parse_claims(text, "claims/g/claims.yaml")
    check_problems(problems)
    if claims_file is None:
        assert problems  # no data means there is a reason
    else:
        for claim in claims_file.claims:
            assert isinstance(claim.id, str) and isinstance(claim.quote, str)
            for link in claim.evidence:
                assert isinstance(link.source, str) and isinstance(link.direct, bool)


@FUZZ
@given(broken_projects())
def test_load_project_gives_a_project_or_a_clear_error(tmp_path_factory, files):
    root = write_files(tmp_path_factory.mktemp("p"), files)
    try:
        project = load_project(root)
    except InputError as exc:
        assert exc.problems
        check_problems(exc.problems)
        return
    except EvidenceError as exc:
        assert str(exc)
        return
    for guide in project.guides:
        for claim in guide.claims:
            anchor = guide.anchors[claim.id]
            assert 0 <= anchor.start < anchor.end <= len(guide.guide.text)


def build(root: Path):
    result = CliRunner().invoke(cli, ["build", "--project", str(root)])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.output, result.exc_info)
    assert "Traceback" not in result.output
    return result


def check_database(path: Path) -> dict[str, int]:
    db = sqlite3.connect(path)
    try:
        assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
        assert db.execute("pragma foreign_key_check").fetchall() == []
        return {t: db.execute(f"select count(*) from [{t}]").fetchone()[0]
                for t in ("guides", "claims", "sources", "claim_sources")}
    finally:
        db.close()


@scaled(300)
@given(broken_projects())
def test_build_of_a_broken_project_exits_cleanly(tmp_path_factory, files):
    root = write_files(tmp_path_factory.mktemp("b"), files)
    result = build(root)
    assert result.exit_code in (0, 1), result.output
    database = root / "evidence.db"
    if result.exit_code == 0:
        check_database(database)
    else:
        assert "error:" in result.output
        if database.exists():  # built around the problems: sound, and says so
            assert "remain" in result.output
            check_database(database)
        else:  # the whole build failed (references.bib unreadable)
            assert "nothing was changed" in result.output
    assert [p.name for p in root.iterdir() if p.name.endswith(".tmp")] == []


@scaled(150)
@given(projects())
def test_build_of_a_generated_project_has_every_claim(tmp_path_factory, files):
    root = write_files(tmp_path_factory.mktemp("v"), files)
    result = build(root)
    if result.exit_code == 1:  # random field values may be invalid (a bad DOI, say)
        assert "error:" in result.output
        return
    counts = check_database(root / "evidence.db")
    assert counts["guides"] == 1
    assert counts["claims"] == files["claims/g/claims.yaml"].count("  - id: ")


# Regression examples found by the fuzzers above.

def test_references_that_are_not_utf8_are_a_clear_error(tmp_path):
    write_files(tmp_path, {"references.bib": b"@article{a,\n  title = {\xff\xfe}\n}\n",
                           "claims/g/guide.md": b"# A\n"})
    result = build(tmp_path)
    assert result.exit_code == 1
    assert "references.bib:2: not UTF-8 text (byte 0xff cannot be read)" in result.output
    assert "save the file as UTF-8" in result.output


def test_a_guide_that_is_not_utf8_is_a_clear_error(tmp_path):
    write_files(tmp_path, {"references.bib": b"", "claims/g/guide.md": b"# A\n\n# A A\xc6\n"})
    result = build(tmp_path)
    assert result.exit_code == 1
    assert "guide.md:3: not UTF-8 text (byte 0xc6 cannot be read)" in result.output


# --- the printed citation parser (a guide's Kilder list) ---------------------

KILDER = """\
## Kilder

- Sederberg M, LaMarche L, Skinner L, Cushman DM. Distal semimembranosus tendinopathy: A narrative review. PM R. 2022;14(8):1010-1017. DOI: 10.1002/pmrj.12667
- Owen CE, Poon AMT, Lee ST, et al. Fusion of positron emission tomography/computed tomography with magnetic resonance imaging. Rheumatology (Oxford). 2018;57(2):345-353. DOI: 10.1093/rheumatology/kex411
- Chan W, Chase HE. Calcific tendinitis of biceps femoris. BMJ Case Rep. 2016;2016:bcr2016215745. DOI: 10.1136/bcr-2016-215745
1. World Health Organization. Guidance. Geneva: WHO; 2020. https://doi.org/10.5555/who.2020
"""

kilder_text = st.one_of(
    mutated(KILDER, max_edits=6),
    st.lists(st.sampled_from(TOKENS + ["2022;14(8):1010-1017", "DOI: 10.1/x", " et al.",
                                       "PMID: 1", "Ærø Å,", "2016;2016:bcr", ". "]),
             max_size=40).map(lambda t: "## Kilder\n\n- " + "".join(t)),
    st.text(max_size=300).map(lambda t: "## Kilder\n\n- " + t),
    # Long runs of what the locator and DOI patterns look for (slow regexes show here).
    st.tuples(st.sampled_from(["2022;", "1;", "(", "doi:10.1234/", " 2020a Jan", ":1-"]),
              st.integers(50, 400)).map(lambda p: "## Kilder\n\n- X. " + p[0] * p[1] + "!"),
)


@FUZZ
@given(kilder_text, bib_files(max_entries=3))
def test_printed_citation_parser_never_crashes_nor_hangs(text, gen):
    import time

    from evidence.bib.printed import compare_printed_citations, parse_printed_citations
    from evidence.guide.document import parse_guide
    from evidence.guide.reference_list import reference_list

    started = time.monotonic()
    guide = parse_guide("g", text)
    found = reference_list(guide)
    if found is not None:
        citations = parse_printed_citations(found.text, first_line=found.first_line)
        for citation in citations:
            assert citation.line >= 1
    refs = parse_references(gen.text)
    differences = (compare_printed_citations(found.text, refs, first_line=found.first_line)
                   if found is not None else [])
    for difference in differences:
        assert str(difference)
    assert time.monotonic() - started < 2.0  # no regular expression runs away


IMPOSSIBLE_DATES = ["0000-00-00", "2026-13-45", "2026-02-30", "2026-02-30 10:00:00",
                    "2026-01-01T25:00:00"]


@pytest.mark.parametrize("date", IMPOSSIBLE_DATES)
def test_an_impossible_date_is_a_problem_with_its_line(date):
    """Regression: ruamel.yaml raised ValueError (a traceback in evidence build)."""
    text = CLAIMS.replace("on: 2026-11-01", f"on: {date}")
    claims_file, problems = parse_claims(text, "claims.yaml")
    assert claims_file is not None
    assert [str(p) for p in problems] == [
        f"claims.yaml:13: c-1: review date '{date}' is not a date (write it as YYYY-MM-DD)"]
    for where in (f"{date}\n", f"claims: {date}\n", f"guide:\n  title: {date}\n"):
        check_problems(parse_claims(where, "claims.yaml")[1])


def test_build_reports_an_impossible_review_date(tmp_path):
    from tests.conftest import CLAIMS as PROJECT_CLAIMS
    from tests.conftest import write_project

    claims = PROJECT_CLAIMS.replace('    consensus: "Standard definition."',
                                    '    consensus: "Standard definition."\n'
                                    "    review:\n      on: 2026-13-45")
    result = build(write_project(tmp_path, claims=claims))
    assert result.exit_code == 1
    assert "review date '2026-13-45' is not a date" in result.output


def test_review_refuses_a_file_with_an_impossible_date_elsewhere():
    import datetime as dt

    from evidence.claims.review import edit_reviews

    text = CLAIMS.replace("on: 2026-11-01", "on: 2026-13-45")
    with pytest.raises(EvidenceError, match="a date cannot be read"):
        edit_reviews(text, "claims.yaml", ["c-2"], status="verified", by="X",
                     on=dt.date(2026, 11, 28), note=None)
