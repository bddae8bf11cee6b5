"""The polite Crossref client: habanero for real against a local server."""

from __future__ import annotations

import itertools
import json
import threading
import time

import pytest

from evidence.crossref.cache import ResponseCache
from evidence.crossref.client import (
    DEFAULT_BASE_URL,
    BadBaseURL,
    CrossrefClient,
    base_url_from_env,
)
from evidence.crossref.errors import (
    BadResponse,
    Cancelled,
    CrossrefUnavailable,
    DOINotFound,
    InvalidDOIError,
    NotCached,
)
from evidence.crossref.limits import RateLimiter, parse_interval
from evidence.crossref.retry import RetryPolicy, retry_after_seconds
from tests.crossref_support import RECORDED, FakeCrossref, Reply, envelope, fixture

FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.02)


@pytest.fixture
def fake():
    with FakeCrossref() as server:
        for name in ("article_orcid", "proceedings", "corrected", "retracted", "preprint_v2"):
            server.add_work(fixture(name))
        server.add("10.5555/evidence.preprint.4",
                   Reply(301, "", "text/plain", {"Location": "/works/10.5555/evidence.preprint.4.v2"}))
        yield server


@pytest.fixture
def cache(tmp_path):
    return ResponseCache(tmp_path / "cache")


def client_for(fake, cache=None, **kwargs) -> CrossrefClient:
    kwargs.setdefault("retry", FAST)
    kwargs.setdefault("timeout", 2.0)
    return CrossrefClient(fake.url, "tests@example.org", cache=cache, **kwargs)


def test_fetches_a_work_through_habanero(fake, cache):
    client = client_for(fake, cache)
    fetched = client.fetch("https://doi.org/10.5555/EVIDENCE.article.1")
    assert fetched.doi == "10.5555/evidence.article.1"
    assert fetched.message["title"][0].startswith("Eccentric")
    assert not fetched.from_cache and not fetched.aliases
    assert fake.count() == 1
    assert "mailto:tests@example.org" in fake.requests[0].user_agent  # the polite pool


def test_second_fetch_comes_from_the_cache(fake, cache):
    client_for(fake, cache).fetch("10.5555/evidence.article.1")
    again = client_for(fake, cache)
    fetched = again.fetch("10.5555/evidence.article.1")
    assert fetched.from_cache and again.requests == 0 and fake.count() == 1


def test_refresh_ignores_the_cache(fake, cache):
    client_for(fake, cache).fetch("10.5555/evidence.article.1")
    client_for(fake, cache, refresh=True).fetch("10.5555/evidence.article.1")
    assert fake.count() == 2


def test_corrupt_cache_file_is_ignored_and_refetched(fake, cache):
    client_for(fake, cache).fetch("10.5555/evidence.article.1")
    path = cache.path_for("10.5555/evidence.article.1")
    path.write_text('{"format": 1, "doi": "10.5555/evidence.art', encoding="utf-8")
    fetched = client_for(fake, cache).fetch("10.5555/evidence.article.1")
    assert not fetched.from_cache and fake.count() == 2
    assert json.loads(path.read_text(encoding="utf-8"))["status"] == 200  # repaired


def test_offline_uses_only_the_cache_and_names_what_is_missing(fake, cache):
    client_for(fake, cache).fetch("10.5555/evidence.preprint.4")  # alias + canonical cached
    offline = client_for(fake, cache, offline=True)
    before = fake.count()
    assert offline.fetch("10.5555/evidence.preprint.4").doi == "10.5555/evidence.preprint.4.v2"
    with pytest.raises(NotCached, match=r"10\.5555/evidence\.proc\.7: not in the cache"):
        offline.fetch("10.5555/evidence.proc.7")
    assert fake.count() == before and offline.requests == 0


def test_301_alias_is_followed_to_the_canonical_doi(fake, cache):
    fetched = client_for(fake, cache).fetch("10.5555/evidence.preprint.4")
    assert fetched.requested == "10.5555/evidence.preprint.4"
    assert fetched.doi == "10.5555/evidence.preprint.4.v2"
    assert fetched.aliases == ["10.5555/evidence.preprint.4"]
    assert [r.doi for r in fake.requests] == ["10.5555/evidence.preprint.4",
                                              "10.5555/evidence.preprint.4.v2"]
    assert cache.get("10.5555/evidence.preprint.4").alias_of == "10.5555/evidence.preprint.4.v2"


def test_404_is_doi_not_registered(fake):
    with pytest.raises(DOINotFound) as info:
        client_for(fake).fetch("10.5555/not.registered")
    assert "10.5555/not.registered: DOI not registered with Crossref" in str(info.value)
    assert "check it" in str(info.value)
    assert fake.count() == 1  # not retried


def test_400_is_an_invalid_doi(fake):
    fake.add("10.5555/bad-doi", Reply(400, {
        "status": "failed", "message-type": "validation-failure",
        "message": [{"type": "doi", "value": "10.5555/bad-doi", "message": "DOI is malformed"}]}))
    with pytest.raises(InvalidDOIError, match="invalid: DOI is malformed"):
        client_for(fake).fetch("10.5555/bad-doi")
    assert fake.count() == 1


def test_malformed_input_is_rejected_before_any_request(fake):
    with pytest.raises(InvalidDOIError, match="is not a DOI"):
        client_for(fake).fetch("not-a-doi")
    assert fake.count() == 0


def test_429_honours_retry_after_then_succeeds(fake):
    work = fixture("corrected")
    fake.add(work["DOI"], Reply(429, "Too many requests", "text/plain", {"Retry-After": "1"}),
             Reply(body=envelope(work)))
    client = client_for(fake)
    started = time.monotonic()
    assert client.fetch(work["DOI"]).doi == work["DOI"]
    assert time.monotonic() - started >= 0.95
    first, second = fake.requests
    assert second.at - first.at >= 0.95


def test_503_is_retried_with_back_off(fake):
    work = fixture("corrected")
    fake.add(work["DOI"], Reply(503, "busy", "text/plain"), Reply(503, "busy", "text/plain"),
             Reply(body=envelope(work)))
    client = client_for(fake)
    assert client.fetch(work["DOI"]).doi == work["DOI"]
    assert fake.count() == 3 and client.requests == 3


def test_persistent_5xx_gives_up_with_a_clear_message(fake):
    fake.add("10.5555/down", Reply(502, "Bad gateway", "text/plain"))
    with pytest.raises(CrossrefUnavailable, match=r"after 4 attempts \(last: 502"):
        client_for(fake).fetch("10.5555/down")
    assert fake.count() == 4


def test_timeout_is_retried(fake):
    work = fixture("corrected")
    fake.add(work["DOI"], Reply(body=envelope(work), delay=1.5), Reply(body=envelope(work)))
    client = client_for(fake, timeout=0.3)
    assert client.fetch(work["DOI"]).doi == work["DOI"]
    assert fake.count() == 2


@pytest.mark.parametrize(("value", "problem"), [
    ("notaurl", "no http:// or https:// scheme"),
    ("api.crossref.org", "no http:// or https:// scheme"),
    ("ftp://api.crossref.org", "scheme is 'ftp'"),
    ("http://", "names no host"),
    ("https://:8080/", "names no host"),
    ("http://127.0.0.1:port", "does not parse"),
])
def test_a_malformed_base_url_is_an_error_naming_the_variable(monkeypatch, value, problem):
    monkeypatch.setenv("EVIDENCE_CROSSREF_URL", value)
    with pytest.raises(BadBaseURL) as caught:
        base_url_from_env()
    message = str(caught.value)
    assert message.startswith(f"EVIDENCE_CROSSREF_URL is {value!r}") and problem in message
    with pytest.raises(BadBaseURL, match="EVIDENCE_CROSSREF_URL"):
        CrossrefClient(None, None, retry=FAST)
    with pytest.raises(BadBaseURL, match="the Crossref base URL"):
        CrossrefClient(value, None, retry=FAST)


def test_a_good_base_url_is_kept(monkeypatch, fake):
    monkeypatch.setenv("EVIDENCE_CROSSREF_URL", f" {fake.url}/ ")
    assert base_url_from_env() == fake.url
    monkeypatch.setenv("EVIDENCE_CROSSREF_URL", "")
    assert base_url_from_env() == DEFAULT_BASE_URL
    monkeypatch.delenv("EVIDENCE_CROSSREF_URL")
    assert base_url_from_env() == DEFAULT_BASE_URL
    assert CrossrefClient("HTTPS://example.org/api/", None).base_url == "HTTPS://example.org/api"


def test_resolve_with_a_malformed_base_url_fails_at_once_without_retrying(tmp_path):
    from click.testing import CliRunner

    from evidence.cli import cli
    from tests.conftest import write_project

    write_project(tmp_path)
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["resolve", "--project", str(tmp_path), "--all"],
                                env={"EVIDENCE_CROSSREF_URL": "notaurl",
                                     "EVIDENCE_CACHE_DIR": str(tmp_path / "cache")})
    assert result.exit_code == 1
    assert "EVIDENCE_CROSSREF_URL is 'notaurl'" in result.output
    assert "try again later" not in result.output and "Traceback" not in result.output
    assert time.monotonic() - started < 5


def test_connection_refused_is_retried_then_reported():
    client = CrossrefClient("http://127.0.0.1:9", None, retry=FAST, timeout=0.5)
    with pytest.raises(CrossrefUnavailable, match="connection failed"):
        client.fetch("10.5555/evidence.article.1")
    assert client.requests == FAST.attempts


CUT = Reply(200, '{"status": "ok", "message": {"DOI": ')
EMPTY = Reply(200, "")
HTML = Reply(200, "<html><body>Down for maintenance</body></html>", "text/html; charset=utf-8")
JSON_ERROR = Reply(body={"status": "error", "message-type": "exception",
                         "message": [{"type": "server-error", "message": "shard unavailable"}]})
NOT_A_WORK = Reply(body={"status": "ok", "message-type": "work-list", "message": {"items": []}})


@pytest.mark.parametrize("fault", [CUT, EMPTY, HTML, JSON_ERROR, NOT_A_WORK],
                         ids=["cut", "empty", "html", "json-error", "not-a-work"])
def test_a_bad_200_is_retried_in_the_same_run_and_never_cached(fake, cache, fault):
    good = fake.routes["10.5555/evidence.article.1"][0]
    fake.add("10.5555/evidence.article.1", fault, fault, good)
    fetched = client_for(fake, cache).fetch("10.5555/evidence.article.1")
    assert fetched.doi == "10.5555/evidence.article.1"
    assert fake.count("10.5555/evidence.article.1") == 3
    assert cache.get("10.5555/evidence.article.1").message["DOI"] == fetched.message["DOI"]


@pytest.mark.parametrize(("fault", "shown"), [
    (CUT, r"200 OK, application/json, '\{\"status\": \"ok\".*not valid JSON: cut short"),
    (EMPTY, r"200 OK, application/json, \(empty body\) \(empty\)"),
    (HTML, r"200 OK, text/html; charset=utf-8, '<html><body>Down for maintenance.*not JSON"),
    (JSON_ERROR, r"a JSON error \(status 'error'\)"),
    (NOT_A_WORK, r"not a work record \(message-type 'work-list'\)"),
], ids=["cut", "empty", "html", "json-error", "not-a-work"])
def test_a_persistently_bad_200_names_the_doi_and_what_came_back(fake, cache, fault, shown):
    fake.add("10.5555/bad", fault)
    with pytest.raises(BadResponse, match=r"^10\.5555/bad: no usable answer .*4 attempts.*" + shown):
        client_for(fake, cache).fetch("10.5555/bad")
    assert fake.count("10.5555/bad") == FAST.attempts
    assert cache.get("10.5555/bad") is None


def test_another_dois_record_is_retried_and_never_taken_or_cached(fake, cache):
    other = envelope(fixture("retracted"))
    fake.add("10.5555/evidence.article.1", Reply(body=other))
    with pytest.raises(BadResponse, match=r"the record of another DOI \('10\.5555/evidence"):
        client_for(fake, cache).fetch("10.5555/evidence.article.1")
    assert fake.count("10.5555/evidence.article.1") == FAST.attempts
    assert cache.get("10.5555/evidence.article.1") is None
    assert cache.get(other["message"]["DOI"]) is None


def test_a_cached_record_of_another_doi_is_not_used(fake, cache):
    """What a laxer client once cached under the wrong DOI is fetched anew."""
    cache.put_work("10.5555/evidence.article.1", json.dumps(envelope(fixture("retracted"))))
    fetched = client_for(fake, cache).fetch("10.5555/evidence.article.1")
    assert fetched.doi == "10.5555/evidence.article.1" and not fetched.from_cache


def test_a_record_in_another_case_is_the_record_asked_for(fake, cache):
    message = dict(fixture("article_orcid"), DOI="10.5555/EVIDENCE.Article.1")
    fake.add("10.5555/evidence.article.1", Reply(body=envelope(message)))
    assert client_for(fake, cache).fetch("10.5555/evidence.article.1").doi == \
        "10.5555/evidence.article.1"


def test_the_timeout_comes_from_the_environment(monkeypatch):
    from evidence.crossref.client import BadTimeout, timeout_from_env

    monkeypatch.delenv("EVIDENCE_TIMEOUT", raising=False)
    assert timeout_from_env() == 30.0
    monkeypatch.setenv("EVIDENCE_TIMEOUT", "4.5")
    assert timeout_from_env() == 4.5
    for bad in ("0", "-1", "soon", "inf"):
        monkeypatch.setenv("EVIDENCE_TIMEOUT", bad)
        with pytest.raises(BadTimeout, match="EVIDENCE_TIMEOUT is"):
            timeout_from_env()


def test_dois_are_url_quoted(fake):
    odd = "10.5555/odd?part=1#frag;2"
    fake.add(odd, Reply(body=envelope({**fixture("proceedings"), "DOI": odd})))
    assert client_for(fake).fetch(odd).doi == odd
    assert fake.requests[0].path == "/works/10.5555/odd%3Fpart%3D1%23frag%3B2"


def test_limits_are_read_from_the_headers(fake):
    fake.headers.update({"x-rate-limit-limit": "20", "x-rate-limit-interval": "2s",
                         "x-concurrency-limit": "2"})
    client = CrossrefClient(fake.url, None, retry=FAST)
    assert (client.limiter.rate, client.limiter.concurrency) == (5.0, 1)  # public pool
    client.fetch("10.5555/evidence.article.1")
    assert (client.limiter.rate, client.limiter.concurrency) == (10.0, 2)
    assert (client_for(fake).limiter.rate, client_for(fake).limiter.concurrency) == (10.0, 3)


def test_requests_keep_to_rate_and_concurrency():
    with FakeCrossref(limit=20, concurrency=2, latency=0.05) as fake:
        dois = [f"10.5555/rate.{i}" for i in range(12)]
        for doi in dois:
            fake.add_work({**fixture("corrected"), "DOI": doi})
        client = CrossrefClient(fake.url, "tests@example.org", retry=FAST,
                                limiter=RateLimiter(20, 2))
        threads = [threading.Thread(target=client.fetch, args=(d,)) for d in dois]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        starts = sorted(r.at for r in fake.requests)
        assert fake.count() == 12
        assert fake.peak_in_flight <= 2
        assert starts[-1] - starts[0] >= 11 * 0.05 - 0.03  # 1/20 s apart
        assert fake.max_in_window(0.25) <= 6  # 5 per quarter second, one for jitter


def test_a_long_retry_after_fails_fast_instead_of_waiting(fake):
    fake.add("10.5555/later", Reply(429, "slow down", "text/plain", {"Retry-After": "3600"}))
    client = client_for(fake)
    with pytest.raises(CrossrefUnavailable, match="asks to wait 3600 s"):
        client.fetch("10.5555/later")
    started = time.monotonic()
    with pytest.raises(CrossrefUnavailable):
        client.fetch("10.5555/evidence.article.1")  # the whole client stops asking
    assert time.monotonic() - started < 1 and fake.count() == 1


def test_helpers():
    assert parse_interval("1s") == 1.0 and parse_interval("500ms") == 0.5
    assert parse_interval("1m") == 60.0 and parse_interval("soon") is None
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after_seconds("whenever") is None
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0)
    for retry, ceiling in ((0, 1.0), (1, 2.0), (2, 4.0), (5, 8.0)):
        delays = [policy.delay(retry) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1  # jitter


def test_recorded_error_responses_behave(tmp_path):
    """The real 404 body and 400 body recorded from Crossref, replayed."""
    if not RECORDED.is_dir():
        pytest.skip("../shared/crossref is not present")
    text_404 = (RECORDED / "works_404_10.1371_notarealdoi.txt").read_text(encoding="utf-8")
    body_400 = (RECORDED / "works_400_field_query_on_doi_route.json").read_text(encoding="utf-8")
    with FakeCrossref() as fake:
        fake.add("10.1371/notarealdoi", Reply(404, text_404, "text/plain"))
        fake.add("10.1371/bad", Reply(400, body_400))
        with pytest.raises(DOINotFound):
            client_for(fake).fetch("10.1371/notarealdoi")
        with pytest.raises(InvalidDOIError, match="does not support field query"):
            client_for(fake).fetch("10.1371/bad")


def test_recorded_301_alias_is_followed(tmp_path):
    if not RECORDED.is_dir():
        pytest.skip("../shared/crossref is not present")
    meta = json.loads((RECORDED / "works_10.26434_chemrxiv.5406907.v5.meta.json").read_text())
    body = (RECORDED / "works_10.26434_chemrxiv.5406907.v5.json").read_text(encoding="utf-8")
    redirect = meta["redirect"]["response_headers"]
    with FakeCrossref() as fake:
        fake.add("10.26434/chemrxiv.5406907", Reply(301, "", "text/plain",
                                                    {"Location": redirect["location"]}))
        fake.add("10.26434/chemrxiv.5406907.v5", Reply(body=body))
        fetched = client_for(fake, ResponseCache(tmp_path)).fetch("10.26434/chemrxiv.5406907")
    assert fetched.doi == "10.26434/chemrxiv.5406907.v5"
    assert fetched.aliases == ["10.26434/chemrxiv.5406907"]


def test_limiter_spaces_actual_starts_and_never_leaks_slots():
    limiter = RateLimiter(50, 4)
    starts = []
    lock = threading.Lock()

    def worker():
        for _ in range(5):
            limiter.acquire()
            with lock:
                starts.append(time.monotonic())
            limiter.release()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    starts.sort()
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(starts) == 20 and min(gaps) >= 0.02 * (1 + RateLimiter.SAFETY) - 0.002
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        limiter.acquire(cancel)
    assert limiter._active == 0


def test_limiter_window_holds_after_a_pause():
    limiter = RateLimiter(5, 5)
    limiter.pause(0.2)
    started = time.monotonic()
    limiter.acquire()
    limiter.release()
    assert time.monotonic() - started >= 0.19
