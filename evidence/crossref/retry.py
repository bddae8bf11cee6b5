"""Retrying a request: the policy (attempts, back-off with jitter), ``Retry-After``,
and the loop that runs them (tenacity's).

A client raises :class:`Retryable` for an answer worth asking again (a 429, a
5xx, no answer at all, or a 200 that is not the record asked for), with the
wait the server asked for; everything else it
raises goes straight to the caller. The wait before the next attempt is the
longer of the server's and the policy's back-off, and it is cancellable: Ctrl-C
on a batch stops a worker in its back-off at once.
"""

from __future__ import annotations

import email.utils
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from evidence.crossref.errors import Cancelled


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # first try included
    base_delay: float = 0.5  # seconds, doubled each retry
    max_delay: float = 30.0
    max_retry_after: float = 120.0  # a longer Retry-After fails instead of waiting

    def delay(self, retry: int) -> float:
        """Back-off before retry number ``retry`` (0-based): exponential, with
        jitter in its upper half so parallel workers do not retry in step."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** retry))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


def _wait(seconds: float, cancel: threading.Event | None) -> None:
    if seconds <= 0:
        return
    if cancel is not None:
        if cancel.wait(seconds):
            raise Cancelled()
    else:
        time.sleep(seconds)


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class Retryable(Exception):
    """An answer worth asking again: why (shown if no attempt succeeds), and how long
    the server asked us to wait (``Retry-After``), if it said."""

    def __init__(self, problem: str, wait: float | None = None, *, bad_answer: bool = False):
        super().__init__(problem)
        self.problem = problem
        self.wait = wait
        # An answer that came but was unusable (a 200 cut short, empty, HTML, a JSON
        # error, another DOI's record), as opposed to no answer or a 429/5xx.
        self.bad_answer = bad_answer


def retrying(policy: RetryPolicy, cancel: threading.Event | None = None) -> Retrying:
    """The retry loop of one request: ``for attempt in retrying(...): with attempt: …``.

    After the last attempt the final :class:`Retryable` is raised again, for the
    client to turn into its own error."""
    return Retrying(
        stop=stop_after_attempt(policy.attempts),
        retry=retry_if_exception_type(Retryable),
        wait=_backoff(policy),
        sleep=lambda seconds: _wait(seconds, cancel),
        reraise=True,
    )


def _backoff(policy: RetryPolicy) -> Callable[[RetryCallState], float]:
    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome is not None else None
        asked = error.wait if isinstance(error, Retryable) and error.wait is not None else 0.0
        return max(asked, policy.delay(state.attempt_number - 1))

    return wait
