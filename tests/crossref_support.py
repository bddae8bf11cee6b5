"""A Crossref-shaped HTTP server on 127.0.0.1 for tests and the benchmark.

habanero runs for real against it. Each DOI gets a list of replies served in
order (the last one repeats); unknown DOIs get Crossref's plain-text 404.
The server records every request and the peak number in flight.

List queries (``/works?filter=doi:A,doi:B&select=…&rows=…``, how ``resolve
--updates`` asks for many works' notices at once) are answered from the same
routes: every DOI filtered on whose current reply is a 200 work envelope
contributes its ``message`` (reduced to the selected fields) to a
``work-list``. ``list_replies`` plants faults in list answers (served in order,
then the real answer), ``enforce`` makes the server answer 429 to requests
above a rate or a concurrency (the benchmark's stand-in for Crossref's limits).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from tests.loopback import LoopbackServer

FIXTURES = Path(__file__).parent / "fixtures" / "crossref"
REPO = Path(__file__).resolve().parents[1]
RECORDED = REPO.parent / "shared" / "crossref"


@dataclass
class Reply:
    status: int = 200
    body: bytes | str | dict | None = None
    content_type: str = "application/json"
    headers: dict = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering


@dataclass
class Seen:
    path: str
    doi: str
    at: float
    user_agent: str


def envelope(message: dict) -> dict:
    return {"status": "ok", "message-type": "work", "message-version": "1.0.0",
            "message": message}


def fixture(name: str) -> dict:
    """A fixture work record (the ``message``) written for these tests."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


class FakeCrossref(LoopbackServer):
    def __init__(self, *, limit: int = 50, interval: str = "1s", concurrency: int = 3,
                 latency: float = 0.0, pool: str = "polite"):
        self.headers = {"x-rate-limit-limit": str(limit), "x-rate-limit-interval": interval,
                        "x-concurrency-limit": str(concurrency), "x-api-pool": pool}
        self.latency = latency
        self.routes: dict[str, list[Reply]] = {}
        self.requests: list[Seen] = []
        self.in_flight = 0
        self.peak_in_flight = 0
        self.on_request = None  # callable(Seen) run before answering
        self.list_replies: list[Reply] = []  # faults to serve to list queries first
        self.rejected = 0  # requests answered 429 by `enforce`
        self._enforced: tuple[float, int] | None = None
        self._starts: list[float] = []
        self._lock = threading.Lock()
        self._server = None

    # -- routes

    def add(self, doi: str, *replies: Reply) -> None:
        self.routes[doi.lower()] = list(replies)

    def add_work(self, message: dict, doi: str | None = None) -> None:
        self.add(doi or message["DOI"], Reply(body=envelope(message)))

    def count(self, doi: str | None = None) -> int:
        return sum(1 for r in self.requests if doi is None or r.doi == doi.lower())

    def list_queries(self) -> list[Seen]:
        return [r for r in self.requests if urlsplit(r.path).path.rstrip("/") == "/works"]

    def enforce(self, rate: float, concurrency: int) -> None:
        """Answer 429 (with Retry-After: 1) to a request arriving when ``rate``
        requests already started within the last second, or ``concurrency`` are in
        flight: Crossref's limits, as a server holds them."""
        self._enforced = (rate, concurrency)

    # -- server

    def _over_limits(self, now: float) -> bool:
        """Whether a request arriving now breaks the enforced limits (lock held)."""
        if self._enforced is None:
            return False
        rate, concurrency = self._enforced
        self._starts = [t for t in self._starts if now - t < 1.0]
        if len(self._starts) >= rate or self.in_flight > concurrency:
            return True
        self._starts.append(now)
        return False

    def _list_reply(self, query: str) -> Reply:
        """A work-list of the works filtered on (lock held)."""
        if self.list_replies:
            return self.list_replies.pop(0)
        params = parse_qs(query)
        wanted = [v.split(":", 1)[1].lower() for v in ",".join(params.get("filter", [])).split(",")
                  if v.startswith("doi:")]
        select = [s for s in ",".join(params.get("select", [])).split(",") if s]
        rows = int((params.get("rows") or ["20"])[0])
        items = []
        for doi in dict.fromkeys(wanted):
            replies = self.routes.get(doi)
            reply = replies[0] if replies else None
            if reply is None or reply.status != 200 or not isinstance(reply.body, dict):
                continue
            message = reply.body.get("message")
            if not isinstance(message, dict):
                continue
            items.append({k: v for k, v in message.items() if not select or k in select})
        return Reply(body={"status": "ok", "message-type": "work-list", "message-version": "1.0.0",
                           "message": {"facets": {}, "total-results": len(items),
                                       "items": items[:rows], "items-per-page": rows,
                                       "query": {"start-index": 0, "search-terms": None}}})

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        path = parts.path
        doi = unquote(path.split("/works/", 1)[1]).lower() if "/works/" in path else ""
        seen = Seen(handler.path, doi, time.monotonic(), handler.headers.get("User-Agent", ""))
        with self._lock:
            self.requests.append(seen)
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            if self._over_limits(seen.at):
                self.rejected += 1
                reply = Reply(429, "Too many requests", "text/plain", {"Retry-After": "1"})
            elif path.rstrip("/") == "/works":
                reply = self._list_reply(parts.query)
            else:
                replies = self.routes.get(doi)
                reply = (replies.pop(0) if len(replies) > 1 else replies[0]) if replies else None
        try:
            if self.on_request is not None:
                self.on_request(seen)
            if reply is None:
                reply = Reply(404, "Resource not found.", "text/plain")
            if self.latency or reply.delay:
                time.sleep(self.latency + reply.delay)
            body = reply.body
            if isinstance(body, dict):
                body = json.dumps(body)
            if isinstance(body, str):
                body = body.encode("utf-8")
            body = body or b""
            try:
                handler.send_response(reply.status)
                for name, value in {**self.headers, **reply.headers}.items():
                    handler.send_header(name, value)
                handler.send_header("Content-Type", reply.content_type)
                handler.send_header("Content-Length", str(len(body)))
                handler.end_headers()
                handler.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (time-out tests)
        finally:
            with self._lock:
                self.in_flight -= 1

    # -- what the benchmark reports

    def max_in_window(self, window: float = 1.0) -> int:
        """The most requests that arrived within any ``window`` seconds."""
        times = sorted(r.at for r in self.requests)
        best = 0
        start = 0
        for end, t in enumerate(times):
            while t - times[start] >= window:
                start += 1
            best = max(best, end - start + 1)
        return best
