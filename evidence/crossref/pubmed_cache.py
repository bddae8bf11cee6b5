"""PubMed answers kept on disk, per DOI, beside Crossref's (:mod:`.cache`).

Layout: ``<cache dir>/pubmed/<host>/doi/<quoted doi>.json`` (file names as
Crossref's cache makes them; the host keeps a test server's answers apart).
A file is a small JSON envelope: the DOI, when it was asked, and either the
PMID with the esummary record exactly as PubMed sent it, or ``"pmid": null``
when PubMed searched and has no record of the DOI. Only real answers are
kept: a failed request (no answer, 429, 5xx, an error or malformed body)
writes nothing, so the next run asks again.

Answers older than ``MAX_AGE_DAYS`` count as absent (outside ``--offline``):
PubMed adds the design types when MEDLINE indexing completes, weeks after a
record appears, and a DOI without a record may be indexed later; asking
again once a month costs a nightly job of 6,315 DOIs about 210 DOIs a night.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from evidence.atomic import atomic_path
from evidence.crossref.cache import ResponseCache, default_cache_dir
from evidence.crossref.pubmed_mapping import PubmedRecord, record_of

FORMAT = 1
MAX_AGE_DAYS = 30


@dataclass(frozen=True)
class CachedAnswer:
    doi: str
    fetched: datetime
    record: PubmedRecord | None  # None: PubMed has no record of the DOI


class PubmedCache:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._names = ResponseCache(self.folder)  # the one file-naming rule

    @classmethod
    def for_base_url(cls, base_url: str, cache_dir: Path | None = None) -> PubmedCache:
        host = urlsplit(base_url).netloc or "pubmed"
        host = "".join(c if c.isalnum() or c in ".-" else "_" for c in host)
        return cls(Path(cache_dir or default_cache_dir()) / "pubmed" / host / "doi")

    def get(self, doi: str, *, any_age: bool = False) -> CachedAnswer | None:
        """The answer kept for ``doi``; None when absent, unreadable or (unless
        ``any_age``) older than MAX_AGE_DAYS."""
        try:
            envelope = json.loads(self._names.path_for(doi).read_text(encoding="utf-8"))
            if envelope.get("format") != FORMAT or envelope.get("doi") != doi.lower():
                return None
            fetched = datetime.fromisoformat(envelope["fetched"])
            if fetched.tzinfo is None:
                return None
            if not any_age and datetime.now(UTC) - fetched > timedelta(days=MAX_AGE_DAYS):
                return None
            if envelope.get("pmid") is None:
                return CachedAnswer(doi.lower(), fetched, None)
            record = record_of(str(envelope["pmid"]), envelope["summary"])
            if record is None or record.doi != doi.lower():
                return None
            return CachedAnswer(doi.lower(), fetched, record)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # absent or corrupt: ask again

    def put(self, doi: str, record: PubmedRecord | None) -> None:
        envelope = {"format": FORMAT, "doi": doi.lower(),
                    "fetched": datetime.now(UTC).isoformat(timespec="seconds"),
                    "pmid": record.pmid if record else None,
                    "summary": record.summary if record else None}
        # A cache that cannot be written only costs a request next time. Renamed
        # into place, so a reader sees a whole file or none; not fsynced (a lookup
        # writes thousands): a file a crash leaves empty reads as absent.
        with contextlib.suppress(OSError), atomic_path(self._names.path_for(doi)) as tmp:
            tmp.write_text(json.dumps(envelope, ensure_ascii=False) + "\n", encoding="utf-8")
