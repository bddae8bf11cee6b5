"""PubMed E-utilities answers read (shapes in ../shared/NOTES.md, "PubMed E-utilities").

- esearch: ``{"esearchresult": {"count": "2", "idlist": ["29963580", …]}}``; an
  error is ``{"esearchresult": {"ERROR": "…"}}`` or ``{"error": "…"}``.
- esummary: ``{"result": {"uids": [...], "<uid>": {"pubtype": [...],
  "articleids": [{"idtype": "doi", "value": "10.…"}, …]}}}``; an id PubMed
  cannot summarise is ``{"uid": "…", "error": "…"}``.

An esearch that OR-s several DOIs answers with PMIDs only, not which DOI
found which; the DOI in each summary's ``articleids`` is what ties a record
back to the DOI asked for.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from evidence.bib.doi import doi_or_none


class Malformed(ValueError):
    """JSON that is not the answer asked for; ``str()`` says what came."""


@dataclass(frozen=True)
class PubmedRecord:
    pmid: str
    doi: str  # normalised
    pubtypes: tuple[str, ...]
    summary: dict  # the esummary record as it came (cached raw)


def _part(data: object, endpoint: str, name: str) -> dict:
    """The object ``name`` of an answer; Malformed for an error or another shape."""
    if not isinstance(data, dict):
        raise Malformed(f"{endpoint} answered {type(data).__name__}, not a JSON object")
    if data.get("error"):
        raise Malformed(f"{endpoint} answered an error: {data['error']}")
    part = data.get(name)
    if not isinstance(part, dict):
        raise Malformed(f"{endpoint}'s answer has no {name}")
    return part


def esearch_ids(data: object) -> tuple[list[str], int]:
    """The PMIDs of an esearch answer and how many it found (more than it lists when
    ``retmax`` cut the list short); Malformed for anything else."""
    result = _part(data, "esearch", "esearchresult")
    if result.get("ERROR"):
        raise Malformed(f"esearch answered an error: {result['ERROR']}")
    ids = result.get("idlist")
    if not isinstance(ids, list) or not all(isinstance(i, str) and i.isdigit() for i in ids):
        raise Malformed("esearch's answer has no list of PMIDs (idlist)")
    try:
        count = int(result.get("count", len(ids)))
    except (TypeError, ValueError):
        raise Malformed(f"esearch's count is {result.get('count')!r}, not a number") from None
    return list(dict.fromkeys(ids)), count


def esummary_records(data: object, asked: Iterable[str]) -> list[PubmedRecord]:
    """The records of an esummary answer for the PMIDs ``asked``; ids PubMed could not
    summarise are left out, and so is a record that names no DOI (it cannot be tied
    back to one)."""
    result = _part(data, "esummary", "result")
    records = []
    for pmid in asked:
        summary = result.get(pmid)
        if not isinstance(summary, dict) or summary.get("error"):
            continue
        record = record_of(pmid, summary)
        if record is not None:
            records.append(record)
    return records


def record_of(pmid: str, summary: dict) -> PubmedRecord | None:
    """One esummary record (also as read back from the cache); None without a DOI."""
    doi = None
    for item in summary.get("articleids") or []:
        if isinstance(item, dict) and str(item.get("idtype", "")).lower() == "doi":
            doi = doi_or_none(str(item.get("value") or ""))
            if doi:
                break
    if doi is None:
        return None
    types = summary.get("pubtype")
    pubtypes = tuple(str(t) for t in types if isinstance(t, str)) if isinstance(types, list) else ()
    return PubmedRecord(pmid, doi, pubtypes, summary)


# Notices PubMed indexes as records of their own, under the DOI of the article
# they concern: never the article's record when the article has one of its own.
NOTICE_TYPES = frozenset({"Published Erratum", "Retraction of Publication",
                          "Expression of Concern", "Comment"})


def by_doi(records: Iterable[PubmedRecord]) -> dict[str, PubmedRecord]:
    """One record per DOI: when several PMIDs carry one DOI, the article's own
    (not a notice about it), then the lowest PMID (the oldest record)."""
    chosen: dict[str, PubmedRecord] = {}
    for record in sorted(records, key=lambda r: (bool(NOTICE_TYPES & set(r.pubtypes)),
                                                 int(r.pmid))):
        chosen.setdefault(record.doi, record)
    return chosen
