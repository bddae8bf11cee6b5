"""evidence resolve --updates: notices asked anew from a loopback Crossref, recorded in
`updates`, reversals held until an editor confirms them."""

from __future__ import annotations

import copy
from datetime import date

import pytest
from click.testing import CliRunner

from evidence.bib.references import load_references, parse_updates
from evidence.check.run import check_project
from evidence.cli import cli
from evidence.crossref.client import CrossrefClient
from evidence.crossref.monitor import batches, check_updates
from evidence.crossref.notices import merge_notices
from evidence.crossref.retry import RetryPolicy
from evidence.project import load_project
from tests.conftest import write_project
from tests.crossref_support import FakeCrossref, Reply, envelope, fixture

FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02)
TODAY = date.today().isoformat()
CITED = "10.1234/test.2020.1"  # smith2020, which claim t-loading cites
UNCITED = "10.5555/evidence.article.1"

BIB = """\
% test references
@article{smith2020,
  author = {Smith, John},
  title = {Loading for tendinopathy: a {randomised} trial},
  journal = {J Test},
  year = {2020},
  doi = {10.1234/test.2020.1},
  studydesign = {randomised-trial},
  metadatasource = {manual}
}

@article{aero2021,
  author = {Aero, S.},
  title = {Eccentric loading},
  journal = {J Tendon Res},
  year = {2021},
  doi = {10.5555/evidence.article.1},
  studydesign = {cohort},
  metadatasource = {manual}
}
"""

RETRACTION_RW = {"DOI": "10.1234/notice.9", "type": "retraction", "label": "Retraction",
                 "source": "retraction-watch",
                 "updated": {"date-parts": [[2026, 11, 30]], "date-time": "2026-11-30T00:00:00Z",
                             "timestamp": 1796083200000},
                 "record-id": "61234"}
PARTIAL = {"DOI": "10.5555/notice.partial", "type": "partial_retraction",
           "label": "Partial retraction", "source": "publisher",
           "updated": {"date-parts": [[2026, 10, 2]]}}


def work(doi: str, *notices: dict) -> dict:
    message = copy.deepcopy(fixture("article_orcid"))
    message["DOI"] = doi
    message["updated-by"] = list(notices)
    return message


def serve(fake: FakeCrossref, doi: str, *notices: dict) -> None:
    fake.add_work(work(doi, *notices))


def run(project, fake, *args):
    result = CliRunner().invoke(cli, ["resolve", "--project", str(project), *args],
                                env={"EVIDENCE_CROSSREF_URL": fake.url,
                                     "EVIDENCE_CACHE_DIR": str(project / "cache"),
                                     "EVIDENCE_MAILTO": "tests@example.org"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def fields_but_updates(project, key):
    source = load_references(project / "references.bib").get(key)
    return [(f.key, f.value) for f in source.entry.fields if f.key != "updates"]


def codes_for(project, key):
    _, findings = check_project(project)
    return sorted((f.code, f.claim_id) for f in findings if f.source_id == key
                  and f.code.startswith("source-") and f.code != "source-no-study-design")


@pytest.fixture
def project(tmp_path):
    return write_project(tmp_path, bib=BIB)


@pytest.fixture
def fake():
    with FakeCrossref() as server:
        serve(server, CITED)
        serve(server, UNCITED)
        yield server


def test_a_retraction_published_later_is_seen_with_a_warm_cache(project, fake):
    assert run(project, fake, "--all").exit_code == 0  # resolved: the cache is warm
    before = {k: fields_but_updates(project, k) for k in ("smith2020", "aero2021")}
    text_before = (project / "references.bib").read_text(encoding="utf-8")
    quiet = run(project, fake, "--updates")
    assert quiet.exit_code == 0, quiet.output
    assert "nothing new since the last run" in quiet.output
    assert (project / "references.bib").read_text(encoding="utf-8") == text_before

    serve(fake, CITED, RETRACTION_RW)  # the retraction appears after the source was added
    asked = fake.count()
    result = run(project, fake, "--updates")
    assert result.exit_code == 3, result.output
    assert fake.count() > asked  # asked anew, not answered from the cache
    assert "new: smith2020 has a retraction 10.1234/notice.9 of 2026-11-30 " \
           "(retraction-watch, record 61234) (cited by a claim" in result.output
    smith = load_references(project / "references.bib").get("smith2020")
    assert smith.raw("updates") == "retraction 10.1234/notice.9 2026-11-30 retraction-watch " \
                                   "record=61234"
    assert smith.retracted
    # no bibliographic field written, on either entry
    assert {k: fields_but_updates(project, k) for k in before} == before

    again = run(project, fake, "--updates")  # the next night: nothing new
    assert again.exit_code == 0 and "nothing new since the last run" in again.output


def test_a_vanished_retraction_is_a_reversal_that_counts_until_confirmed(project, fake):
    serve(fake, CITED, RETRACTION_RW)
    assert run(project, fake, "--updates").exit_code == 3
    serve(fake, CITED)  # Crossref no longer lists it
    result = run(project, fake, "--updates")
    assert result.exit_code == 0, result.output
    assert "reversed: smith2020: Crossref no longer lists the retraction 10.1234/notice.9" \
           in result.output
    assert "evidence resolve --confirm-reversal smith2020" in result.output
    [update] = load_references(project / "references.bib").get("smith2020").updates
    assert (update.reversed, update.confirmed, update.record_id) == (TODAY, None, "61234")

    # still retracted: for the grade, the pins and the check
    loaded = load_project(project)
    claim = loaded.guides[0].claims[1]
    assert loaded.references.get("smith2020").retracted
    assert loaded.grade(claim).basis == "unsupported"
    assert loaded.pin_values(loaded.guides[0], claim).sources[0].retracted
    assert codes_for(project, "smith2020") == [("source-notice-reversed", "t-loading"),
                                               ("source-retracted", "t-loading")]
    # a later resolve of the record keeps the reversed notice (it used to drop it)
    assert run(project, fake, "--all", "--refresh").exit_code == 0
    assert load_references(project / "references.bib").get("smith2020").updates == [update]
    # another night without it changes nothing
    assert "nothing new" in run(project, fake, "--updates").output

    confirmed = run(project, fake, "--confirm-reversal", "smith2020")
    assert confirmed.exit_code == 0, confirmed.output
    assert "confirmed: smith2020" in confirmed.output
    smith = load_references(project / "references.bib").get("smith2020")
    assert smith.raw("updates") == ("retraction 10.1234/notice.9 2026-11-30 retraction-watch "
                                    f"record=61234 reversed={TODAY} confirmed={TODAY}")
    assert not smith.retracted
    assert codes_for(project, "smith2020") == []
    assert load_project(project).grade(claim).basis == "trial"
    nothing = run(project, fake, "--confirm-reversal", "smith2020")
    assert nothing.exit_code == 1 and "no reversed notice awaits confirmation" in nothing.output


def test_a_retraction_listed_again_counts_again(project, fake):
    serve(fake, CITED, RETRACTION_RW)
    run(project, fake, "--updates")
    serve(fake, CITED)
    run(project, fake, "--updates")
    serve(fake, CITED, RETRACTION_RW)
    result = run(project, fake, "--updates")
    assert "listed again: smith2020" in result.output
    [update] = load_references(project / "references.bib").get("smith2020").updates
    assert update.reversed is None and update.withdraws


def test_a_partial_retraction_is_reported_on_the_source_and_its_claims(project, fake):
    serve(fake, CITED, PARTIAL)
    serve(fake, UNCITED, PARTIAL)
    result = run(project, fake, "--updates")
    assert result.exit_code == 0, result.output  # reported, not blocking
    assert "new: smith2020 has a partial retraction 10.5555/notice.partial" in result.output
    assert codes_for(project, "smith2020") == [("source-partially-retracted", "t-loading")]
    assert ("source-partially-retracted", None) in codes_for(project, "aero2021")
    assert not load_references(project / "references.bib").get("smith2020").retracted


@pytest.mark.parametrize("kind", ["withdrawal", "removal"])
def test_withdrawal_and_removal_block_like_a_retraction(project, fake, kind):
    serve(fake, CITED, dict(RETRACTION_RW, type=kind, source="publisher"))
    assert run(project, fake, "--updates").exit_code == 3
    assert codes_for(project, "smith2020") == [("source-retracted", "t-loading")]


def test_a_blocking_notice_on_an_uncited_source_exits_0(project, fake):
    serve(fake, UNCITED, RETRACTION_RW)
    result = run(project, fake, "--updates")
    assert result.exit_code == 0, result.output
    assert "(cited by no claim)" in result.output


def test_a_failed_lookup_exits_1_naming_the_doi(project, fake):
    fake.routes.pop(UNCITED)  # 404: missing from the list, then asked on its own
    serve(fake, CITED, RETRACTION_RW)
    result = run(project, fake, "--updates")
    assert result.exit_code == 1, result.output
    assert f"{UNCITED}: DOI not registered with Crossref" in result.output
    # what could be asked was recorded anyway
    assert load_references(project / "references.bib").get("smith2020").retracted


def test_many_dois_go_in_few_requests(tmp_path):
    dois = [f"10.5555/bulk.{n}" for n in range(120)]
    bib = "".join(f"@article{{k{n},\n  title = {{T}},\n  doi = {{{d}}}\n}}\n\n"
                  for n, d in enumerate(dois))
    (tmp_path / "references.bib").write_text(bib, encoding="utf-8")
    refs = load_references(tmp_path / "references.bib")
    with FakeCrossref() as fake:
        for doi in dois:
            serve(fake, doi, *([PARTIAL] if doi.endswith(".7") else []))
        client = CrossrefClient(fake.url, "tests@example.org", retry=FAST, timeout=5, refresh=True)
        report = check_updates(refs, client, refs.sources, today=TODAY)
        assert len(fake.list_queries()) == fake.count() == report.requests == 3
    assert [c.key for c in report.changed] == ["k7"]
    assert not report.failures
    assert load_references(tmp_path / "references.bib").get("k7").updates[0].update_type == \
        "partial_retraction"


@pytest.mark.parametrize("fault", [
    Reply(200, "<html>busy</html>", "text/html"),
    Reply(200, '{"status": "ok", "message": {"items": ['),
    Reply(200, ""),
    Reply(body={"status": "error", "message": [{"message": "shard down"}]}),
    Reply(body=envelope(work("10.9999/stranger"))),
], ids=["html", "cut", "empty", "json-error", "not-a-list"])
def test_a_bad_list_answer_is_retried_in_the_same_run(project, fake, fault):
    serve(fake, CITED, RETRACTION_RW)
    fake.list_replies = [fault]
    refs = load_references(project / "references.bib")
    client = CrossrefClient(fake.url, None, retry=FAST, timeout=5, refresh=True)
    report = check_updates(refs, client, refs.sources, today=TODAY)
    assert not report.failures and report.requests == 2
    assert load_references(project / "references.bib").get("smith2020").retracted


def test_a_list_holding_another_dois_record_is_not_taken(project, fake):
    stranger = {"status": "ok", "message-type": "work-list",
                "message": {"items": [work("10.9999/stranger", RETRACTION_RW)]}}
    fake.list_replies = [Reply(body=stranger)] * 3
    refs = load_references(project / "references.bib")
    client = CrossrefClient(fake.url, None, retry=FAST, timeout=5, refresh=True)
    report = check_updates(refs, client, refs.sources, today=TODAY)
    assert len(report.failures) == 2
    assert "records of DOIs not asked for (10.9999/stranger)" in report.failures[0]
    assert not load_references(project / "references.bib").get("smith2020").updates


def test_a_retraction_watch_reinstatement_reverses_the_retraction():
    recorded = parse_updates("retraction 10.1/r 2020-01-05 retraction-watch record=7")
    reinstatement = parse_updates("reinstatement 10.1/back 2024-05-31 retraction-watch "
                                  "record=7")
    changes = merge_notices(recorded, recorded + reinstatement, TODAY)
    retraction = changes.updates[0]
    assert retraction.reversed == "2024-05-31" and retraction.withdraws  # until confirmed
    assert changes.reversed == [retraction]


def test_a_cached_record_reverses_nothing():
    recorded = parse_updates("retraction 10.1/r 2020-01-05 publisher")
    assert merge_notices(recorded, [], TODAY, missing_means_reversed=False).updates == recorded
    assert merge_notices(recorded, [], TODAY).updates[0].reversed == TODAY


def test_old_values_of_the_updates_field_still_read():
    [old] = parse_updates("retraction 10.1016/j.x.2020.01 2020-05-01 retraction-watch")
    assert (old.update_type, old.notice_doi, old.updated, old.origin) == (
        "retraction", "10.1016/j.x.2020.01", "2020-05-01", "retraction-watch")
    assert old.withdraws and old.record_id is None and old.reversed is None
    for bad in ("retraction 10.1/x 2020 publisher confirmed=2026-01-01",  # never reversed
                "retraction 10.1/x 2020 publisher colour=red",
                "retraction 10.1/x 2020 publisher record=1 record=2"):
        assert parse_updates(bad)[0].update_type == "other"


def test_dois_with_a_comma_go_alone():
    groups = batches(["10.1/a", "10.1/b,c", "10.1/d"], size=50)
    assert groups == [["10.1/a", "10.1/d"], ["10.1/b,c"]]


def test_resolve_writes_and_caches_nothing_from_another_dois_record(project, fake):
    """A 200 carrying another DOI's record: resolve fails for that DOI, retried in the run."""
    fake.add(CITED, Reply(body=envelope(work("10.9999/stranger"))))
    text = (project / "references.bib").read_text(encoding="utf-8")
    result = run(project, fake, "smith2020")
    assert result.exit_code == 1
    assert f"{CITED}: no usable answer from Crossref after 5 attempts" in result.output
    assert "the record of another DOI ('10.9999/stranger')" in result.output
    assert fake.count(CITED) == 5
    assert (project / "references.bib").read_text(encoding="utf-8") == text
    cached = [p.name for p in (project / "cache").rglob("*.json")]
    assert cached == []


def test_timeout_option_is_used_and_checked(project, fake):
    fake.add(CITED, Reply(body=envelope(work(CITED)), delay=6.0),
             Reply(body=envelope(work(CITED))))
    result = run(project, fake, "smith2020", "--timeout", "2")
    assert result.exit_code == 0, result.output
    assert fake.count(CITED) == 2  # the first answer came too late for 2 s
    bad = run(project, fake, "smith2020", "--timeout", "0")
    assert bad.exit_code == 2  # a usage error, quoting what was typed (not "0.0")
    assert "Invalid value for '--timeout': '0' is not a positive number" in bad.output


def test_further_enrichments_run_in_the_same_pass(project, fake, monkeypatch):
    """The place another enrichment (PubMed's types) hooks into the nightly run."""
    from evidence.crossref.monitor import run_updates

    monkeypatch.setenv("EVIDENCE_CROSSREF_URL", fake.url)
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", str(project / "cache"))
    serve(fake, CITED, RETRACTION_RW)
    seen = []

    def enrich(refs, sources, echo):
        seen.append((refs.get("smith2020").retracted, [s.key for s in sources]))
        echo("enriched")
        return 1  # one of its lookups failed

    lines: list[str] = []
    assert run_updates(project, [], mailto=None, timeout=None, echo=lines.append,
                       enrichments=[enrich]) == 1
    assert seen == [(True, ["smith2020", "aero2021"])]  # after the notices were recorded
    assert "enriched" in lines
