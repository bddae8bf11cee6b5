"""The PubMed E-utilities client, run for real against a loopback E-utilities server."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest

from evidence.bib.pubtypes import format_pubtypes, parse_pubtypes
from evidence.crossref import pubmed
from evidence.crossref.limits import RateLimiter
from evidence.crossref.pubmed import (
    URL_BUDGET,
    PubMedClient,
)
from evidence.crossref.pubmed_cache import MAX_AGE_DAYS, PubmedCache
from evidence.crossref.retry import RetryPolicy
from tests.pubmed_support import FakePubMed, Fault, closed_port_url

FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02)
RCT = ["Journal Article", "Randomized Controlled Trial"]


class CountingLimiter(RateLimiter):
    """The limiter the client would make, recording when each request started (on the
    limiter's own clock): what the rate is checked against, by counting starts."""

    def __init__(self, rate: float):
        super().__init__(rate, 1)
        self.starts: list[float] = []

    def acquire(self, cancel=None) -> None:
        super().acquire(cancel)
        self.starts.append(self._last_start)

    def most_in_window(self, window: float) -> int:
        return max((sum(1 for t in self.starts if start <= t < start + window)
                    for start in self.starts), default=0)


def client_for(fake: FakePubMed, tmp_path, **kwargs) -> PubMedClient:
    kwargs.setdefault("retry", FAST)
    kwargs.setdefault("limiter", RateLimiter(1000, 1))  # the rate has its own test
    return PubMedClient(fake.url, "team@example.org",
                        cache=PubmedCache.for_base_url(fake.url, tmp_path / "cache"), **kwargs)


def dois(n: int, prefix: str = "10.5555/pubmed.trial") -> list[str]:
    return [f"{prefix}.{i:04d}" for i in range(n)]


@pytest.fixture
def fake():
    with FakePubMed() as server:
        yield server


def test_batches_several_dois_per_search_and_many_ids_per_summary(fake, tmp_path):
    asked = dois(260)
    for doi in asked[:250]:  # ten are not in PubMed
        fake.add(doi, RCT)
    result = client_for(fake, tmp_path).lookup(asked)
    assert len(result.records) == 250 and sorted(result.no_record) == asked[250:]
    assert result.records[asked[7]].pubtypes == tuple(RCT)
    searches = [r for r in fake.requests if r.endpoint == "esearch.fcgi"]
    summaries = [r for r in fake.requests if r.endpoint == "esummary.fcgi"]
    assert sum(len(r.dois) for r in searches) == 260  # each DOI searched once
    assert min(len(r.dois) for r in searches[:-1]) > 20  # many DOIs per term
    assert len(searches) <= 260 // 20
    assert [len(r.ids) for r in summaries] == [200, 50]  # PMIDs pooled across searches
    for request in fake.requests:  # each request fits the URL budget
        assert len(f"{fake.url}/{request.endpoint}?{urlencode(request.params)}") <= URL_BUDGET
    assert all(r.params["retmax"] and int(r.params["retmax"]) >= len(r.dois) for r in searches)


def test_tool_email_and_api_key_are_sent(fake, tmp_path):
    fake.add("10.5555/a", RCT)
    client_for(fake, tmp_path).lookup(["10.5555/a"])
    client_for(fake, tmp_path / "k", api_key="secret-key").lookup(["10.5555/a"])
    without, with_key = fake.requests[0].params, fake.requests[-1].params
    assert without["tool"] == "evidence" and " " not in without["tool"]
    assert without["email"] == "team@example.org" and "api_key" not in without
    assert with_key["api_key"] == "secret-key" and with_key["retmode"] == "json"
    assert fake.requests[0].params["term"] == '"10.5555/a"[doi]'


@pytest.mark.parametrize(("key", "limit"), [(None, 3), ("secret", 10)])
def test_rate_is_ncbis_with_and_without_a_key(fake, tmp_path, monkeypatch, key, limit):
    """Counted, not timed: the client's own limiter is set to NCBI's rate, and the
    starts it let through never exceed that many in any second."""
    assert PubMedClient(fake.url, api_key=key).limiter.rate == limit
    monkeypatch.setattr(pubmed, "MAX_DOIS_PER_SEARCH", 1)  # a request per DOI
    limiter = CountingLimiter(PubMedClient(fake.url, api_key=key).limiter.rate)
    asked = dois(limit + 2)
    for doi in asked:
        fake.add(doi, RCT)
    result = client_for(fake, tmp_path, api_key=key, limiter=limiter).lookup(asked)
    assert len(result.records) == len(asked)
    assert len(limiter.starts) == fake.count() == len(asked) + 1
    assert limiter.most_in_window(1.0) <= limit


@pytest.mark.parametrize("fault", [
    Fault(503, "Service unavailable", "text/plain"),
    Fault(429, json.dumps({"error": "API rate limit exceeded", "count": "11"}),
          headers={"Retry-After": "0"}),
    Fault(200, "<html><body>Down for maintenance</body></html>", "text/html"),
    Fault(200, json.dumps({"error": "API rate limit exceeded"})),
    Fault(200, json.dumps({"esearchresult": {"ERROR": "Invalid query"}})),
    Fault(200, '{"esearchresult": {"count": "1", "idl'),
    Fault(200, ""),
], ids=["503", "429", "html", "json-error", "esearch-error", "cut-short", "empty"])
def test_bad_answers_are_retried_and_never_cached(fake, tmp_path, fault):
    fake.add("10.5555/a", RCT)
    fake.faults.append(fault)
    result = client_for(fake, tmp_path).lookup(["10.5555/a"])
    assert result.records["10.5555/a"].pubtypes == tuple(RCT), result.problem
    assert fake.count("esearch.fcgi") == 2  # the fault, then the answer


def test_a_failure_that_persists_is_unanswered_not_no_record(fake, tmp_path):
    fake.add("10.5555/a", RCT)
    fake.faults += [Fault(200, "<html>busy</html>", "text/html")] * 3
    result = client_for(fake, tmp_path).lookup(["10.5555/a", "10.5555/b"])
    assert result.unanswered == ["10.5555/a", "10.5555/b"] and not result.no_record
    assert "did not answer after 3 attempts" in result.problem and "not JSON" in result.problem
    assert client_for(fake, tmp_path).lookup(["10.5555/a"]).records  # asked again: answered


def test_unreachable_stops_after_one_request_sequence(tmp_path):
    url = closed_port_url()
    client = PubMedClient(url, retry=FAST, limiter=RateLimiter(1000, 1),
                          cache=PubmedCache.for_base_url(url, tmp_path))
    result = client.lookup(dois(150))  # several batches
    assert len(result.unanswered) == 150 and not result.records and not result.no_record
    assert client.requests == FAST.attempts  # the first batch only: PubMed is down
    assert "connection failed" in result.problem
    assert not any(tmp_path.rglob("*.json"))


def test_cache_answers_a_second_run_and_offline(fake, tmp_path):
    fake.add("10.5555/a", RCT)
    client_for(fake, tmp_path).lookup(["10.5555/a", "10.5555/none"])
    asked = fake.count()
    again = client_for(fake, tmp_path).lookup(["10.5555/a", "10.5555/none"])
    assert fake.count() == asked and again.from_cache == 2
    assert again.no_record == ["10.5555/none"] and "10.5555/a" in again.records
    offline = client_for(fake, tmp_path, offline=True).lookup(["10.5555/a", "10.5555/new"])
    assert fake.count() == asked
    assert offline.unanswered == ["10.5555/new"] and "--offline" in offline.problem
    client_for(fake, tmp_path, refresh=True).lookup(["10.5555/a"])
    assert fake.count() > asked


def test_old_answers_are_asked_again(fake, tmp_path):
    cache = PubmedCache.for_base_url(fake.url, tmp_path / "cache")
    client_for(fake, tmp_path).lookup(["10.5555/late"])  # not in PubMed yet
    path = next((tmp_path / "cache").rglob("*.json"))
    envelope = json.loads(path.read_text())
    envelope["fetched"] = (datetime.now(UTC) - timedelta(days=MAX_AGE_DAYS + 1)).isoformat()
    path.write_text(json.dumps(envelope))
    assert cache.get("10.5555/late") is None and cache.get("10.5555/late", any_age=True)
    fake.add("10.5555/late", RCT)  # indexed since
    asked = fake.count()
    assert client_for(fake, tmp_path).lookup(["10.5555/late"]).records
    assert fake.count() > asked


def test_record_chosen_by_doi_from_articleids(fake, tmp_path):
    """Several PMIDs for one DOI (a notice indexed under the article's DOI): the
    article's own record; a record for a DOI not asked about is ignored."""
    fake.add("10.5555/a", ["Published Erratum"], pmid="100")
    fake.add("10.5555/A", ["Journal Article", "Case Reports"], pmid="200")
    result = client_for(fake, tmp_path).lookup(["10.5555/a"])
    assert result.records["10.5555/a"].pmid == "200"


def test_pubtypes_field_round_trip():
    value = format_pubtypes("123", ["Journal Article", "Research Support, Non-U.S. Gov't"])
    assert value == "pmid 123: Journal Article; Research Support, Non-U.S. Gov't"
    parsed = parse_pubtypes(value)
    assert parsed is not None and parsed.pmid == "123"
    assert parsed.types == ("Journal Article", "Research Support, Non-U.S. Gov't")
    hand = parse_pubtypes("Review;  Systematic   Review")
    assert hand is not None and hand.pmid is None and hand.types == ("Review", "Systematic Review")
    assert parse_pubtypes("  ") is None


def test_bad_base_url_is_refused(monkeypatch):
    from evidence.crossref.pubmed import pubmed_url_from_env
    from evidence.errors import EvidenceError

    monkeypatch.setenv("EVIDENCE_PUBMED_URL", "eutils.example.org")
    with pytest.raises(EvidenceError, match="EVIDENCE_PUBMED_URL is 'eutils.example.org'"):
        pubmed_url_from_env()
    monkeypatch.setenv("EVIDENCE_PUBMED_URL", "")
    assert pubmed_url_from_env() == pubmed.DEFAULT_BASE_URL


def test_a_search_cut_short_by_retmax_is_not_taken_for_no_record(fake, tmp_path):
    fake.add("10.5555/a", RCT)
    fake.faults.append(Fault(200, json.dumps({"esearchresult": {
        "count": "500", "retmax": "20", "idlist": [str(n) for n in range(1, 21)]}})))
    result = client_for(fake, tmp_path).lookup(["10.5555/a", "10.5555/b"])
    assert result.unanswered == ["10.5555/a", "10.5555/b"] and not result.no_record
    assert "found 500 records but listed 20" in result.problem
    assert not any((tmp_path / "cache").rglob("*.json"))
