"""Generators and settings shared by the reliability tests (tests/**/test_reliability_*.py, marked ``reliability``).

Example counts: ``EVIDENCE_FUZZ_EXAMPLES`` sets the number of examples of every
fuzz test (default 1000: all reliability tests take about two and a half
minutes); property tests run a fifth of that, at least 100; the expensive
ones (a whole build per example) scale from their own default. For a long
run by hand::

    EVIDENCE_FUZZ_EXAMPLES=20000 .venv/bin/pytest -m reliability
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

DEFAULT_EXAMPLES = 1000
FUZZ_EXAMPLES = int(os.environ.get("EVIDENCE_FUZZ_EXAMPLES", str(DEFAULT_EXAMPLES)))
PROPERTY_EXAMPLES = max(100, FUZZ_EXAMPLES // 5)

_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
          HealthCheck.function_scoped_fixture]

# Many examples, no per-example deadline (a slow example is not a failure here).
FUZZ = settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=_QUIET)
PROPERTY = settings(max_examples=PROPERTY_EXAMPLES, deadline=None, suppress_health_check=_QUIET)


def scaled(examples: int) -> settings:
    """Settings for an expensive test: ``examples`` in CI, scaled with the env var."""
    return settings(max_examples=max(1, examples * FUZZ_EXAMPLES // DEFAULT_EXAMPLES), deadline=None,
                    suppress_health_check=_QUIET)
