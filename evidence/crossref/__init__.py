"""Crossref: the polite client, the response cache, the mapping to BibTeX and
the resolve/add batches (DESIGN §6)."""

from evidence.crossref.client import (
    BadResponse,
    CrossrefClient,
    CrossrefError,
    CrossrefUnavailable,
    DOINotFound,
    InvalidDOIError,
    NotCached,
    RateLimiter,
    RetryPolicy,
)
from evidence.crossref.mapping import MappedWork, map_work

__all__ = [
    "BadResponse", "CrossrefClient", "CrossrefError", "CrossrefUnavailable", "DOINotFound",
    "InvalidDOIError", "MappedWork", "NotCached", "RateLimiter", "RetryPolicy", "map_work",
]
