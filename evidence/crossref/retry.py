"""Retrying a request: the policy (attempts, back-off with jitter) and ``Retry-After``."""

from __future__ import annotations

import email.utils
import random
import re
import threading
import time
from dataclasses import dataclass

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
