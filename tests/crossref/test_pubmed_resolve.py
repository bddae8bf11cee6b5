"""`evidence resolve` records PubMed's publication types (pubtypes): a loopback Crossref
and a loopback E-utilities server, through the real clients and the command line."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from evidence.bib.references import load_references
from evidence.cli import cli
from tests.crossref_support import FakeCrossref, fixture
from tests.pubmed_support import FakePubMed, closed_port_url

BIB = """\
% Editors' comments stay.
@article{trial2020,
  author = {Smith, John},
  title = {Loading for tendinopathy},
  journal = {J Test},
  year = {2020},
  doi = {10.5555/pm.trial},
  studydesign = {case-report},
  metadatasource = {manual}
}

@article{review2021,
  author = {Jones, Ann},
  title = {Loading: a meta-analysis},
  journal = {J Test},
  year = {2021},
  doi = {10.5555/pm.review},
  metadatasource = {manual}
}

@book{book2019,
  author = {Berg, H.},
  title = {A book PubMed does not know},
  year = {2019},
  doi = {10.5555/pm.book},
  metadatasource = {manual}
}
"""
DOIS = ("10.5555/pm.trial", "10.5555/pm.review", "10.5555/pm.book")


@pytest.fixture
def crossref():
    with FakeCrossref() as fake:
        for doi in DOIS:
            fake.add_work({**fixture("corrected"), "DOI": doi, "update-to": [],
                           "updated-by": []})
        yield fake


@pytest.fixture
def pubmed():
    with FakePubMed() as fake:
        fake.add("10.5555/pm.trial", ["Journal Article", "Randomized Controlled Trial"],
                 pmid="29963580")
        fake.add("10.5555/PM.REVIEW", ["Journal Article", "Review", "Meta-Analysis"],
                 pmid="31000001")
        yield fake


@pytest.fixture
def bib(tmp_path):
    path = tmp_path / "project" / "references.bib"
    path.parent.mkdir()
    path.write_text(BIB, encoding="utf-8")
    return path


def env_for(crossref, url, tmp_path, **more):
    return {"EVIDENCE_CROSSREF_URL": crossref.url, "EVIDENCE_PUBMED_URL": url,
            "EVIDENCE_CACHE_DIR": str(tmp_path / "cache"), "EVIDENCE_MAILTO": "ed@example.org",
            **more}


def resolve(bib, env, *args):
    return CliRunner().invoke(cli, ["resolve", *args, "--project", str(bib.parent)], env=env)


def test_resolve_records_pubtypes_and_a_second_run_asks_nothing(bib, crossref, pubmed, tmp_path):
    env = env_for(crossref, pubmed.url, tmp_path)
    result = resolve(bib, env)
    assert result.exit_code == 0, result.output
    refs = load_references(bib)
    trial = refs.get("trial2020")
    assert trial.raw("pubtypes") == "pmid 29963580: Journal Article; Randomized Controlled Trial"
    assert trial.entry.fields[-1].key == "pubtypes"  # a new field goes at the end
    assert trial.raw("studydesign") == "case-report"  # never set, never changed
    assert refs.get("review2021").raw("pubtypes") == (
        "pmid 31000001: Journal Article; Review; Meta-Analysis")
    assert refs.get("book2019").raw("pubtypes") is None  # no PubMed record: no field
    assert refs.get("review2021").raw("studydesign") is None
    assert ("PubMed: publication types for 2 of 3 DOI(s), 1 without a PubMed record, "
            "2 entries changed; 2 requests to PubMed.") in result.output
    assert pubmed.count("esearch.fcgi") == 1 and len(pubmed.requests[0].dois) == 3
    assert pubmed.requests[0].params["email"] == "ed@example.org"
    assert "% Editors' comments stay." in bib.read_text(encoding="utf-8")
    text = bib.read_text(encoding="utf-8")

    asked = pubmed.count()
    result = resolve(bib, env, "--all")
    assert result.exit_code == 0, result.output
    assert pubmed.count() == asked  # every answer, the missing record too, from the cache
    assert bib.read_text(encoding="utf-8") == text


def test_unreachable_pubmed_resolve_succeeds_says_so_once_and_asks_again(
        bib, crossref, pubmed, tmp_path):
    result = resolve(bib, env_for(crossref, closed_port_url(), tmp_path))
    assert result.exit_code == 0, result.output
    assert "3 resolved, 3 updated, 0 unchanged, 0 failed" in result.output
    pubmed_lines = [line for line in result.output.splitlines() if line.startswith("PubMed")]
    assert len(pubmed_lines) == 2, result.output  # the summary and one line on the failure
    assert ("PubMed: 3 entries left without an answer (PubMed did not answer after 3 attempts"
            in pubmed_lines[1]) and "asks again next run" in pubmed_lines[1]
    assert "pubtypes" not in bib.read_text(encoding="utf-8")

    # The next plain resolve has nothing to fetch from Crossref, but asks PubMed again.
    result = resolve(bib, env_for(crossref, pubmed.url, tmp_path))
    assert result.exit_code == 0, result.output
    assert "Nothing to resolve" in result.output
    assert pubmed.count("esearch.fcgi") == 1
    assert load_references(bib).get("trial2020").raw("pubtypes").startswith("pmid 29963580:")


def test_no_pubmed_sends_no_request(bib, crossref, pubmed, tmp_path):
    result = resolve(bib, env_for(crossref, pubmed.url, tmp_path), "--no-pubmed")
    assert result.exit_code == 0, result.output
    assert pubmed.count() == 0 and "PubMed:" not in result.output
    assert "pubtypes" not in bib.read_text(encoding="utf-8")


def test_api_key_from_the_environment(bib, crossref, pubmed, tmp_path):
    env = env_for(crossref, pubmed.url, tmp_path, EVIDENCE_NCBI_API_KEY="k-123")
    assert resolve(bib, env).exit_code == 0
    assert {r.params.get("api_key") for r in pubmed.requests} == {"k-123"}


def test_a_record_no_longer_found_removes_the_field_an_error_keeps_it(
        bib, crossref, pubmed, tmp_path):
    env = env_for(crossref, pubmed.url, tmp_path)
    assert resolve(bib, env).exit_code == 0
    pubmed.records.clear()  # PubMed no longer finds the DOIs
    failing = {**env, "EVIDENCE_PUBMED_URL": closed_port_url()}
    assert resolve(bib, failing, "--all", "--refresh").exit_code == 0
    assert load_references(bib).get("trial2020").raw("pubtypes")  # an error changes nothing
    result = resolve(bib, env, "--all", "--refresh")
    assert result.exit_code == 0, result.output
    assert load_references(bib).get("trial2020").raw("pubtypes") is None


def test_offline_uses_the_pubmed_cache_only(bib, crossref, pubmed, tmp_path):
    env = env_for(crossref, pubmed.url, tmp_path)
    assert resolve(bib, env, "--no-pubmed").exit_code == 0
    result = resolve(bib, env, "--all", "--offline")
    assert result.exit_code == 0, result.output
    assert pubmed.count() == 0
    assert "not in the PubMed cache (--offline)" in result.output


def test_the_nightly_updates_run_records_pubmed_types_too(crossref, pubmed, bib, tmp_path):
    """`resolve --updates` asks PubMed as well (issue: "resolve (and --updates)"),
    touching only the notices and pubtypes; --no-pubmed sends PubMed nothing."""
    env = env_for(crossref, pubmed.url, tmp_path)
    skipped = resolve(bib, env, "--updates", "--no-pubmed")
    assert skipped.exit_code == 0, skipped.output
    assert pubmed.requests == [] and "pubtypes" not in bib.read_text(encoding="utf-8")

    result = resolve(bib, env, "--updates")
    assert result.exit_code == 0, result.output
    assert "PubMed: publication types for 2 of 3 DOI(s)" in result.output
    refs = load_references(bib)
    assert refs.get("trial2020").raw("pubtypes") == (
        "pmid 29963580: Journal Article; Randomized Controlled Trial")
    assert refs.get("book2019").raw("pubtypes") is None
    assert refs.get("trial2020").raw("title") == "Loading for tendinopathy"  # no bibliographic field
