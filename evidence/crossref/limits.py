"""Rate and concurrency limits read from the server's headers (Crossref's, PubMed's).

Crossref announces its limits on every response (``x-rate-limit-limit``,
``x-rate-limit-interval``, ``x-concurrency-limit``); the limiter adopts them, so
the client never needs to know a pool's numbers beyond its starting guess.
"""

from __future__ import annotations

import collections
import re
import threading
import time

from evidence.crossref.errors import Cancelled, CrossrefUnavailable


def parse_interval(value: str | None) -> float | None:
    """``1s``, ``500ms``, ``1m`` → seconds."""
    if not value:
        return None
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*", value)
    if not match:
        return None
    number = float(match.group(1))
    unit = match.group(2) or "s"
    return number * {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}[unit]


class RateLimiter:
    """At most ``concurrency`` requests in flight, starts at least
    ``interval / limit`` apart, and never more than ``limit`` starts in any
    ``interval`` (a sliding window); all three adapt to what the server
    announces.

    Starts are spaced evenly rather than allowed in bursts: at 10/s a request
    may start every 100 ms. The spacing is measured from the start actually
    taken (not from a slot reserved ahead), so a worker that was late never
    bunches up with the next one. A small margin (``SAFETY``) absorbs the
    milliseconds between leaving the limiter and the request reaching the
    server, so the server never sees more than the limit in a window.
    """

    SAFETY = 0.05

    def __init__(self, rate: float, concurrency: int, clock=time.monotonic):
        self.concurrency = int(concurrency)
        self.limit, self.interval = max(1, round(rate)), max(1, round(rate)) / float(rate)
        self._clock = clock
        self._cond = threading.Condition()
        self._active = 0
        self._last_start = float("-inf")
        self._paused_until = 0.0
        self._closed: tuple[float, str] | None = None
        self._starts: collections.deque[float] = collections.deque()

    @property
    def rate(self) -> float:
        return self.limit / self.interval

    def acquire(self, cancel: threading.Event | None = None) -> None:
        with self._cond:
            while self._active >= self.concurrency:
                self._check(cancel)
                self._cond.wait(0.05)
            self._active += 1
            try:
                while True:
                    self._check(cancel)
                    now = self._clock()
                    spacing = self.interval / self.limit * (1 + self.SAFETY)
                    earliest = max(self._last_start + spacing, self._paused_until,
                                   self._window_free(now))
                    if now >= earliest:
                        self._last_start = now
                        self._starts.append(now)
                        return
                    self._cond.wait(min(earliest - now, 0.05))
            except BaseException:
                self._active -= 1
                self._cond.notify_all()
                raise

    def _window_free(self, now: float) -> float:
        """When the sliding window next has room for a start (``now`` if it has)."""
        window = self.interval * (1 + self.SAFETY)
        while self._starts and now - self._starts[0] >= window:
            self._starts.popleft()
        if len(self._starts) < self.limit:
            return now
        return self._starts[-self.limit] + window

    def release(self) -> None:
        with self._cond:
            self._active -= 1
            self._cond.notify_all()

    def _check(self, cancel) -> None:
        if cancel is not None and cancel.is_set():
            raise Cancelled()
        if self._closed is not None and self._clock() < self._closed[0]:
            raise CrossrefUnavailable("", self._closed[1])

    def observe(self, headers) -> None:
        """Adopt the limits a response announces."""
        limit = _number(headers.get("x-rate-limit-limit"))
        interval = parse_interval(headers.get("x-rate-limit-interval")) or 1.0
        concurrency = _number(headers.get("x-concurrency-limit"))
        with self._cond:
            if limit and limit >= 1 and interval > 0:
                self.limit, self.interval = int(limit), interval
            if concurrency and concurrency >= 1:
                self.concurrency = int(concurrency)
            self._cond.notify_all()

    def pause(self, seconds: float) -> None:
        """Hold every request back for ``seconds`` (after a 429)."""
        with self._cond:
            self._paused_until = max(self._paused_until, self._clock() + seconds)

    def close_for(self, seconds: float, reason: str) -> None:
        """Fail every request for ``seconds`` (Crossref asked for a long pause)."""
        with self._cond:
            self._closed = (self._clock() + seconds, reason)


def _number(value) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
