"""Raw Crossref responses kept on disk, so a second run sends no request.

Layout: ``<cache dir>/crossref/<host>/works/<quoted doi>.json``; the cache dir
is ``EVIDENCE_CACHE_DIR`` or the user's cache dir (platformdirs). The host is
part of the path so responses of a test server never mix with Crossref's.

Each file is a small JSON envelope around the response body exactly as it
came (``body``), or, for a DOI that Crossref answered with a 301, the DOI it
is an alias of. Files are written atomically; a file that cannot be read as
such an envelope is treated as absent (and replaced by the next fetch).
Negative answers (404, 400) are not cached: a DOI may be registered later.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

from evidence.atomic import atomic_write_text
from evidence.bib.doi import doi_or_none

FORMAT = 1


def default_cache_dir() -> Path:
    configured = os.environ.get("EVIDENCE_CACHE_DIR")
    if configured:
        return Path(configured)
    import platformdirs

    return Path(platformdirs.user_cache_dir("evidence"))


@dataclass(frozen=True)
class CachedResponse:
    doi: str
    fetched: str  # ISO timestamp
    message: dict | None = None  # the work record, for a 200
    alias_of: str | None = None  # the canonical DOI, for a 301


class ResponseCache:
    def __init__(self, folder: Path):
        self.folder = Path(folder)

    @classmethod
    def for_base_url(cls, base_url: str, cache_dir: Path | None = None) -> ResponseCache:
        host = urlsplit(base_url).netloc or "crossref"
        host = "".join(c if c.isalnum() or c in ".-" else "_" for c in host)
        return cls(Path(cache_dir or default_cache_dir()) / "crossref" / host / "works")

    def path_for(self, doi: str) -> Path:
        name = quote(doi.lower(), safe="")
        if len(name) > 180:  # keep file names within every file system's limit
            name = hashlib.sha256(doi.lower().encode()).hexdigest()
        return self.folder / f"{name}.json"

    def get(self, doi: str) -> CachedResponse | None:
        path = self.path_for(doi)
        try:
            envelope = json.loads(path.read_text(encoding="utf-8"))
            if envelope.get("format") != FORMAT or envelope.get("doi") != doi.lower():
                return None
            fetched = str(envelope.get("fetched") or "")
            if envelope.get("alias_of"):
                return CachedResponse(doi.lower(), fetched, alias_of=str(envelope["alias_of"]))
            message = json.loads(envelope["body"])["message"]
            if not isinstance(message, dict) or not isinstance(message.get("DOI"), str):
                return None
            if doi_or_none(message["DOI"]) != doi.lower():
                return None  # another DOI's record (kept by an older, laxer client)
            return CachedResponse(doi.lower(), fetched, message=message)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # absent or corrupt: fetch again

    def put_work(self, doi: str, body: str, url: str | None = None) -> None:
        self._put({"doi": doi.lower(), "status": 200, "url": url, "body": body})

    def put_alias(self, doi: str, canonical: str, location: str | None = None) -> None:
        self._put({"doi": doi.lower(), "status": 301, "location": location,
                   "alias_of": canonical.lower()})

    def _put(self, envelope: dict) -> None:
        envelope = {"format": FORMAT, "fetched": datetime.now(UTC).isoformat(timespec="seconds"),
                    **envelope}
        # A cache that cannot be written only costs a request next time.
        with contextlib.suppress(OSError):
            atomic_write_text(self.path_for(envelope["doi"]),
                              json.dumps(envelope, ensure_ascii=False) + "\n")
