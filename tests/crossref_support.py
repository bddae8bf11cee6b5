"""A Crossref-shaped HTTP server on 127.0.0.1 for tests and the benchmark.

habanero runs for real against it. Each DOI gets a list of replies served in
order (the last one repeats); unknown DOIs get Crossref's plain-text 404.
The server records every request and the peak number in flight.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import unquote, urlsplit

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
        self._lock = threading.Lock()
        self._server = None

    # -- routes

    def add(self, doi: str, *replies: Reply) -> None:
        self.routes[doi.lower()] = list(replies)

    def add_work(self, message: dict, doi: str | None = None) -> None:
        self.add(doi or message["DOI"], Reply(body=envelope(message)))

    def count(self, doi: str | None = None) -> int:
        return sum(1 for r in self.requests if doi is None or r.doi == doi.lower())

    # -- server

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        path = urlsplit(handler.path).path
        doi = unquote(path.split("/works/", 1)[1]).lower() if "/works/" in path else ""
        seen = Seen(handler.path, doi, time.monotonic(), handler.headers.get("User-Agent", ""))
        with self._lock:
            self.requests.append(seen)
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
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
