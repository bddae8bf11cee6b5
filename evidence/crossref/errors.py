"""What a lookup can fail with: one class per kind, each message shown to the editor as is."""

from __future__ import annotations

from evidence.errors import EvidenceError


class CrossrefError(EvidenceError):
    """Fetching one DOI failed; ``str()`` is the message shown to the editor."""

    def __init__(self, doi: str, message: str):
        self.doi = doi
        super().__init__(message)


class DOINotFound(CrossrefError):
    pass


class InvalidDOIError(CrossrefError):
    pass


class BadResponse(CrossrefError):
    pass


class NotCached(CrossrefError):
    pass


class CrossrefUnavailable(CrossrefError):
    pass


class Cancelled(Exception):
    """The batch was interrupted; raised in worker threads to stop them."""


class PubMedError(EvidenceError):
    """A PubMed request failed (after its retries): nothing is recorded or cached for
    the DOIs it asked about, and the next run asks again."""

    def __init__(self, message: str, *, reachable: bool = True):
        self.reachable = reachable  # False: no answer at all (connection, time-out, 5xx, 429)
        super().__init__(message)
