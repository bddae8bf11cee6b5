"""PubMed's publication types recorded on entries: the ``pubtypes`` field.

:func:`record_pubtypes` is the one way in, for ``evidence resolve`` (and its
``--updates``): it looks the entries' DOIs up in PubMed and sets, on the
entries in memory, what PubMed says of each (the caller writes the file):

- a record: ``pubtypes = {pmid N: Type; Type}`` (:mod:`evidence.bib.pubtypes`);
- PubMed searched and has no record of the DOI: no ``pubtypes`` field (one
  written for an earlier DOI of the entry is removed: the field says what
  PubMed says of the entry's DOI now);
- no answer (unreachable, an error, ``--offline`` without a cached answer):
  nothing changes, and the next run asks again.

Types are recorded, never turned into a study design (the check suggests one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from evidence.bib.pubtypes import FIELD, format_pubtypes
from evidence.bib.references import load_references
from evidence.crossref.pubmed import PubMedClient

if TYPE_CHECKING:
    from evidence.bib.references import References, Source


@dataclass
class PubtypeReport:
    looked_up: int = 0  # entries with a DOI asked about
    with_types: int = 0  # of those, with a PubMed record
    no_record: int = 0  # PubMed has no record of the DOI
    unanswered: list[str] = field(default_factory=list)  # citekeys left for the next run
    changed: dict[str, str | None] = field(default_factory=dict)  # citekey → new value
    problem: str | None = None
    requests: int = 0

    def lines(self) -> list[str]:
        """What resolve prints: one line, two when some went unanswered."""
        if not self.looked_up:
            return []
        plural = "s" if self.requests != 1 else ""
        out = [f"PubMed: publication types for {self.with_types} of {self.looked_up} DOI(s), "
               f"{self.no_record} without a PubMed record, {len(self.changed)} entr"
               f"{'ies' if len(self.changed) != 1 else 'y'} changed; "
               f"{self.requests} request{plural} to PubMed."]
        if self.unanswered:
            out.append(f"PubMed: {len(self.unanswered)} entr"
                       f"{'ies' if len(self.unanswered) != 1 else 'y'} left without an answer "
                       f"({self.problem}); resolve asks again next run.")
        return out


def record_pubtypes(refs: References, keys: Iterable[str], client: PubMedClient
                    ) -> PubtypeReport:
    """Look up the DOIs of the entries ``keys`` and set their ``pubtypes`` field.
    Never raises for PubMed's failures: the report says what went unanswered."""
    keys_by_doi: dict[str, list[str]] = {}
    for key in dict.fromkeys(keys):
        source = refs.get(key)
        if source is not None and source.doi:
            keys_by_doi.setdefault(source.doi, []).append(key)
    report = PubtypeReport(looked_up=len(keys_by_doi))
    if not keys_by_doi:
        return report
    before = client.requests
    result = client.lookup(list(keys_by_doi))
    report.requests = client.requests - before
    report.problem = result.problem
    no_record = set(result.no_record)
    for doi, keys_of in keys_by_doi.items():
        record = result.records.get(doi)
        if record is not None:
            value: str | None = format_pubtypes(record.pmid, record.pubtypes)
            report.with_types += 1
        elif doi in no_record:
            value = None
            report.no_record += 1
        else:
            report.unanswered += keys_of
            continue
        for key in keys_of:
            if refs.set_field(key, FIELD, value):
                report.changed[key] = value
    return report


def record_after_resolve(path: Path, resolved: list[str], client: PubMedClient, *,
                         also_missing: bool) -> PubtypeReport:
    """resolve's PubMed step, after its Crossref batch has written references.bib:
    the entries just ``resolved``, and (``also_missing``) every entry with a DOI and
    no ``pubtypes`` yet, so what went unanswered is asked again by the next plain
    ``evidence resolve``. Written atomically, onto the file as it is then (an
    editor's save during the lookup is kept)."""
    refs = load_references(path, validate=False)
    keys = list(resolved)
    if also_missing:
        keys += [s.key for s in refs.sources if s.doi and s.raw(FIELD) is None]
    report = record_pubtypes(refs, keys, client)
    if report.changed:
        current = load_references(path, validate=False)
        if current.text != refs.text:  # changed on disk meanwhile: apply onto it
            for key, value in report.changed.items():
                if key in current:
                    current.set_field(key, FIELD, value)
            refs = current
        refs.write()
    return report


def updates_enrichment(client: PubMedClient
                       ) -> Callable[[References, list[Source], Callable[[str], None]], int]:
    """PubMed's step of the nightly ``resolve --updates``, for ``run_updates``'s
    ``enrichments``: the sources checked, written onto the file as it is then. It
    says what it did in its one or two lines and counts no failure (PubMed is an
    enrichment: its outage never fails the nightly job)."""
    def enrich(refs: References, sources: list[Source], echo: Callable[[str], None]) -> int:
        report = record_after_resolve(refs.path, [s.key for s in sources], client,
                                      also_missing=False)
        for line in report.lines():
            echo(line)
        return 0

    return enrich


def make_pubmed_client(*, email: str | None, offline: bool, refresh: bool,
                       cache_dir: Path | None = None) -> PubMedClient:
    """The client ``resolve`` uses: base URL from EVIDENCE_PUBMED_URL, key from
    EVIDENCE_NCBI_API_KEY, the e-mail given for Crossref, the on-disk cache."""
    import os

    from evidence.crossref.pubmed import API_KEY_VARIABLE, pubmed_url_from_env
    from evidence.crossref.pubmed_cache import PubmedCache

    base_url = pubmed_url_from_env()
    return PubMedClient(base_url, email, api_key=(os.environ.get(API_KEY_VARIABLE) or "").strip()
                        or None, offline=offline, refresh=refresh,
                        cache=PubmedCache.for_base_url(base_url, cache_dir))
