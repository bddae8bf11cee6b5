"""evidence bibliography: selection, order, styles, locales and the formatting engine."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence.bib.csl import source_to_csl
from evidence.bib.references import load_references
from evidence.bibliography import formatting
from evidence.bibliography import make as bib
from evidence.bibliography.styles import StyleError, derive_loeberlab, resolve_style
from evidence.cli import cli
from evidence.project import load_project
from tests.conftest import write_project

REPO = Path(__file__).resolve().parents[2]
GUIDE_ID = "distal-hasetendinopati"
KILDER_KEYS = ["sederberg2022", "mohammed2025", "mendiguchia2024", "owen2018", "watura2018",
               "chan2016"]


def csl_items(sources) -> list[dict]:
    return [source_to_csl(s) for s in sources]


def printed_kilder() -> list[str]:
    """The `- ` lines under `## Kilder` in the guide, without the dash."""
    text = (REPO / "claims" / GUIDE_ID / "guide.md").read_text(encoding="utf-8")
    section = text.split("\n## Kilder\n", 1)[1]
    return [line[2:].strip() for line in section.splitlines() if line.startswith("- ")]


def run(*args: str, project: Path = REPO):
    result = CliRunner().invoke(cli, ["bibliography", "--project", str(project), *args])
    return result


# --- the done-when: the guide's Kilder list --------------------------------------

def test_the_guide_bibliography_equals_the_printed_kilder_list_entry_by_entry():
    result = run("--guide", GUIDE_ID)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    printed = printed_kilder()
    assert len(printed) == 6
    assert len(lines) == len(printed)
    for number, (line, expected) in enumerate(zip(lines, printed), start=1):
        assert line == expected, f"entry {number}"


def test_the_guide_numbering_is_its_printed_kilder_order():
    project = load_project(REPO, strict=False)
    data = project.guide(GUIDE_ID)
    assert bib.printed_reference_keys(data.guide, project.references) == KILDER_KEYS
    selection = bib.select(project, guide=GUIDE_ID)
    assert selection.keys == KILDER_KEYS
    assert selection.style == "loeberlab"


def test_first_citation_alone_would_not_give_the_printed_order():
    """Why the printed list is the numbering: the claims cite in another order."""
    project = load_project(REPO, strict=False)
    first_cited = []
    for claim in project.guide(GUIDE_ID).claims_in_order():
        for link in claim.evidence:
            if link.source not in first_cited:
                first_cited.append(link.source)
    assert first_cited != KILDER_KEYS[: len(first_cited)]


def test_the_guide_in_numbered_ama_keeps_the_printed_order():
    result = run("--guide", GUIDE_ID, "--style", "american-medical-association")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    for number, (line, printed) in enumerate(zip(lines, printed_kilder()), start=1):
        assert line == f"{number}. " + printed.replace("DOI: ", "doi:")


# --- selection and order in a small project -------------------------------------

ORDER_BIB = "".join(
    f"""@article{{{key},
  author = {{{author}, A.}},
  title = {{{title}}},
  journal = {{J Test}},
  year = {{{year}}},
  volume = {{1}},
  pages = {{1--2}},
  doi = {{10.1234/{key}}}
}}

"""
    for key, author, title, year in [
        ("kilde1", "Alpha", "The first printed source", 2001),
        ("kilde2", "Beta", "The second printed source", 2002),
        ("cited1", "Gamma", "Cited first by a claim", 2003),
        ("cited2", "Delta", "Cited second by a claim", 2004),
        ("against", "Epsilon", "A source that contradicts", 2005),
        ("unused", "Zeta", "A source nobody cites", 2006),
    ]
)

ORDER_GUIDE = """\
Intro om løb og knæ.

## Årsager

Overbelastning er en årsag. Svag styrke er en anden.

## Behandling

Belastning hjælper. Hvile alene hjælper ikke.

## Kilder

- Beta A. The second printed source. J Test. 2002;1:1-2. DOI: 10.1234/kilde2
- Alpha A. The first printed source. J Test. 2001;1:1-2. DOI: 10.1234/kilde1
"""

ORDER_CLAIMS = """\
guide:
  title: Ordenstest
  language: da
claims:
  - id: o-treatment
    quote: "Belastning hjælper."
    type: treatment
    evidence:
      - source: cited2
        relation: supports
      - source: kilde1
        relation: supports
      - source: against
        relation: contradicts
  - id: o-overload
    quote: "Overbelastning er en årsag."
    type: etiology
    evidence:
      - source: cited1
        relation: mentions
  - id: o-rest
    quote: "Hvile alene hjælper ikke."
    type: treatment
    evidence:
      - source: cited1
        relation: supports
"""


@pytest.fixture
def ordered(tmp_path: Path) -> Path:
    return write_project(tmp_path, guide=ORDER_GUIDE, claims=ORDER_CLAIMS, bib=ORDER_BIB,
                         guide_id="ordenstest")


def keys_of(project_dir: Path, **kwargs) -> list[str]:
    return bib.select(load_project(project_dir), **kwargs).keys


def test_printed_list_first_then_first_citation_in_guide_order(ordered):
    # kilde2, kilde1: the printed Kilder order; then cited1 (first cited in
    # "Årsager"), cited2 (in "Behandling"); "against" only contradicts; "unused"
    # is cited by no claim.
    assert keys_of(ordered, guide="ordenstest") == ["kilde2", "kilde1", "cited1", "cited2"]


def test_all_relations_with_all(ordered):
    assert keys_of(ordered, guide="ordenstest", include_all=True) == [
        "kilde2", "kilde1", "cited1", "cited2", "against"]


def test_without_a_printed_list_the_order_is_first_citation(tmp_path):
    guide = ORDER_GUIDE.split("## Kilder")[0]
    write_project(tmp_path, guide=guide, claims=ORDER_CLAIMS, bib=ORDER_BIB, guide_id="o")
    assert keys_of(tmp_path, guide="o") == ["cited1", "cited2", "kilde1"]


def test_a_section_by_heading_or_id(ordered):
    assert keys_of(ordered, section="Behandling") == ["kilde1", "cited1", "cited2"]
    assert keys_of(ordered, guide="ordenstest", section="ordenstest--behandling") == [
        "kilde1", "cited1", "cited2"]
    assert keys_of(ordered, section="Årsager") == ["cited1"]


def test_claims_and_keys(ordered):
    assert keys_of(ordered, claims=["o-treatment"]) == ["kilde1", "cited2"]
    assert keys_of(ordered, claims=["o-rest", "o-treatment"]) == ["kilde1", "cited1", "cited2"]
    assert keys_of(ordered, keys=["unused", "kilde1"]) == ["unused", "kilde1"]
    assert keys_of(ordered, include_all=True) == [
        "kilde1", "kilde2", "cited1", "cited2", "against", "unused"]


def test_numeric_style_numbers_in_guide_order_and_apa_sorts(ordered):
    result = run("--guide", "ordenstest", "--style", "nlm-citation-sequence", project=ordered)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split(".")[0] for line in lines] == ["1", "2", "3", "4"]
    assert [line.split()[1] for line in lines] == ["Beta", "Alpha", "Gamma", "Delta"]
    apa = run("--guide", "ordenstest", "--style", "apa", project=ordered).stdout.splitlines()
    assert [line.split(",")[0] for line in apa] == ["Alpha", "Beta", "Delta", "Gamma"]


def test_bad_selections_are_clear_errors(ordered):
    result = run("--key", "kilde9", project=ordered)
    assert result.exit_code == 1
    assert "unknown citekey 'kilde9'" in result.output and "did you mean" in result.output
    assert "no claim 'o-nope'" in run("--claim", "o-nope", project=ordered).output
    assert "no section 'Nope'" in run("--section", "Nope", project=ordered).output
    assert "no guide 'nope'" in run("--guide", "nope", project=ordered).output
    assert "nothing selected" in run(project=ordered).output
    assert "not both" in run("--guide", "ordenstest", "--key", "kilde1",
                             project=ordered).output
    for result in (run("--key", "kilde9", project=ordered), run(project=ordered)):
        assert "Traceback" not in result.output


def test_the_guide_style_comes_from_claims_yaml(tmp_path):
    claims = ORDER_CLAIMS.replace("  language: da\n", "  language: da\n  style: apa\n")
    write_project(tmp_path, guide=ORDER_GUIDE, claims=claims, bib=ORDER_BIB, guide_id="o")
    assert bib.select(load_project(tmp_path), guide="o").style == "apa"
    lines = run("--guide", "o", project=tmp_path).stdout.splitlines()
    assert lines[0].startswith("Alpha, A. (2001).")


# --- output formats --------------------------------------------------------------

def test_markdown_and_html_outputs(ordered):
    md = run("--guide", "ordenstest", "--format", "markdown", project=ordered).stdout
    assert md.splitlines()[0] == (
        "- Beta A. The second printed source. *J Test*. 2002;1:1-2. "
        "DOI: [10.1234/kilde2](https://doi.org/10.1234/kilde2)")
    numbered = run("--key", "kilde1", "--style", "american-medical-association", "-f", "md",
                   project=ordered).stdout
    assert numbered.startswith("1. Alpha A.")
    html_out = run("--guide", "ordenstest", "--format", "html", project=ordered).stdout
    assert html_out.startswith('<div class="references csl-bib-body"')
    assert '<div id="ref-kilde2" class="csl-entry" role="listitem">Beta A.' in html_out
    assert '<a href="https://doi.org/10.1234/kilde2">10.1234/kilde2</a>' in html_out


def test_html_from_a_field_is_escaped(tmp_path):
    write_project(tmp_path, claims=None, bib=r"""@article{x,
  author = {Evil, E.}, title = {A <script>alert(1)</script> & co}, journal = {J},
  year = {2020}}
""")
    out = run("--key", "x", "--format", "html", project=tmp_path).stdout
    assert "<script>" not in out
    assert "&lt;script&gt;" in out and "&amp; co" in out


def test_output_to_a_file_picks_the_format_from_the_suffix(ordered, tmp_path):
    target = tmp_path / "out" / "kilder.json"
    result = run("--guide", "ordenstest", "--output", str(target), project=ordered)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    data = json.loads(target.read_text(encoding="utf-8"))
    assert [item["id"] for item in data] == ["kilde2", "kilde1", "cited1", "cited2"]
    ris = tmp_path / "kilder.ris"
    run("--guide", "ordenstest", "-o", str(ris), project=ordered)
    assert ris.read_bytes().startswith(b"TY  - JOUR\r\nID  - kilde2\r\n")
    assert not list(tmp_path.glob(".*.tmp"))  # atomic write leaves no temporary file


def test_an_output_suffix_that_names_no_format_is_an_error(ordered, tmp_path):
    target = tmp_path / "kilder.docx"
    result = run("--guide", "ordenstest", "-o", str(target), project=ordered)
    assert result.exit_code == 1
    assert "the suffix '.docx' names no format" in result.output and "--format" in result.output
    assert not target.exists()
    # an explicit --format writes whatever the name
    result = run("--guide", "ordenstest", "-o", str(target), "--format", "markdown",
                 project=ordered)
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").strip()
    # no suffix at all: text
    plain = tmp_path / "kilder"
    assert run("--guide", "ordenstest", "-o", str(plain), project=ordered).exit_code == 0
    assert plain.read_text(encoding="utf-8") == run("--guide", "ordenstest",
                                                    project=ordered).stdout


def test_help_says_exactly_which_sources_are_listed():
    result = CliRunner().invoke(cli, ["bibliography", "--help"], terminal_width=100)
    text = " ".join(result.output.split())
    assert "Only sources that the selected claims cite" not in text
    assert ("--guide alone every source its claims cite (supports or mentions), and every "
            "source of its printed reference list (Kilder), cited by a claim or not") in text
    # and that is what it does: the real guide prints 6 sources, 3 of them cited by no claim
    project = load_project(REPO, strict=False)
    cited = {link.source for claim in project.guide(GUIDE_ID).claims
             for link in claim.evidence if link.relation in bib.CITED_RELATIONS}
    listed = bib.select(project, guide=GUIDE_ID).keys
    assert set(listed) == set(KILDER_KEYS) | cited


def test_unknown_format_is_an_error(ordered):
    result = run("--guide", "ordenstest", "--format", "docx", project=ordered)
    assert result.exit_code == 1 and "unknown output format 'docx'" in result.output


# --- styles ------------------------------------------------------------------------

def test_unknown_style_lists_close_names(ordered):
    result = run("--guide", "ordenstest", "--style", "vancouver", project=ordered)
    assert result.exit_code == 1
    assert "unknown citation style 'vancouver'" in result.output
    assert "vancouver-ama" in result.output and "vancouver-nlm" in result.output
    with pytest.raises(StyleError, match="close names: .*apa"):
        resolve_style("apaa")


def test_a_style_by_path_and_a_dependent_style_resolved_to_its_parent(tmp_path):
    ama = resolve_style("american-medical-association")
    own = tmp_path / "mine.csl"
    own.write_text(ama.path.read_text(encoding="utf-8"), encoding="utf-8")
    assert resolve_style(str(own)).path == own
    dependent = tmp_path / "my-journal.csl"
    dependent.write_text("""<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" default-locale="da-DK">
  <info>
    <title>My journal</title>
    <id>http://www.zotero.org/styles/my-journal</id>
    <link href="http://www.zotero.org/styles/apa" rel="independent-parent"/>
  </info>
</style>
""", encoding="utf-8")
    style = resolve_style(str(dependent))
    assert style.path == resolve_style("apa").path
    assert style.default_locale == "da-DK"
    assert resolve_style("vancouver-ama").path == ama.path  # a dependent by name
    missing = tmp_path / "orphan.csl"
    missing.write_text(dependent.read_text().replace("styles/apa", "styles/no-such-parent"))
    with pytest.raises(StyleError, match="depends on 'no-such-parent'"):
        resolve_style(str(missing))
    with pytest.raises(StyleError, match="no CSL style file"):
        resolve_style(str(tmp_path / "absent.csl"))


def test_loeberlab_is_ama_with_doi_prefix_and_no_number():
    style = resolve_style("loeberlab")
    assert not style.numeric and not style.sorted and style.default_locale == "en-US"
    # the file given to pandoc is written by ElementTree (style_fixes)
    text = style.path.read_text(encoding="utf-8").replace(" />", "/>")
    assert '<text prefix="DOI: " variable="DOI"/>' in text
    assert 'prefix="doi:"' not in text
    assert "<id>loeberlab</id>" in text
    ama = resolve_style("american-medical-association")
    assert ama.numeric
    with pytest.raises(StyleError, match="the DOI prefix"):
        derive_loeberlab(ama.path.read_text(encoding="utf-8").replace('prefix="doi:"', ""))


def test_loeberlab_is_written_to_the_cache_folder(tmp_path, monkeypatch):
    from evidence.bibliography import styles

    monkeypatch.setenv("EVIDENCE_CACHE_DIR", str(tmp_path))
    made = styles._make_loeberlab()
    assert made.parent == tmp_path / "styles" and made.is_file()


# --- locales ---------------------------------------------------------------------------

def test_locale_changes_the_terms(tmp_path):
    refs = load_references(REPO / "references.bib")
    owen = csl_items([refs.get("owen2018")])
    english = bib.format_items(owen, "loeberlab").entries[0].text
    danish = bib.format_items(owen, "loeberlab", "da-DK").entries[0].text
    assert "Lee ST, et al." in english
    assert "Lee ST, m.fl." in danish
    assert bib.format_items(owen, "apa", "de").locale == "de"


def test_unknown_locale_is_an_error():
    with pytest.raises(bib.EvidenceError, match="unknown locale 'xx-YY'"):
        formatting.normalise_locale("xx-YY")
    assert formatting.normalise_locale("da_dk") == "da-DK"


# --- the engine -----------------------------------------------------------------------

def test_one_pandoc_call_per_bibliography(monkeypatch):
    calls = []
    real = formatting.run_citeproc

    def counting(items, style, locale=None, timeout=300):
        calls.append(len(items))
        return real(items, style, locale, timeout)

    monkeypatch.setattr(formatting, "run_citeproc", counting)
    refs = load_references(REPO / "references.bib")
    result = bib.format_items(csl_items(refs.sources), "apa")
    assert calls == [6]
    assert len(result.entries) == 6
    assert bib.format_items([], "apa").entries == []


def test_missing_pandoc_says_how_to_install(monkeypatch, ordered):
    def no_pandoc():
        raise OSError("No pandoc was found")

    monkeypatch.delenv("EVIDENCE_PANDOC", raising=False)
    monkeypatch.setattr(formatting, "_pypandoc_path", no_pandoc)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = run("--guide", "ordenstest", project=ordered)
    assert result.exit_code == 1
    assert "pandoc was not found" in result.output
    assert "pip install pypandoc-binary" in result.output
    assert "Traceback" not in result.output
    # formats that need no pandoc still work
    assert run("--guide", "ordenstest", "-f", "bibtex", project=ordered).exit_code == 0


def test_pandoc_path_that_does_not_exist(monkeypatch, tmp_path):
    monkeypatch.setenv("EVIDENCE_PANDOC", str(tmp_path / "pandoc"))
    with pytest.raises(formatting.PandocMissing, match="EVIDENCE_PANDOC"):
        formatting.pandoc_executable()


def test_pandoc_failure_is_reported(monkeypatch, tmp_path):
    fake = tmp_path / "pandoc"
    fake.write_text("#!/bin/sh\necho 'something broke' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("EVIDENCE_PANDOC", str(fake))
    with pytest.raises(formatting.PandocFailed, match="something broke"):
        bib.format_items([{"id": "a", "type": "book", "title": "T"}], "apa")


def test_text_renderer_handles_pandoc_inline_kinds():
    inlines = [
        {"t": "Str", "c": "H"}, {"t": "Subscript", "c": [{"t": "Str", "c": "2"}]},
        {"t": "Str", "c": "O"}, {"t": "Space"},
        {"t": "Superscript", "c": [{"t": "Str", "c": "14"}]}, {"t": "Str", "c": "C"},
        {"t": "Space"}, {"t": "SmallCaps", "c": [{"t": "Str", "c": "caps"}]}, {"t": "Space"},
        {"t": "Quoted", "c": [{"t": "DoubleQuote"}, [{"t": "Str", "c": "q"}]]},
        {"t": "SoftBreak"}, {"t": "Emph", "c": [{"t": "Str", "c": "in*vivo"}]},
    ]
    entry = formatting.FormattedEntry("k", None, inlines)
    assert entry.text == "H₂O ¹⁴C CAPS “q” in*vivo"
    assert entry.markdown == ('H<sub>2</sub>O <sup>14</sup>C '
                              '<span style="font-variant:small-caps">caps</span> “q” *in\\*vivo*')
    assert entry.html == ('H<sub>2</sub>O <sup>14</sup>C '
                          '<span style="font-variant:small-caps">caps</span> “q” <em>in*vivo</em>')
    unsafe = formatting.FormattedEntry("k", None, [{"t": "Link", "c": [
        ["", [], []], [{"t": "Str", "c": "x"}], ["javascript:alert(1)", ""]]}])
    assert unsafe.html == "x" and unsafe.markdown == "x"


def test_every_cdl_type_formats_in_ama_apa_and_nlm():
    cdl = REPO.parent / "shared" / "bench" / "cdl.bib"
    if not cdl.is_file():
        pytest.skip(f"{cdl} is not present")
    refs = load_references(cdl, validate=False)
    first_of_type = {}
    for source in refs.sources:
        first_of_type.setdefault(source.entry_type, source)
    items = csl_items(first_of_type.values())
    for style in ("american-medical-association", "apa", "nlm-citation-sequence"):
        result = bib.format_items(items, style)
        assert sorted(e.key for e in result.entries) == sorted(i["id"] for i in items)
        if result.style.numeric:  # numbered in the order given
            assert [e.key for e in result.entries] == [i["id"] for i in items]
            assert [e.label for e in result.entries] == [
                f"{n}." for n in range(1, len(items) + 1)]
        for entry in result.entries:
            assert entry.text and "\\" not in entry.text
            assert not re.search(r"\{|\}", entry.text), entry.text
