"""resolve keeps the editor's values: one copy of each field, in its spelling and
order; a field an editor changed survives `resolve --all --refresh`; --force-field."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence.bib.fieldhashes import FieldHashes, value_hash
from evidence.bib.references import load_references, parse_references
from evidence.cli import cli
from evidence.crossref.cache import ResponseCache
from evidence.crossref.client import CrossrefClient
from evidence.crossref.ownership import KeptField
from evidence.crossref.resolve import resolve_references, select_entries
from evidence.crossref.retry import RetryPolicy
from tests.crossref_support import FakeCrossref

TODAY = "2026-12-02"
DOI = "10.5555/evidence.pmr.1"
WORK = {
    "DOI": DOI, "type": "journal-article",
    "title": ["Hamstring tendinopathy in runners"],
    "container-title": ["PM&R"], "short-container-title": ["PM R"],
    "author": [{"given": "Anna", "family": "Lind"}, {"given": "Bo", "family": "Kim"}],
    "issued": {"date-parts": [[2019, 4]]},
    "volume": "11", "issue": "4", "page": "350-357", "publisher": "Wiley",
}

# A hand-typed entry as cdl.bib writes them: capitalised names, the editor's
# design before anything evidence adds, no fieldhashes yet.
HAND_TYPED = """\
@article{Lind19,
\tAuthor = {Lind, Anna and Kim, Bo},
\tDOI = {10.5555/evidence.pmr.1},
\tJournal = {PM R},
\tTitle = {Hamstring tendinopathy in runners},
\tStudydesign = {cohort},
\tYear = {2019}}
"""


@pytest.fixture
def fake():
    with FakeCrossref() as server:
        server.add_work(WORK)
        yield server


@pytest.fixture
def env(fake, tmp_path):
    return {"EVIDENCE_CROSSREF_URL": fake.url, "EVIDENCE_CACHE_DIR": str(tmp_path / "cache")}


def resolve(folder: Path, env, *args):
    return CliRunner().invoke(cli, ["resolve", *args, "--project", str(folder)], env=env)


def hand_typed(tmp_path: Path) -> Path:
    (tmp_path / "references.bib").write_text(HAND_TYPED, encoding="utf-8")
    return tmp_path


def test_a_hand_typed_entry_keeps_its_fields_spelling_and_order(tmp_path, fake):
    folder = hand_typed(tmp_path)
    refs = load_references(folder / "references.bib")
    sources, _ = select_entries(refs, [])
    client = CrossrefClient(fake.url, None, retry=RetryPolicy(attempts=2, base_delay=0.01),
                            cache=ResponseCache(tmp_path / "cache"))
    report = resolve_references(refs, client, sources, today=TODAY, show_progress=False)
    [outcome] = report.outcomes
    # the editor's values that differ are kept and reported, as data
    assert outcome.kept == [KeptField("Lind19", "Journal", "PM R", "PM\\&R")]
    source = load_references(folder / "references.bib").get("Lind19")
    keys = [f.key for f in source.entry.fields]
    # one copy of each field, in its own spelling and order; new fields at the end
    assert keys[:6] == ["Author", "DOI", "Journal", "Title", "Studydesign", "Year"]
    assert keys[6:] == ["shortjournal", "month", "volume", "number", "pages",
                        "metadatasource", "fieldhashes"]
    assert keys.index("metadatasource") > keys.index("Studydesign")
    assert source.raw("journal") == "PM R" and source.raw("volume") == "11"
    assert source.raw("DOI") == DOI
    # agreeing and added fields are evidence's now; the kept one is not
    hashes = FieldHashes.parse(source.raw("fieldhashes"))
    assert hashes.written("author", source.raw("author"))
    assert hashes.written("volume", "11") and hashes.written("entrytype", "article")
    assert "journal" not in hashes


def test_the_editors_fix_survives_resolve_all_refresh_and_force_field_takes_crossrefs(
        tmp_path, fake, env):
    (tmp_path / "references.bib").write_text("", encoding="utf-8")
    added = CliRunner().invoke(cli, ["add", DOI, "--project", str(tmp_path)], env=env)
    assert added.exit_code == 0, added.output
    bib = tmp_path / "references.bib"
    written = bib.read_text(encoding="utf-8")
    assert "journal = {PM\\&R}" in written and "fieldhashes = {" in written
    # the editor fixes the journal (and adds a design) by hand
    bib.write_text(written.replace("journal = {PM\\&R}", "journal = {PM R}")
                   .replace("  doi =", "  studydesign = {cohort},\n  doi ="), encoding="utf-8")
    fixed = bib.read_text(encoding="utf-8")
    result = resolve(tmp_path, env, "--all", "--refresh")
    assert result.exit_code == 0, result.output
    assert "lind2019: journal: kept the editor's 'PM R', Crossref says 'PM\\\\&R'" in result.output
    assert "1 field kept as the editor wrote it" in result.output
    assert bib.read_text(encoding="utf-8") == fixed  # nothing else to change: untouched
    again = resolve(tmp_path, env, "--all", "--refresh")
    assert again.exit_code == 0 and "kept the editor's 'PM R'" in again.output
    assert bib.read_text(encoding="utf-8") == fixed
    forced = resolve(tmp_path, env, "--all", "--force-field", "JOURNAL")
    assert forced.exit_code == 0, forced.output
    source = load_references(bib).get("lind2019")
    assert source.raw("journal") == "PM\\&R" and source.study_design == "cohort"
    assert FieldHashes.parse(source.raw("fieldhashes")).written("journal", "PM\\&R")
    assert "kept" not in resolve(tmp_path, env, "--all").output


def test_a_field_evidence_wrote_and_nobody_changed_is_updated(tmp_path, fake, env):
    bib = tmp_path / "references.bib"
    bib.write_text(f"""\
@article{{lind2019,
  author = {{Lind, A.}},
  title = {{Hamstring tendinopathy in runners}},
  journal = {{PM R}},
  year = {{2019}},
  doi = {{{DOI}}},
  metadatasource = {{printed 2026-11-01}},
  fieldhashes = {{author:{value_hash('Lind, A.')} journal:{value_hash('PM R')}}}
}}
""", encoding="utf-8")
    result = resolve(tmp_path, env)
    assert result.exit_code == 0, result.output
    assert "kept" not in result.output
    source = load_references(bib).get("lind2019")
    assert source.raw("author") == "Lind, Anna and Kim, Bo"
    assert source.raw("journal") == "PM\\&R"


def test_a_field_the_editor_removed_stays_removed(tmp_path, fake, env):
    (tmp_path / "references.bib").write_text("", encoding="utf-8")
    assert CliRunner().invoke(cli, ["add", DOI, "--project", str(tmp_path)],
                              env=env).exit_code == 0
    bib = tmp_path / "references.bib"
    text = bib.read_text(encoding="utf-8")
    assert "  volume = {11},\n" in text
    bib.write_text(text.replace("  volume = {11},\n", ""), encoding="utf-8")
    result = resolve(tmp_path, env, "--all", "--refresh")
    assert "lind2019: volume: kept the editor's removal, Crossref says '11'" in result.output
    assert load_references(bib).get("lind2019").raw("volume") is None


def test_the_editors_entry_type_is_kept_with_the_container_in_its_field(tmp_path, fake, env):
    fake.add_work({**WORK, "type": "proceedings-article",
                   "container-title": ["Proceedings of the Running Workshop"]})
    bib = tmp_path / "references.bib"
    bib.write_text(HAND_TYPED.replace("{PM R}", "{Proc Running Workshop}"), encoding="utf-8")
    result = resolve(tmp_path, env)
    assert result.exit_code == 0, result.output
    assert "Lind19: entrytype: kept the editor's 'article', Crossref says 'inproceedings'" \
        in result.output
    assert ("Lind19: Journal: kept the editor's 'Proc Running Workshop', Crossref says "
            "'Proceedings of the Running Workshop'") in result.output
    source = load_references(bib).get("Lind19")
    assert source.entry_type == "article" and source.raw("booktitle") is None
    forced = resolve(tmp_path, env, "--all", "--force-field", "entrytype")
    assert forced.exit_code == 0, forced.output
    source = load_references(bib).get("Lind19")
    assert source.entry_type == "inproceedings"


def test_an_unknown_force_field_is_refused_and_changes_nothing(tmp_path, fake, env):
    folder = hand_typed(tmp_path)
    result = resolve(folder, env, "--force-field", "studydesign")
    assert result.exit_code == 1
    assert "--force-field studydesign: not a field resolve writes" in result.output
    assert (folder / "references.bib").read_text(encoding="utf-8") == HAND_TYPED
    assert fake.count() == 0


CDL = Path(__file__).resolve().parents[2].parent / "shared" / "bench" / "cdl.bib"


@pytest.mark.skipif(not CDL.exists(), reason="no ../shared/bench/cdl.bib")
def test_cdl_bib_entries_resolved_keep_one_copy_of_each_field_in_spelling_and_order(
        tmp_path, fake, env):
    """Forty real entries of cdl.bib, each given a DOI that a loopback Crossref
    answers with a record made from the entry (its title in other words)."""
    blocks = [b for b in CDL.read_text(encoding="utf-8").split("\n\n")
              if b.startswith("@article{") and "\tAuthor = {" in b and "\tTitle = {" in b
              and "\tYear = {" in b and "\tJournal = {" in b and "doi" not in b.lower()][:40]
    assert len(blocks) == 40
    written = []
    for n, block in enumerate(blocks):
        head, rest = block.split("\n", 1)
        written.append(f"{head}\n\tDOI = {{10.5555/cdl.{n}}},\n{rest}")
        [source] = parse_references(written[-1]).sources
        fake.add_work({
            "DOI": f"10.5555/cdl.{n}", "type": "journal-article",
            "title": [f"{source.raw('Title')} (as registered)"],
            "container-title": [source.raw("Journal")],
            "author": [{"given": "A", "family": "Crossref"}],
            "issued": {"date-parts": [[int(source.raw("Year")[:4])]]}, "page": "1-9"})
    bib = tmp_path / "references.bib"
    bib.write_text("\n\n".join(written) + "\n", encoding="utf-8")
    before = {s.key: [f.key for f in s.entry.fields] for s in load_references(bib)}
    result = resolve(tmp_path, env, "--full")  # every kept field on its own line
    assert result.exit_code == 0, result.output
    refs = load_references(bib)  # validates: no field given twice in any case
    for source in refs:
        keys = [f.key for f in source.entry.fields]
        assert keys[:len(before[source.key])] == before[source.key]  # spelling and order
        assert len({k.lower() for k in keys}) == len(keys)  # one copy of each
        assert keys[-2:] == ["metadatasource", "fieldhashes"]
        assert "(as registered)" not in source.raw("title")  # the editor's title kept
        assert source.raw("metadatasource") == f"crossref {date.today().isoformat()}"
        assert f"{source.key}: Title: kept the editor's" in result.output
        assert f"{source.key}: Author: kept the editor's" in result.output
    assert result.output.count(": kept the editor's") >= 80
