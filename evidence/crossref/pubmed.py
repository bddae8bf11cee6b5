"""A polite PubMed E-utilities client: the publication types of DOIs (DESIGN §6).

Two requests answer many DOIs at once:

1. ``esearch`` with several DOIs OR-ed in one term
   (``"10.1/a"[doi] OR "10.1/b"[doi]``) gives their PMIDs, but not which DOI
   found which;
2. ``esummary`` with many PMIDs gives each record's ``pubtype`` and its
   ``articleids``, whose ``doi`` ties the record back to the DOI asked for.

A batch is as many DOIs (or PMIDs) as fit a request URL of ``URL_BUDGET``
characters, at most ``MAX_DOIS_PER_SEARCH`` (``MAX_IDS_PER_SUMMARY``);
PMIDs of consecutive searches are pooled into full summaries. Every request
carries ``tool`` and, when given, ``email`` (as NCBI asks) and ``api_key``
(``EVIDENCE_NCBI_API_KEY``); the rate is NCBI's: 3 requests/s without a key,
10 with, one at a time (:mod:`.limits`). Retries follow :mod:`.retry`: a
429, a 5xx, no answer, and a 200 whose body is not the answer asked for
(not JSON, an error object, no id list) are asked again, and are never cached.

PubMed is an enrichment: when it cannot be reached the lookup stops asking
(one message, not one per DOI), returns what it has, and leaves the rest to
the next run. Answers are cached per DOI (:mod:`.pubmed_cache`); ``offline``
uses only the cache.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

import httpx2

from evidence.bib.doi import doi_or_none
from evidence.crossref.errors import PubMedError
from evidence.crossref.limits import RateLimiter
from evidence.crossref.pubmed_cache import PubmedCache
from evidence.crossref.pubmed_mapping import (
    Malformed,
    PubmedRecord,
    by_doi,
    esearch_ids,
    esummary_records,
)
from evidence.crossref.retry import Retryable, RetryPolicy, retry_after_seconds, retrying
from evidence.errors import EvidenceError

DEFAULT_BASE_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
BASE_URL_VARIABLE = "EVIDENCE_PUBMED_URL"
API_KEY_VARIABLE = "EVIDENCE_NCBI_API_KEY"
TOOL = "evidence"  # NCBI asks for a tool name without spaces
RATE_WITHOUT_KEY = 3.0  # requests per second, NCBI's limits
RATE_WITH_KEY = 10.0
URL_BUDGET = 4000  # characters of one request URL: half the 8 KB request line common servers take
MAX_DOIS_PER_SEARCH = 50
MAX_IDS_PER_SUMMARY = 200
# An enrichment gives up sooner than Crossref's lookups: three attempts, then the
# run goes on without PubMed and the next run asks again.
PUBMED_RETRY = RetryPolicy(attempts=3, base_delay=0.5, max_delay=8.0, max_retry_after=60.0)


def pubmed_url_from_env() -> str:
    """The E-utilities base URL: EVIDENCE_PUBMED_URL (checked), else NCBI's."""
    value = (os.environ.get(BASE_URL_VARIABLE) or "").strip()
    if not value:
        return DEFAULT_BASE_URL
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise EvidenceError(f"{BASE_URL_VARIABLE} is {value!r}, which is not an E-utilities "
                            f"address: give an http(s) URL with a host, like {DEFAULT_BASE_URL} "
                            f"(unset {BASE_URL_VARIABLE} to use PubMed itself)")
    return value.rstrip("/")


@dataclass
class LookupResult:
    """What PubMed said of each DOI asked about."""

    records: dict[str, PubmedRecord] = field(default_factory=dict)  # DOI → its record
    no_record: list[str] = field(default_factory=list)  # PubMed searched: no record
    unanswered: list[str] = field(default_factory=list)  # not asked (offline) or failed
    problem: str | None = None  # why some went unanswered, said once
    from_cache: int = 0  # DOIs answered from the cache


class PubMedClient:
    def __init__(self, base_url: str | None = None, email: str | None = None, *,
                 api_key: str | None = None, cache: PubmedCache | None = None,
                 offline: bool = False, refresh: bool = False, timeout: float = 30.0,
                 retry: RetryPolicy | None = None, limiter: RateLimiter | None = None):
        self.base_url = (base_url or pubmed_url_from_env()).rstrip("/")
        self.email = email or None
        self.api_key = api_key or None
        self.cache = cache
        self.offline = offline
        self.refresh = refresh
        self.timeout = timeout
        self.retry = retry or PUBMED_RETRY
        rate = RATE_WITH_KEY if self.api_key else RATE_WITHOUT_KEY
        self.limiter = limiter or RateLimiter(rate, 1)
        self.requests = 0  # HTTP requests sent, retries included
        self._http: httpx2.Client | None = None

    # -- the lookup

    def lookup(self, dois: Iterable[str], cancel: threading.Event | None = None) -> LookupResult:
        """The PubMed record (or none) of each DOI; never raises for PubMed's failures:
        those DOIs are ``unanswered`` and ``problem`` says why."""
        result = LookupResult()
        wanted = list(dict.fromkeys(d for d in (doi_or_none(x) for x in dois) if d))
        to_ask = []
        for doi in wanted:
            cached = (self.cache.get(doi, any_age=self.offline)
                      if self.cache and not self.refresh else None)
            if cached is not None:
                result.from_cache += 1
                self._settle(result, doi, cached.record, store=False)
            else:
                to_ask.append(doi)
        if self.offline:
            result.unanswered = to_ask
            if to_ask:
                result.problem = (f"{len(to_ask)} DOI(s) not in the PubMed cache (--offline); "
                                  "run without --offline to look them up")
            return result
        try:
            self._ask(to_ask, result, cancel)
        finally:
            self.close()
        return result

    def _ask(self, dois: list[str], result: LookupResult, cancel) -> None:
        """Search ``dois`` in batches, pool their PMIDs into full summaries, settle
        each DOI once its summaries came. PubMed unreachable: stop asking."""
        pending: list[tuple[list[str], list[str]]] = []  # (DOIs, their PMIDs) to summarise
        batches = list(self.search_batches(dois))
        for number, batch in enumerate(batches):
            try:
                pending.append((batch, self.search(batch, cancel)))
            except PubMedError as exc:
                self._failed(result, exc, batch)
                if not exc.reachable:
                    self._failed(result, exc, [d for b, _ in pending for d in b]
                                 + [d for b in batches[number + 1:] for d in b])
                    return
                continue
            if sum(len(ids) for _, ids in pending) >= MAX_IDS_PER_SUMMARY:
                if not self._summarise(pending, result, cancel):
                    self._failed(result, None, [d for b in batches[number + 1:] for d in b])
                    return
                pending = []
        if pending:
            self._summarise(pending, result, cancel)

    def _summarise(self, pending: list[tuple[list[str], list[str]]], result: LookupResult,
                   cancel) -> bool:
        """Settle the DOIs of ``pending``; False when PubMed could not be reached."""
        ids = list(dict.fromkeys(i for _, batch_ids in pending for i in batch_ids))
        try:
            found = by_doi(self.summarise(ids, cancel))
        except PubMedError as exc:
            self._failed(result, exc, [d for b, _ in pending for d in b])
            return exc.reachable
        for batch, _ in pending:
            for doi in batch:
                self._settle(result, doi, found.get(doi), store=True)
        return True

    @staticmethod
    def _failed(result: LookupResult, exc: PubMedError | None, dois: list[str]) -> None:
        result.unanswered += dois
        if exc is not None and result.problem is None:
            result.problem = str(exc)

    def _settle(self, result: LookupResult, doi: str, record: PubmedRecord | None, *,
                store: bool) -> None:
        if record is None:
            result.no_record.append(doi)
        else:
            result.records[doi] = record
        if store and self.cache is not None:
            self.cache.put(doi, record)

    # -- batches

    def search_batches(self, dois: list[str]) -> Iterable[list[str]]:
        """``dois`` in groups whose esearch URL keeps within URL_BUDGET."""
        batch: list[str] = []
        for doi in dois:
            trial = batch + [doi]
            if batch and (len(trial) > MAX_DOIS_PER_SEARCH
                          or len(self._url("esearch.fcgi", self._search_params(trial)))
                          > URL_BUDGET):
                yield batch
                trial = [doi]
            batch = trial
        if batch:
            yield batch

    def summary_batches(self, ids: list[str]) -> Iterable[list[str]]:
        batch: list[str] = []
        for pmid in ids:
            trial = batch + [pmid]
            if batch and (len(trial) > MAX_IDS_PER_SUMMARY
                          or len(self._url("esummary.fcgi", {"db": "pubmed",
                                                            "id": ",".join(trial)}))
                          > URL_BUDGET):
                yield batch
                trial = [pmid]
            batch = trial
        if batch:
            yield batch

    @staticmethod
    def _search_params(dois: list[str]) -> dict[str, str]:
        # Quoted, so a DOI's brackets or colons are not read as query syntax.
        term = " OR ".join(f'"{doi.replace(chr(34), "")}"[doi]' for doi in dois)
        # Room for more PMIDs than DOIs: a DOI may also be on notices about the work.
        return {"db": "pubmed", "term": term, "retmax": str(max(20, 5 * len(dois)))}

    # -- the two requests

    def search(self, dois: list[str], cancel=None) -> list[str]:
        """The PMIDs of records carrying any of ``dois`` (one esearch)."""
        what = f"esearch for {len(dois)} DOI(s)"
        ids, count = self._get("esearch.fcgi", self._search_params(dois), esearch_ids, cancel,
                               what=what)
        if count > len(ids):  # a DOI not listed is not known to have no record
            raise PubMedError(f"PubMed's {what} found {count} records but listed {len(ids)} "
                              f"(retmax); these DOIs are asked again next run")
        return ids

    def summarise(self, ids: list[str], cancel=None) -> list[PubmedRecord]:
        """The records of ``ids`` (one esummary per batch)."""
        records: list[PubmedRecord] = []
        for batch in self.summary_batches(ids):
            records += self._get("esummary.fcgi", {"db": "pubmed", "id": ",".join(batch)},
                                 lambda data, batch=batch: esummary_records(data, batch),
                                 cancel, what=f"esummary for {len(batch)} PMID(s)")
        return records

    # -- one request, with retries

    def _params(self, params: dict[str, str]) -> dict[str, str]:
        full = {**params, "retmode": "json", "tool": TOOL}
        if self.email:
            full["email"] = self.email
        if self.api_key:
            full["api_key"] = self.api_key
        return full

    def _url(self, endpoint: str, params: dict[str, str]) -> str:
        return f"{self.base_url}/{endpoint}?{urlencode(self._params(params))}"

    def _get(self, endpoint: str, params: dict[str, str], parse, cancel, *, what: str):
        try:
            for attempt in retrying(self.retry, cancel):
                with attempt:
                    return self._attempt(endpoint, params, parse, what,
                                         attempt.retry_state.attempt_number - 1)
        except Retryable as exc:
            raise PubMedError(f"PubMed did not answer after {self.retry.attempts} attempts "
                              f"(last: {exc.problem})", reachable=False) from None
        raise AssertionError("unreachable: the retry loop returns or raises")

    def _attempt(self, endpoint: str, params: dict[str, str], parse, what: str, retry: int):
        response = self._send(endpoint, params)
        status = response.status_code
        if status == 429 or status >= 500:
            wait = retry_after_seconds(response.headers.get("retry-after"))
            if status == 429:
                self.limiter.pause(wait if wait is not None else self.retry.delay(retry))
            raise Retryable(f"{what}: {status} {response.reason_phrase}".strip(), wait)
        if status != 200:
            raise PubMedError(f"PubMed answered {what} with {status} "
                              f"{response.reason_phrase}: {_snippet(response.text)}")
        try:
            return parse(response.json())
        except ValueError as exc:  # not JSON, or JSON that is not the answer (Malformed)
            detail = str(exc) if isinstance(exc, Malformed) else (
                f"not JSON: {_snippet(response.text)}")
            raise Retryable(f"{what}: {detail}") from None

    def _send(self, endpoint: str, params: dict[str, str]) -> httpx2.Response:
        self.limiter.acquire()
        try:
            self.requests += 1
            return self._client().get(f"{self.base_url}/{endpoint}", params=self._params(params))
        except httpx2.TimeoutException:
            raise Retryable("no answer within the time-out") from None
        except httpx2.TransportError as exc:
            raise Retryable(f"connection failed ({type(exc).__name__}: {exc})") from None
        finally:
            self.limiter.release()

    def _client(self) -> httpx2.Client:
        if self._http is None:
            agent = f"{TOOL} (mailto:{self.email})" if self.email else TOOL
            self._http = httpx2.Client(timeout=self.timeout, headers={"User-Agent": agent})
        return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None


def _snippet(text: str, limit: int = 80) -> str:
    text = " ".join((text or "").split())
    if not text:
        return "(empty body)"
    return repr(text[:limit] + ("…" if len(text) > limit else ""))
