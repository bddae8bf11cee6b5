"""evidence resolve / add: fetching, merging into references.bib, interruption, CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence.bib.citekeys import ascii_fold, unique_citekey
from evidence.bib.fieldhashes import FieldHashes, hashes_of, value_hash
from evidence.bib.references import load_references, parse_references, parse_updates
from evidence.cli import cli
from evidence.crossref.cache import ResponseCache
from evidence.crossref.client import CrossrefClient
from evidence.crossref.mapping import map_work
from evidence.crossref.ownership import BIBLIOGRAPHIC_FIELDS
from evidence.crossref.resolve import (
    add_dois,
    citekey_base,
    resolve_references,
    select_entries,
)
from evidence.crossref.retry import RetryPolicy
from tests.crossref_support import FakeCrossref, Reply, envelope, fixture

TODAY = "2026-11-28"
FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02)

BIB = """\
% Sources of the test guide. Comments stay where they are.
@string{jtr = {Journal of Tendon Research}}

@Article{aero2021,
  author = {Aero, S. and van der Berg, M.},
  title = {Eccentric loading of the semimembranosus tendon and pain},
  journal = jtr,
  year = {2021},
  number = {5},
  pages = {241-7},
  doi = {10.5555/EVIDENCE.article.1},
  studydesign = {randomised-trial},
  note = {Typed from the printed guide.},
  keywords = {loading},
  metadatasource = {manual}
}

% A proceedings paper typed as an article.
@article{lund2019,
  author = {Lund, A. and Kim, B.},
  title = {Gait sensors},
  journal = {Proc Workshop Running Injuries},
  year = {2019},
  doi = {10.5555/evidence.proc.7},
  studydesign = {cross-sectional},
  metadatasource = {manual}
}

@article{holm2022,
  author = {Holm, L. and Holm, P.},
  title = {Hamstring strength in runners with knee pain},
  journal = {Sports Med Open Res},
  year = {2022},
  doi = {10.5555/evidence.corrected.2},
  updates = {expression_of_concern 10.5555/editor.noted 2022-12-01 editor},
  studydesign = {cohort},
  metadatasource = {manual}
}

@article{storm2019,
  author = {Storm, K.},
  title = {Platelet-rich plasma cures all tendinopathies},
  journal = {J Tendon Res},
  year = {2019},
  doi = {10.5555/evidence.retracted.3},
  studydesign = {randomised-trial},
  metadatasource = {manual}
}

@misc{ostergaard2024,
  author = {Østergård, Å.},
  title = {Running load and tendon thickness},
  year = {2024},
  doi = {10.5555/evidence.preprint.4},
  studydesign = {cross-sectional},
  metadatasource = {manual}
}

@article{ghost2020,
  author = {Ghost, G.},
  title = {A paper that was never registered},
  year = {2020},
  doi = {10.5555/not.registered},
  metadatasource = {manual}
}

@book{anatomy1918,
  author = {Gray, Henry},
  title = {Anatomy of the Human Body},
  year = {1918},
  studydesign = {other},
  metadatasource = {manual}
}
"""



def written_by_evidence(text: str) -> str:
    """The file as if evidence had written every entry's bibliographic fields and
    type (their hashes in fieldhashes, as add --from-guide leaves them): a resolve
    may then replace them. Without hashes they are the editor's (test_editor_fixes)."""
    refs = parse_references(text)
    for source in refs.sources:
        written = {f.key: str(f.value) for f in source.entry.fields
                   if f.key.lower() in BIBLIOGRAPHIC_FIELDS}
        refs.set_field(source.key, "fieldhashes",
                       hashes_of(written, source.entry_type).format())
    return refs.render()


WRITTEN = written_by_evidence(BIB)
WORKS = ("article_orcid", "proceedings", "corrected", "retracted", "preprint_v2", "chapter")


def serve_fixtures(server: FakeCrossref) -> FakeCrossref:
    for name in WORKS:
        server.add_work(fixture(name))
    server.add("10.5555/evidence.preprint.4",
               Reply(301, "", "text/plain", {"Location": "/works/10.5555/evidence.preprint.4.v2"}))
    return server


@pytest.fixture
def fake():
    with FakeCrossref() as server:
        yield serve_fixtures(server)


@pytest.fixture
def bib(tmp_path: Path) -> Path:
    path = tmp_path / "references.bib"
    path.write_text(WRITTEN, encoding="utf-8")
    return path


def client(fake, tmp_path, **kwargs) -> CrossrefClient:
    return CrossrefClient(fake.url, "tests@example.org", retry=FAST, timeout=2.0,
                          cache=ResponseCache(tmp_path / "cache"), **kwargs)


def entry_block(text: str, key: str) -> str:
    start = text.index("{" + key + ",")
    start = text.rindex("@", 0, start)
    end = text.index("\n}", start) + 2
    return text[start:end]


def resolve_all(bib: Path, fake, tmp_path, **kwargs):
    refs = load_references(bib)
    sources, skipped = select_entries(refs, [], everything=True)
    report = resolve_references(refs, client(fake, tmp_path, **kwargs), sources, today=TODAY,
                                show_progress=False)
    return report, skipped


def test_resolve_merges_crossref_fields_and_keeps_editor_fields(bib, fake, tmp_path):
    report, skipped = resolve_all(bib, fake, tmp_path)
    assert [o.key for o in skipped] == ["anatomy1918"]
    by_key = {o.key: o for o in report.outcomes}
    assert by_key["ghost2020"].failed
    assert "DOI not registered with Crossref" in by_key["ghost2020"].message
    assert {k for k, o in by_key.items() if o.status == "updated"} == {
        "aero2021", "lund2019", "holm2022", "storm2019", "ostergaard2024"}

    text = bib.read_text(encoding="utf-8")
    refs = load_references(bib)  # still valid
    aero = refs.get("aero2021")
    assert aero.raw("author") == ("Ærø, Søren and van der Berg, Marie-Louise and "
                                  "Müller, Jr., Jürgen and {Nordic Tendon Study Group}")
    assert aero.raw("orcids") == "0000-0002-1825-0097;;0000-0001-5109-370X;"
    assert aero.raw("title") == "Eccentric loading of the semimembranosus tendon \\& pain: a randomised trial"
    assert aero.text("title").endswith("tendon & pain: a randomised trial")
    assert aero.raw("journal") == "Journal of Tendon Research"
    assert aero.raw("shortjournal") == "J Tendon Res"
    assert (aero.raw("year"), aero.raw("volume"), aero.raw("number")) == ("2021", "12", "5")
    assert aero.raw("pages") == "241--247"
    assert aero.raw("doi") == "10.5555/evidence.article.1"
    assert aero.raw("metadatasource") == f"crossref {TODAY}"
    # editor fields untouched, the citekey and the @Article spelling kept
    assert aero.raw("studydesign") == "randomised-trial"
    assert aero.raw("note") == "Typed from the printed guide."
    assert aero.raw("keywords") == "loading"
    assert "@Article{aero2021," in text
    # fields it had stay where they stood; new ones come after them, at the end
    keys = [f.key for f in aero.entry.fields]
    before = [f.key for f in parse_references(WRITTEN).get("aero2021").entry.fields]
    assert keys[:len(before)] == before
    assert keys[len(before):] == ["orcids", "shortjournal", "month", "volume", "issn"]
    # untouched parts of the file are byte for byte what they were
    assert text.startswith("% Sources of the test guide. Comments stay where they are.\n"
                           "@string{jtr = {Journal of Tendon Research}}\n")
    assert "% A proceedings paper typed as an article.\n@inproceedings{lund2019," in text
    assert entry_block(text, "anatomy1918") == entry_block(WRITTEN, "anatomy1918")
    assert entry_block(text, "ghost2020") == entry_block(WRITTEN, "ghost2020")


def test_type_mapping_and_container_fields(bib, fake, tmp_path):
    resolve_all(bib, fake, tmp_path)
    lund = load_references(bib).get("lund2019")
    assert lund.entry_type == "inproceedings"
    assert lund.raw("booktitle") == "Proceedings of the 3rd Workshop on Running Injuries"
    assert lund.raw("journal") is None  # one container field per entry
    assert lund.raw("title") == "Gait sensors for hamstring load \\% estimates: a pilot"
    assert lund.raw("pages") == "77--84" and lund.raw("publisher") == "ACM"


def test_update_notices_are_recorded_once_and_editor_items_kept(bib, fake, tmp_path):
    report, _ = resolve_all(bib, fake, tmp_path)
    refs = load_references(bib)
    storm = refs.get("storm2019")
    assert storm.raw("updates") == (
        "retraction 10.5555/evidence.retraction-notice.3 2023-02-10 publisher record=45678; "
        "expression_of_concern 10.5555/evidence.eoc.3 2022-08-01 retraction-watch record=45001")
    assert storm.retracted
    holm = refs.get("holm2022")
    # the editor's item stays where it was; Crossref's new notice comes after it
    assert [(u.update_type, u.origin) for u in holm.updates] == [
        ("expression_of_concern", "editor"), ("correction", "publisher")]
    assert not holm.retracted
    assert holm.raw("pages") == "e1234"  # article number
    storm_outcome = next(o for o in report.outcomes if o.key == "storm2019")
    assert [u.update_type for u in storm_outcome.updates] == ["retraction",
                                                              "expression_of_concern"]


def test_alias_records_canonical_doi_and_keeps_the_old_one(bib, fake, tmp_path):
    report, _ = resolve_all(bib, fake, tmp_path)
    source = load_references(bib).get("ostergaard2024")
    assert source.raw("doi") == "10.5555/evidence.preprint.4.v2"
    assert source.raw("doialias") == "10.5555/evidence.preprint.4"
    assert source.raw("orcids") == "0000-0003-1415-9265"
    outcome = next(o for o in report.outcomes if o.key == "ostergaard2024")
    assert outcome.canonical == "10.5555/evidence.preprint.4.v2"


def test_second_run_changes_nothing_and_sends_no_request(bib, fake, tmp_path):
    resolve_all(bib, fake, tmp_path)
    first = bib.read_text(encoding="utf-8")
    requests = fake.count()
    report, _ = resolve_all(bib, fake, tmp_path)
    assert bib.read_text(encoding="utf-8") == first
    # only the unregistered DOI is asked again (404s are not cached)
    assert fake.count() - requests == 1 and report.requests == 1
    assert all(o.status == "unchanged" for o in report.outcomes if not o.failed)


def test_missing_selects_only_entries_not_from_crossref(bib, fake, tmp_path):
    resolve_all(bib, fake, tmp_path)
    refs = load_references(bib)
    chosen, _ = select_entries(refs, [])
    assert [s.key for s in chosen] == ["ghost2020"]


def test_named_entries_by_citekey_and_doi(bib, fake, tmp_path):
    refs = load_references(bib)
    chosen, problems = select_entries(refs, ["storm2019", "https://doi.org/10.5555/EVIDENCE.PROC.7",
                                             "10.5555/elsewhere", "nosuchkey", "anatomy1918"])
    assert [s.key for s in chosen] == ["storm2019", "lund2019"]
    messages = [p.message for p in problems]
    assert "10.5555/elsewhere: not in references.bib; add it with `evidence add`" in messages
    assert any(m.startswith("nosuchkey: not in references.bib") for m in messages)
    assert any(m.startswith("anatomy1918: has no (valid) doi field") for m in messages)
    # after resolving, the old alias DOI still names the entry
    resolve_all(bib, fake, tmp_path)
    chosen, _ = select_entries(load_references(bib), ["10.5555/evidence.preprint.4"])
    assert [s.key for s in chosen] == ["ostergaard2024"]


def test_fields_crossref_lacks_are_kept_on_manual_entries_only(tmp_path, fake):
    bib = tmp_path / "references.bib"
    bib.write_text(textwrap.dedent("""\
        @article{holm2022,
          author = {Holm, L.},
          title = {Hamstring strength in runners with knee pain},
          journal = {Sports Med Open Res},
          year = {2022},
          number = {3},
          doi = {10.5555/evidence.corrected.2},
          metadatasource = {manual}
        }

        @article{again2022,
          author = {Holm, L.},
          title = {Hamstring strength in runners with knee pain},
          year = {2022},
          number = {3},
          doi = {10.9999/evidence.chapter.5},
          metadatasource = {crossref 2025-01-01},
          fieldhashes = {number:NUMBER}
        }
        """).replace("NUMBER", value_hash("3")), encoding="utf-8")
    resolve_all(bib, fake, tmp_path)
    refs = load_references(bib)
    assert refs.get("holm2022").raw("number") == "3"  # typed by hand: kept
    assert refs.get("again2022").raw("number") is None  # written by evidence: removed


def test_duplicate_after_alias_is_refused(tmp_path, fake):
    bib = tmp_path / "references.bib"
    bib.write_text(textwrap.dedent("""\
        @misc{old,
          title = {Running load},
          doi = {10.5555/evidence.preprint.4}
        }

        @misc{new,
          title = {Running load},
          doi = {10.5555/evidence.preprint.4.v2}
        }
        """), encoding="utf-8")
    report, _ = resolve_all(bib, fake, tmp_path)
    old = next(o for o in report.outcomes if o.key == "old")
    assert old.failed and "already the DOI of new" in old.message
    assert load_references(bib).get("old").raw("doi") == "10.5555/evidence.preprint.4"


# -- add --------------------------------------------------------------------


def test_citekeys():
    assert ascii_fold("Ærø Østergård Müller Ångström Straße") == "AEro Ostergaard Muller AAngstrom Strasse"
    work = map_work(fixture("article_orcid"))
    assert citekey_base(work) == "aero2021"
    assert citekey_base(map_work(fixture("preprint_v2"))) == "ostergaard2024"
    org = map_work({"DOI": "10.5555/who", "type": "report", "issued": {"date-parts": [[2020]]},
                    "author": [{"name": "World Health Organization"}], "title": ["Guidance"]})
    assert citekey_base(org) == "who2020"
    anonymous = map_work({"DOI": "10.5555/anon", "type": "other", "title": ["The <i>Knee</i>"]})
    assert citekey_base(anonymous) == "kneend"
    assert unique_citekey("holm2022", {"Holm2022", "holm2022a"}) == "holm2022b"
    assert unique_citekey("x2020", {f"x2020{c}" for c in "abcdefghijklmnopqrstuvwxyz"} | {"x2020"}) == "x2020aa"


def test_add_generates_unique_keys_and_reports_present_dois(tmp_path, fake):
    bib = tmp_path / "references.bib"
    bib.write_text(BIB, encoding="utf-8")
    second_holm = {**fixture("corrected"), "DOI": "10.5555/evidence.holm.again", "updated-by": []}
    fake.add_work(second_holm)
    refs = load_references(bib)
    report = add_dois(refs, client(fake, tmp_path), [
        "10.9999/evidence.chapter.5", "10.5555/evidence.holm.again", "10.5555/EVIDENCE.ARTICLE.1",
        "10.5555/evidence.holm.again", "10.5555/not.registered", "nonsense"],
        today=TODAY, show_progress=False)
    statuses = [(o.doi, o.status, o.key) for o in report.outcomes]
    assert statuses == [
        ("10.9999/evidence.chapter.5", "added", "berg2017"),
        ("10.5555/evidence.holm.again", "added", "holm2022a"),
        ("10.5555/evidence.article.1", "present", "aero2021"),
        ("10.5555/not.registered", "present", "ghost2020"),
        ("nonsense", "failed", None),
    ]
    refs = load_references(bib)
    berg = refs.get("berg2017")
    assert berg.entry_type == "incollection"
    assert [f.key for f in berg.entry.fields] == [
        "author", "editor", "title", "booktitle", "year", "pages", "publisher", "isbn", "doi",
        "metadatasource", "fieldhashes"]
    hashes = FieldHashes.parse(berg.raw("fieldhashes"))
    assert set(hashes.hashes) == {"author", "editor", "title", "booktitle", "year", "pages",
                                  "publisher", "isbn", "entrytype"}
    assert all(hashes.written(f.key, str(f.value)) for f in berg.entry.fields
               if f.key in hashes)
    assert refs.get("holm2022a").raw("doi") == "10.5555/evidence.holm.again"
    assert len(refs.sources) == 9


def test_add_an_alias_of_a_present_doi_is_reported(tmp_path, fake):
    bib = tmp_path / "references.bib"
    bib.write_text("@misc{v2,\n  title = {Running load},\n  doi = {10.5555/evidence.preprint.4.v2}\n}\n",
                   encoding="utf-8")
    report = add_dois(load_references(bib), client(fake, tmp_path),
                      ["10.5555/evidence.preprint.4"], today=TODAY, show_progress=False)
    [outcome] = report.outcomes
    assert outcome.status == "present" and outcome.key == "v2"
    assert "alias of 10.5555/evidence.preprint.4.v2" in outcome.message


def test_add_records_the_alias(tmp_path, fake):
    bib = tmp_path / "references.bib"
    bib.write_text("% empty\n", encoding="utf-8")
    add_dois(load_references(bib), client(fake, tmp_path), ["10.5555/evidence.preprint.4"],
             today=TODAY, show_progress=False)
    source = load_references(bib).get("ostergaard2024")
    assert source.raw("doi") == "10.5555/evidence.preprint.4.v2"
    assert source.raw("doialias") == "10.5555/evidence.preprint.4"
    assert bib.read_text(encoding="utf-8").startswith("% empty\n")


# -- interruption -----------------------------------------------------------


def bulk_bib(path: Path, count: int) -> list[str]:
    dois = [f"10.5555/bulk.{i}" for i in range(count)]
    entries = [textwrap.dedent(f"""\
        @article{{bulk{i},
          author = {{Someone, S.}},
          title = {{Placeholder {i}}},
          year = {{2000}},
          doi = {{{doi}}},
          studydesign = {{cohort}},
          metadatasource = {{manual}}
        }}
        """) for i, doi in enumerate(dois)]
    path.write_text("% bulk\n\n" + "\n".join(entries), encoding="utf-8")
    return dois


def serve_bulk(fake: FakeCrossref, dois: list[str]) -> None:
    for i, doi in enumerate(dois):
        fake.add_work({**fixture("article_orcid"), "DOI": doi,
                       "title": [f"Bulk work number {i}"], "volume": str(i)})


def assert_each_entry_before_or_after(path: Path, before: Path, after: Path) -> tuple[int, int]:
    def snapshot(p):
        refs = load_references(p)
        return {s.key: (s.entry_type, [(f.key, f.value) for f in s.entry.fields])
                for s in refs.sources}

    now, old, new = snapshot(path), snapshot(before), snapshot(after)
    assert set(now) == set(old)
    updated = 0
    for key, state in now.items():
        assert state in (old[key], new[key]), key
        updated += state == new[key] and state != old[key]
    return updated, len(now) - updated


def test_ctrl_c_mid_batch_keeps_entries_whole(tmp_path):
    count = 30
    original = tmp_path / "original.bib"
    dois = bulk_bib(original, count)
    complete = tmp_path / "complete" / "references.bib"
    complete.parent.mkdir()
    complete.write_text(original.read_text(encoding="utf-8"), encoding="utf-8")
    bib = tmp_path / "references.bib"
    bib.write_text(original.read_text(encoding="utf-8"), encoding="utf-8")
    with FakeCrossref(limit=100, concurrency=3, latency=0.01) as fake:
        serve_bulk(fake, dois)
        resolve_all(complete, fake, tmp_path / "other")  # the fully updated file
        fake.requests.clear()

        def interrupt(seen):
            if len(fake.requests) == 12:
                os.kill(os.getpid(), signal.SIGINT)

        fake.on_request = interrupt
        refs = load_references(bib)
        sources, _ = select_entries(refs, [], everything=True)
        with pytest.raises(KeyboardInterrupt):
            resolve_references(refs, client(fake, tmp_path), sources, today=TODAY,
                               show_progress=False)
        fake.on_request = None
        updated, untouched = assert_each_entry_before_or_after(bib, original, complete)
        assert updated >= 5 and untouched >= 1  # what was fetched before Ctrl-C was kept
        asked = fake.count()
        # the cache is usable: finishing the batch asks only for what is missing
        report, _ = resolve_all(bib, fake, tmp_path)
        assert not report.failures
        assert fake.count() - asked <= count - updated
        assert bib.read_text(encoding="utf-8") == complete.read_text(encoding="utf-8")


@pytest.mark.parametrize("how", ["SIGKILL", "SIGINT"])
def test_killed_process_leaves_a_valid_file(tmp_path, how):
    count = 40
    original = tmp_path / "original.bib"
    dois = bulk_bib(original, count)
    project = tmp_path / "project"
    project.mkdir()
    bib = project / "references.bib"
    bib.write_text(original.read_text(encoding="utf-8"), encoding="utf-8")
    complete = tmp_path / "complete" / "references.bib"
    complete.parent.mkdir()
    complete.write_text(original.read_text(encoding="utf-8"), encoding="utf-8")
    with FakeCrossref(limit=20, concurrency=3, latency=0.02) as fake:
        serve_bulk(fake, dois)
        resolve_all(complete, fake, tmp_path / "other")
        # the subprocess writes today's date: make the expected file say the same
        text = complete.read_text(encoding="utf-8").replace(
            f"crossref {TODAY}", f"crossref {time.strftime('%Y-%m-%d')}")
        complete.write_text(text, encoding="utf-8")
        fake.requests.clear()
        env = {**os.environ, "EVIDENCE_CROSSREF_URL": fake.url,
               "EVIDENCE_CACHE_DIR": str(tmp_path / "cache"), "EVIDENCE_MAILTO": "t@example.org"}
        proc = subprocess.Popen(
            [sys.executable, "-c", "from evidence.cli import cli; cli()", "resolve", "--all",
             "--project", str(project)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while fake.count() < 30 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL if how == "SIGKILL" else signal.SIGINT)
        _out, err = proc.communicate(timeout=20)
        if how == "SIGINT":
            assert proc.returncode == 130, err.decode()
            assert b"interrupted" in err
        updated, untouched = assert_each_entry_before_or_after(bib, original, complete)
        assert updated >= 1 and untouched >= 1
        assert not list(project.glob(".references.bib.*"))  # no temp file left behind


# -- command line -----------------------------------------------------------


@pytest.fixture
def env(fake, tmp_path):
    return {"EVIDENCE_CROSSREF_URL": fake.url, "EVIDENCE_CACHE_DIR": str(tmp_path / "cache"),
            "EVIDENCE_MAILTO": "cli@example.org"}


def test_cli_resolve_reports_and_exits_1_on_failures(bib, fake, env):
    result = CliRunner().invoke(cli, ["resolve", "--project", str(bib.parent)], env=env)
    assert result.exit_code == 1, result.output
    out = result.output
    assert "updated aero2021: author, orcids, title, journal" in out
    assert "updated ostergaard2024 (alias of 10.5555/evidence.preprint.4.v2)" in out
    assert "WARNING: storm2019 has a retraction 10.5555/evidence.retraction-notice.3" in out
    assert "note: holm2022 has a correction" in out
    assert "Failed:\n  10.5555/not.registered: DOI not registered with Crossref" in out
    assert "5 resolved, 5 updated, 0 unchanged, 1 failed" in out
    assert "mailto:cli@example.org" in fake.requests[0].user_agent


def test_cli_offline_uses_the_cache_only(bib, fake, env):
    runner = CliRunner()
    result = runner.invoke(cli, ["resolve", "--offline", "--project", str(bib.parent)], env=env)
    assert result.exit_code == 1
    assert fake.count() == 0
    assert "10.5555/evidence.article.1: not in the cache; run without --offline" in result.output
    runner.invoke(cli, ["resolve", "aero2021", "--project", str(bib.parent)], env=env)
    asked = fake.count()
    result = runner.invoke(cli, ["resolve", "--all", "--offline", "aero2021",
                                 "--project", str(bib.parent)], env=env)
    assert result.exit_code == 2  # --all and names exclude each other
    result = runner.invoke(cli, ["resolve", "--offline", "--refresh", "aero2021",
                                 "--project", str(bib.parent)], env=env)
    assert result.exit_code == 1 and "exclude each other" in result.output
    result = runner.invoke(cli, ["resolve", "aero2021", "--offline",
                                 "--project", str(bib.parent)], env=env)
    assert result.exit_code == 0, result.output
    assert fake.count() == asked
    assert "0 requests to Crossref" in result.output


def test_cli_nothing_to_resolve(tmp_path, fake, env):
    (tmp_path / "references.bib").write_text(
        "@misc{a,\n  title = {A},\n  doi = {10.5555/a},\n  metadatasource = {crossref 2026-01-01}\n}\n",
        encoding="utf-8")
    result = CliRunner().invoke(cli, ["resolve", "--project", str(tmp_path)], env=env)
    assert result.exit_code == 0 and "Nothing to resolve" in result.output
    assert fake.count() == 0


def test_cli_add(bib, fake, env):
    result = CliRunner().invoke(cli, ["add", "10.9999/evidence.chapter.5", "10.5555/evidence.proc.7",
                                      "--project", str(bib.parent)], env=env)
    assert result.exit_code == 0, result.output
    assert "added berg2017: 10.9999/evidence.chapter.5" in result.output
    assert "present: 10.5555/evidence.proc.7 is already in references.bib as lund2019" in result.output
    assert "berg2017" in load_references(bib)


GUIDE = """\
# Test guide

Some text.

## Kilder

- Ærø S, van der Berg ML, Müller J, et al. Eccentric loading of the semimembranosus tendon & pain: a randomised trial. J Tendon Res. 2021;12(5):241-7. DOI: 10.5555/evidence.article.1
- Berg H. Tendon anatomy of the knee. In: Dahl E, ed. Handbook of Knee Pain. Example Books; 2017:101-130. DOI: 10.9999/evidence.chapter.5
- Storm K. Platelet-rich plasma cures all tendinopathies. J Tendon Res. 2019;10(1):1-9. DOI: 10.5555/evidence.retracted.3
"""


@pytest.mark.parametrize("heading", ["Kilder", "Kildeliste", "References"])
def test_cli_add_from_guide(bib, fake, env, heading):
    guide = bib.parent / "claims" / "testguide" / "guide.md"
    guide.parent.mkdir(parents=True)
    guide.write_text(GUIDE.replace("## Kilder", f"## {heading}"), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["add", "--from-guide", "testguide", "--project", str(bib.parent)],
                           env=env)
    assert result.exit_code == 0, result.output
    assert "added aero2021a" not in result.output  # 10.5555/evidence.article.1 is present
    assert "added berg2017: 10.9999/evidence.chapter.5" in result.output
    assert "1 added" in result.output
    result = runner.invoke(cli, ["add", "--from-guide", str(guide), "--project", str(bib.parent)],
                           env=env)
    assert result.exit_code == 0 and "Every DOI printed" in result.output
    result = runner.invoke(cli, ["add", "--from-guide", "nosuch", "--project", str(bib.parent)],
                           env=env)
    assert result.exit_code == 1 and "no guide 'nosuch'" in result.output


def test_cli_progress_bar_for_larger_batches(tmp_path):
    dois = bulk_bib(tmp_path / "references.bib", 8)
    with FakeCrossref() as fake:
        serve_bulk(fake, dois)
        env = {"EVIDENCE_CROSSREF_URL": fake.url, "EVIDENCE_CACHE_DIR": str(tmp_path / "c")}
        result = CliRunner().invoke(cli, ["resolve", "--project", str(tmp_path)], env=env)
    assert result.exit_code == 0, result.output
    assert "8 resolved, 8 updated" in result.output
    assert parse_updates("") == []


def test_a_retraction_found_by_resolve_reaches_the_database(tmp_path, fake):
    """End to end: resolve records the notices, the build makes them source_updates
    rows and the retracted flag, and the retracted source no longer supports the claim."""
    import sqlite3

    from evidence.database.build import build
    from tests.conftest import write_project

    project = write_project(tmp_path / "project")
    fake.add_work({**fixture("retracted"), "DOI": "10.1234/test.2020.1"})
    env = {"EVIDENCE_CROSSREF_URL": fake.url, "EVIDENCE_CACHE_DIR": str(tmp_path / "cache")}
    result = CliRunner().invoke(cli, ["resolve", "--project", str(project)], env=env)
    assert result.exit_code == 0, result.output
    assert "WARNING: smith2020 has a retraction" in result.output
    database = build(project).database
    with sqlite3.connect(database) as db:
        assert db.execute("select retracted from sources where id = 'smith2020'").fetchone() == (1,)
        rows = db.execute("select update_type, notice_doi, updated, origin from source_updates "
                          "where source_id = 'smith2020' order by update_type").fetchall()
        assert rows == [
            ("expression_of_concern", "10.5555/evidence.eoc.3", "2022-08-01", "retraction-watch"),
            ("retraction", "10.5555/evidence.retraction-notice.3", "2023-02-10", "publisher")]
        assert db.execute("select basis from claims where id = 't-loading'").fetchone() == (
            "unsupported",)


def test_ctrl_c_does_not_wait_for_a_hanging_request(tmp_path):
    (tmp_path / "references.bib").write_text(
        "@misc{slow,\n  title = {Slow},\n  doi = {10.5555/slow}\n}\n", encoding="utf-8")
    with FakeCrossref() as fake:
        fake.add("10.5555/slow", Reply(body=envelope({**fixture("corrected"),
                                                      "DOI": "10.5555/slow"}), delay=20))
        env = {**os.environ, "EVIDENCE_CROSSREF_URL": fake.url,
               "EVIDENCE_CACHE_DIR": str(tmp_path / "cache")}
        proc = subprocess.Popen(
            [sys.executable, "-c", "from evidence.cli import cli; cli()", "resolve",
             "--project", str(tmp_path)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while fake.count() < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        started = time.monotonic()
        _out, err = proc.communicate(timeout=15)
        assert proc.returncode == 130, err.decode()
        assert time.monotonic() - started < 5
    assert "metadatasource" not in (tmp_path / "references.bib").read_text(encoding="utf-8")
