"""The retry loop (evidence.crossref.retry): attempts, waits, cancellation."""

from __future__ import annotations

import threading

import pytest

from evidence.crossref.errors import Cancelled
from evidence.crossref.retry import Retryable, RetryPolicy, retrying


def run(policy, outcomes, cancel=None, sleeps=None):
    """Attempts until one returns; ``outcomes`` are raised or returned in turn."""
    loop = retrying(policy, cancel)
    if sleeps is not None:
        loop = loop.copy(sleep=sleeps.append)
    calls = iter(outcomes)
    for attempt in loop:
        with attempt:
            outcome = next(calls)
            if isinstance(outcome, BaseException):
                raise outcome
            return outcome
    raise AssertionError("unreachable")


def test_retries_until_an_answer_and_waits_the_longer_of_server_and_policy():
    sleeps: list[float] = []
    policy = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.02)
    assert run(policy, [Retryable("503"), Retryable("429", wait=3.0), "answer"],
               sleeps=sleeps) == "answer"
    assert len(sleeps) == 2 and sleeps[0] <= 0.02 and sleeps[1] == 3.0


def test_the_last_retryable_is_raised_after_every_attempt():
    sleeps: list[float] = []
    with pytest.raises(Retryable, match="third"):
        run(RetryPolicy(attempts=3, base_delay=0.0), [Retryable("first"), Retryable("second"),
                                                     Retryable("third")], sleeps=sleeps)
    assert len(sleeps) == 2


def test_other_errors_are_not_retried():
    with pytest.raises(KeyError):
        run(RetryPolicy(attempts=5), [KeyError("x"), "never"])


def test_a_cancelled_batch_stops_in_the_back_off():
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        run(RetryPolicy(attempts=3, base_delay=60.0), [Retryable("503"), "never"], cancel=cancel)
