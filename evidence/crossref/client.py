"""A polite Crossref client around habanero (DESIGN §6).

habanero 2.9 sends one request per call and nothing more: no retries, no
throttling, no redirects, DOIs unquoted in the URL. This module adds

- URL-quoting of DOIs;
- retries with exponential back-off and jitter on 429, 5xx, timeouts and
  connection errors, honouring ``Retry-After`` (a 429 pauses every worker):
  the loop is tenacity's, the policy :mod:`.retry`;
- rate and concurrency limits (:mod:`.limits`) read from ``x-rate-limit-limit``,
  ``x-rate-limit-interval`` and ``x-concurrency-limit`` (until a response
  says otherwise: 5/s one at a time in the public pool, 10/s three at a time
  in the polite pool, i.e. with a mailto);
- following 301 aliases to the canonical DOI;
- strict answers: a 200 counts only when it is JSON of the work asked for (its
  ``message.DOI`` equal to the DOI requested, or to the alias target a 301
  led to); a body cut short, empty, an HTML page, a JSON error or another
  DOI's record is retried like a 5xx and never cached;
- clear errors for 404 (not registered) and 400 (invalid DOI), every one
  naming the DOI and what came back (status, content type, first bytes);
- list queries (``/works?filter=…``, :meth:`CrossrefClient.list_works`) under
  the same limits, retries and strictness, never cached;
- the on-disk cache of raw responses (:mod:`.cache`) and ``offline`` mode.

habanero reads responses itself and hands back only the parsed JSON; to see
the rate-limit headers of successful responses, the ``httpx2`` name inside
``habanero.request`` is wrapped in a transparent stand-in that remembers, per
thread, the last response it returned (:class:`_ResponseRecorder`).
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

import habanero.request
import httpx2
from habanero import Crossref
from habanero.exceptions import RequestError as HabaneroRequestError

from evidence.bib.doi import InvalidDOI, doi_or_none, normalise_doi
from evidence.crossref.cache import ResponseCache
from evidence.crossref.errors import (
    BadResponse,
    CrossrefError,
    CrossrefUnavailable,
    DOINotFound,
    InvalidDOIError,
    NotCached,
)
from evidence.crossref.limits import RateLimiter
from evidence.crossref.retry import Retryable, RetryPolicy, retry_after_seconds, retrying
from evidence.errors import EvidenceError

DEFAULT_BASE_URL = "https://api.crossref.org"
DEFAULT_TIMEOUT = 30.0  # seconds
TIMEOUT_VARIABLE = "EVIDENCE_TIMEOUT"
PUBLIC_POOL = (5.0, 1)  # requests per second, concurrent requests
POLITE_POOL = (10.0, 3)
MAX_ALIAS_HOPS = 5


BASE_URL_VARIABLE = "EVIDENCE_CROSSREF_URL"


class BadBaseURL(EvidenceError):
    """A Crossref base URL that no request could go to (checked before any request)."""


class BadTimeout(EvidenceError):
    """A time-out that is not a positive number of seconds."""


def check_base_url(url: str, origin: str = "the Crossref base URL") -> str:
    """``url`` without a trailing slash, if it is http(s) with a host; else BadBaseURL
    naming ``origin`` (the environment variable it came from)."""
    value = url.strip()
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError as exc:
        problem = f"it does not parse ({exc})"
    else:
        if parts.scheme.lower() not in ("http", "https"):
            problem = ("it has no http:// or https:// scheme" if not parts.scheme
                       else f"its scheme is {parts.scheme!r}, not http or https")
        elif not parts.hostname:
            problem = "it names no host"
        else:
            return value.rstrip("/")
    raise BadBaseURL(f"{origin} is {url!r}, which is not a Crossref API address: {problem}. "
                     f"Give an http(s) URL with a host, like {DEFAULT_BASE_URL} "
                     f"(unset {BASE_URL_VARIABLE} to use Crossref itself).")


def timeout_from_env() -> float:
    """The time-out per request in seconds: EVIDENCE_TIMEOUT (checked), else 30."""
    value = os.environ.get(TIMEOUT_VARIABLE)
    if not value or not value.strip():
        return DEFAULT_TIMEOUT
    return check_timeout(value, TIMEOUT_VARIABLE)


def check_timeout(value: str | float, origin: str = "the time-out") -> float:
    """A positive, finite number of seconds, else an error naming ``origin``."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = float("nan")
    if not (0 < seconds < float("inf")):
        raise BadTimeout(f"{origin} is {value!r}: give the seconds to wait for each answer "
                         f"as a positive number, like {DEFAULT_TIMEOUT:.0f}")
    return seconds


def base_url_from_env() -> str:
    """The base URL from EVIDENCE_CROSSREF_URL (checked), else Crossref's own."""
    value = os.environ.get(BASE_URL_VARIABLE)
    if not value or not value.strip():
        return DEFAULT_BASE_URL
    return check_base_url(value, BASE_URL_VARIABLE)


# ---------------------------------------------------------------------------
# seeing response headers through habanero


class _ResponseRecorder:
    """Stands in for the ``httpx2`` module inside ``habanero.request``: every
    attribute is httpx2's own; ``get`` also remembers the response per thread.

    ``httpx2.get`` builds a new client per call, and with it a TLS context that
    re-reads the CA bundle: 30-100 ms of CPU before every request, even over
    plain HTTP. ``get`` hands it one shared context instead (same defaults,
    same verification), which keeps request timing steady under the limiter.
    """

    def __init__(self, module):
        self._module = module
        self._local = threading.local()
        self._tls = None
        self._tls_lock = threading.Lock()

    def __getattr__(self, name):
        return getattr(self._module, name)

    def shared_tls(self):
        """The one TLS context every request shares (True: httpx2's own per call)."""
        with self._tls_lock:
            if self._tls is None:
                try:
                    import httpcore2

                    self._tls = httpcore2.default_ssl_context()
                except Exception:  # noqa: BLE001 - fall back to httpx2's own per call
                    self._tls = True
            return self._tls

    def get(self, *args, **kwargs):
        self._local.response = None
        kwargs.setdefault("verify", self.shared_tls())
        response = self._module.get(*args, **kwargs)
        self._local.response = response
        return response

    def last_response(self):
        return getattr(self._local, "response", None)


def _recorder() -> _ResponseRecorder:
    current = habanero.request.httpx2
    if not isinstance(current, _ResponseRecorder):
        current = _ResponseRecorder(current)
        habanero.request.httpx2 = current
    return current


# ---------------------------------------------------------------------------
# the client


@dataclass
class Fetched:
    requested: str  # the DOI asked for (normalised)
    doi: str  # the DOI of the record: differs when `requested` is an alias
    message: dict
    aliases: list[str] = field(default_factory=list)  # DOIs followed through 301s
    from_cache: bool = False


class CrossrefClient:
    def __init__(
        self,
        base_url: str | None = None,
        mailto: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        cache: ResponseCache | None = None,
        offline: bool = False,
        refresh: bool = False,
        retry: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
    ):
        self.base_url = check_base_url(base_url) if base_url else base_url_from_env()
        self.mailto = mailto or None
        self.cache = cache
        self.offline = offline
        self.refresh = refresh
        self.retry = retry or RetryPolicy()
        self.limiter = limiter or RateLimiter(*(POLITE_POOL if self.mailto else PUBLIC_POOL))
        self.timeout = timeout
        self._crossref = Crossref(base_url=self.base_url, mailto=self.mailto, timeout=timeout)
        self._recorder = _recorder()
        self._recorder.shared_tls()  # built now, not while the first request holds a slot
        self._count_lock = threading.Lock()
        self.requests = 0  # HTTP requests sent, retries included

    @property
    def max_concurrency(self) -> int:
        return self.limiter.concurrency

    def fetch(self, doi: str, cancel: threading.Event | None = None) -> Fetched:
        """The Crossref record of ``doi``, from the cache or from Crossref."""
        try:
            requested = normalise_doi(doi)
        except InvalidDOI as exc:
            raise InvalidDOIError(doi, str(exc)) from None
        current = requested
        aliases: list[str] = []
        for _ in range(MAX_ALIAS_HOPS + 1):
            cached = self.cache.get(current) if self.cache and not self.refresh else None
            if cached is not None and cached.alias_of:
                aliases.append(current)
                current = cached.alias_of
                continue
            if cached is not None and cached.message is not None:
                return Fetched(requested, current, cached.message, aliases, from_cache=True)
            if self.offline:
                hint = (f" (an alias of {current})" if aliases else "")
                raise NotCached(requested, f"{requested}{hint}: not in the cache; "
                                "run without --offline to fetch it from Crossref")
            kind, value, body, url = self._request(current, cancel)
            if kind == "alias":
                if self.cache:
                    self.cache.put_alias(current, value, url)
                aliases.append(current)
                current = value
                continue
            message = value  # checked by _work: the record of `current`, nothing else
            if self.cache:
                self.cache.put_work(current, body, url)
            return Fetched(requested, current, message, aliases)
        raise CrossrefError(requested, f"{requested}: more than {MAX_ALIAS_HOPS} aliases "
                            f"({' -> '.join(aliases)}); check the DOI")

    def list_works(self, filters: list[str], *, select: list[str], rows: int,
                   expected: set[str], label: str,
                   cancel: threading.Event | None = None) -> list[dict]:
        """The items of ``/works?filter=…&select=…&rows=…``, asked anew (never from the
        cache, never cached), under the same limits and retries as :meth:`fetch`.

        Strict like it: the answer must be a JSON work list whose items are works of
        ``expected`` DOIs (normalised); anything else is retried. ``label`` names the
        request in messages (``updates of 10.1/a and 49 more``)."""
        params = {"filter": ",".join(filters), "select": ",".join(select), "rows": str(rows)}
        url = f"{self.base_url}/works"

        def attempt(retry: int):
            data, response, problem = self._send(lambda: self._get_json(url, params), cancel)
            return self._answer(label, data, response, problem, retry,
                                lambda: self._work_list(label, data, response, expected))

        return self._with_retries(label, label, attempt, cancel)

    def _get_json(self, url: str, params: dict[str, str]):
        """GET through the same stand-in habanero uses (its User-Agent, the shared TLS
        context, the recorded response); raises as habanero's calls do."""
        from habanero.habanero_utils import make_ua

        response = self._recorder.get(url, params=params, headers=make_ua(self.mailto, None),
                                      timeout=self.timeout)
        response.raise_for_status()
        if "json" not in (response.headers.get("content-type") or "").lower():
            raise ValueError("not JSON")
        return response.json()

    def _work_list(self, label: str, data, response, expected: set[str]):
        status = response.status_code
        if status != 200:
            if status in (400, 404):
                raise CrossrefError(label, f"{label}: Crossref refused the query: "
                                    f"{_error_text(response)} ({what_came_back(response)})")
            if status == 429 or status >= 500:
                return None
            raise CrossrefError(label, f"{label}: Crossref answered "
                                f"{what_came_back(response)}")
        message = data.get("message") if isinstance(data, dict) else None
        items = message.get("items") if isinstance(message, dict) else None
        if isinstance(data, dict) and str(data.get("status", "ok")).lower() != "ok":
            raise Retryable(what_came_back(response, f"a JSON error "
                                           f"(status {data.get('status')!r})"), bad_answer=True)
        if not isinstance(items, list) or not all(
                isinstance(i, dict) and isinstance(i.get("DOI"), str) for i in items):
            kind = data.get("message-type") if isinstance(data, dict) else None
            raise Retryable(what_came_back(response, f"JSON that is not a list of works "
                                           f"(message-type {kind!r})"), bad_answer=True)
        strangers = sorted({str(i["DOI"]) for i in items if doi_or_none(i["DOI"]) not in expected})
        if strangers:
            raise Retryable(what_came_back(response, f"records of DOIs not asked for "
                                           f"({', '.join(strangers[:3])})"), bad_answer=True)
        return items

    # -- one DOI, with retries

    def _request(self, doi: str, cancel):
        """("work", message, body, url) or ("alias", canonical doi, None, location)."""
        quoted = quote(doi, safe="/")

        def attempt(retry: int):
            data, response, problem = self._send(lambda: self._crossref.works(ids=quoted),
                                                 cancel)
            return self._answer(doi, data, response, problem, retry,
                                lambda: self._final_answer(doi, data, response))

        return self._with_retries(doi, doi, attempt, cancel)

    def _with_retries(self, doi: str, what: str, attempt, cancel):
        """``attempt(retry number)`` until it returns, raises a final error, or the
        policy's attempts run out on :class:`Retryable` answers."""
        try:
            for tried in retrying(self.retry, cancel):
                with tried:
                    return attempt(tried.retry_state.attempt_number - 1)
        except Retryable as exc:
            if exc.bad_answer:
                raise BadResponse(doi, f"{what}: no usable answer from Crossref after "
                                  f"{self.retry.attempts} attempts (last: {exc.problem}); "
                                  "nothing was written or cached; try again later") from None
            raise CrossrefUnavailable(doi, f"{what}: Crossref did not answer after "
                                      f"{self.retry.attempts} attempts (last: {exc.problem}); "
                                      "try again later") from None
        raise AssertionError("unreachable: the retry loop returns or raises")

    def _answer(self, doi: str, data, response, problem: str | None, retry: int, final):
        """The final answer of one attempt (``final()``), or :class:`Retryable`."""
        if response is None:
            raise Retryable(problem or "no answer")
        self.limiter.observe(response.headers)
        if problem is not None:  # it answered, but not with JSON
            raise Retryable(problem, bad_answer=True)
        answer = final()
        if answer is not None:
            return answer
        problem, wait = self._retry_wait(doi, response, retry)
        raise Retryable(problem, wait)

    def _send(self, request, cancel):
        """One request within the limits: (data, response, None); (None, response, what
        came back) for an answer that is not JSON; (None, None, why) when none came."""
        data = None
        response = None
        problem = None
        self.limiter.acquire(cancel)
        try:
            with self._count_lock:
                self.requests += 1
            try:
                data = request()
                response = self._recorder.last_response()
            except httpx2.HTTPStatusError as exc:
                response = exc.response
            except (HabaneroRequestError, ValueError):  # not JSON, or JSON that does not parse
                response = self._recorder.last_response()
                problem = (what_came_back(response, _not_json(response)) if response is not None
                           else "an answer that could not be read")
            except httpx2.TimeoutException:
                problem = f"no answer within the time-out ({self.timeout:g} s)"
            except httpx2.TransportError as exc:
                problem = f"connection failed ({type(exc).__name__}: {exc})"
        finally:
            self.limiter.release()
        return data, response, problem

    def _final_answer(self, doi: str, data, response):
        """The work or the alias of a 200 or a redirect; raises for an answer that no
        retry changes; None for one worth retrying (429, 5xx)."""
        status = response.status_code
        if status == 200:
            return self._work(doi, data, response)
        if status in (301, 302, 303, 307, 308):
            return self._alias(doi, response)
        if status == 404:
            raise DOINotFound(doi, f"{doi}: DOI not registered with Crossref; check it "
                              "(typo? another registration agency such as DataCite?) "
                              f"at https://doi.org/{doi} (Crossref answered "
                              f"{what_came_back(response)})")
        if status == 400:
            raise InvalidDOIError(doi, f"{doi}: Crossref says the DOI is invalid: "
                                  f"{_error_text(response)}")
        if status != 429 and status < 500:
            raise CrossrefError(doi, f"{doi}: Crossref answered {status} "
                                f"{response.reason_phrase}: {_error_text(response)} "
                                f"({what_came_back(response)})")
        return None

    def _retry_wait(self, doi: str, response, attempt: int) -> tuple[str, float | None]:
        """What went wrong with a 429 or 5xx, and the wait Crossref asks for (pausing
        every request on a 429); raises when that wait is longer than the policy allows."""
        status = response.status_code
        problem = what_came_back(response)
        wait = retry_after_seconds(response.headers.get("retry-after"))
        if wait is not None and wait > self.retry.max_retry_after:
            message = (f"Crossref asks to wait {wait:.0f} s before the next request "
                       f"({problem}); try again later")
            self.limiter.close_for(wait, message)
            raise CrossrefUnavailable(doi, f"{doi}: {message}")
        if status == 429:
            self.limiter.pause(wait if wait is not None else self.retry.delay(attempt))
        return problem, wait

    def _work(self, doi, data, response):
        """A 200's work record, if it is the record of ``doi``; else :class:`Retryable`:
        a JSON error, something other than a work, or another DOI's record is an
        answer gone wrong on the way (a proxy, a cache, a mix-up), not the truth about
        the DOI, so it is asked again and never cached."""
        message = data.get("message") if isinstance(data, dict) else None
        if isinstance(data, dict) and str(data.get("status", "ok")).lower() != "ok":
            raise Retryable(what_came_back(response, f"a JSON error "
                                           f"(status {data.get('status')!r})"), bad_answer=True)
        if not isinstance(message, dict) or not isinstance(message.get("DOI"), str):
            kind = data.get("message-type") if isinstance(data, dict) else None
            raise Retryable(what_came_back(response, f"JSON that is not a work record "
                                           f"(message-type {kind!r})"), bad_answer=True)
        record = doi_or_none(message["DOI"])
        if record != doi:
            raise Retryable(what_came_back(response, f"the record of another DOI "
                                           f"({message['DOI']!r})"), bad_answer=True)
        body = response.text if response is not None else json.dumps(data)
        url = str(response.url) if response is not None else None
        return "work", message, body, url

    def _alias(self, doi, response):
        location = response.headers.get("location") or ""
        path = urlsplit(location).path
        canonical = None
        if "/works/" in path:
            candidate = unquote(path.split("/works/", 1)[1]).strip("/")
            try:
                canonical = normalise_doi(candidate)
            except InvalidDOI:
                canonical = None
        if canonical is None:
            raise BadResponse(doi, f"{doi}: Crossref redirects ({response.status_code}) to "
                              f"{location!r}, which names no DOI")
        return "alias", canonical, None, location



def what_came_back(response, verdict: str | None = None) -> str:
    """A response in a line: status, content type, the first bytes (and a verdict):
    ``200 OK, text/html, '<html>Down for…' (not JSON)``."""
    status = f"{response.status_code} {response.reason_phrase}".strip()
    ctype = response.headers.get("content-type") or "no content type"
    try:
        text = response.text
    except Exception:  # noqa: BLE001 - a body that cannot be decoded is shown as absent
        text = ""
    verdict = f" ({verdict})" if verdict else ""
    return f"{status}, {ctype}, {_snippet(text)}{verdict}"


def _not_json(response) -> str:
    if "json" in (response.headers.get("content-type") or "").lower():
        return "not valid JSON: cut short?" if (response.text or "").strip() else "empty"
    return "not JSON"


def _snippet(text: str, limit: int = 80) -> str:
    text = " ".join((text or "").split())
    if not text:
        return "(empty body)"
    return repr(text[:limit] + ("…" if len(text) > limit else ""))


def _error_text(response) -> str:
    try:
        body = response.json()
    except ValueError:
        return _snippet(response.text)
    message = body.get("message") if isinstance(body, dict) else None
    if isinstance(message, list):
        parts = [str(m.get("message") or m.get("type")) for m in message if isinstance(m, dict)]
        return "; ".join(parts) or _snippet(response.text)
    return str(message) if message else _snippet(response.text)
