"""What the desk's pages read from the database: the review queue, a claim, sources to link."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from evidence.bib.doi import InvalidDOI, normalise_doi

DATABASE = "evidence"
KINDS = ("stale", "unreviewed", "orphaned")


@dataclass
class Section:
    heading: str
    items: list[dict] = field(default_factory=list)


@dataclass
class GuideQueue:
    id: str
    title: str
    sections: list[Section] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    @property
    def total(self) -> int:
        return sum(len(s.items) for s in self.sections)


def kind_of(row) -> str:
    """Why a claim waits: orphaned first (its words are gone), then a lapsed verdict."""
    if row["anchor"] == "orphaned":
        return "orphaned"
    return "stale" if row["status"] == "stale" else "unreviewed"


async def review_queue(datasette, db, guide_id: str | None = None) -> dict:
    """Unreviewed, stale and orphaned claims, by guide and section, with counts
    (of one guide, with ``guide_id``)."""
    rows = await db.execute(
        "select c.id, c.quote, c.status, c.anchor, c.basis, c.guide_id, g.title as guide_title, "
        "s.heading, c.section_id, c.stale_reason from claims c join guides g on g.id = c.guide_id "
        "left join sections s on s.id = c.section_id "
        "where (c.status in ('unreviewed', 'stale') or c.anchor = 'orphaned') "
        "and (:guide is null or c.guide_id = :guide) "
        "order by g.id, s.position, c.position", {"guide": guide_id})
    guides: dict[str, GuideQueue] = {}
    totals = dict.fromkeys(KINDS, 0)
    for row in rows:
        guide = guides.setdefault(row["guide_id"], GuideQueue(row["guide_id"],
                                                               row["guide_title"]))
        kind = kind_of(row)
        # An orphan that never anchored has no section: said so, not put in the lead.
        heading = row["heading"] or ("Words not in the guide" if kind == "orphaned" and
                                     row["section_id"] is None else "Lead")
        if not guide.sections or guide.sections[-1].heading != heading:
            guide.sections.append(Section(heading))
        guide.counts[kind] += 1
        totals[kind] += 1
        guide.sections[-1].items.append({
            "id": row["id"], "quote": row["quote"], "kind": kind, "basis": row["basis"],
            "stale_reason": row["stale_reason"],
            "url": datasette.urls.row(DATABASE, "claims", row["id"])})
    return {"guides": list(guides.values()), "totals": totals, "total": sum(totals.values())}


async def claim_for_form(db, claim_id: str) -> dict | None:
    """A claim with the hash of the claims.yaml it was built from (the forms carry it)."""
    row = (await db.execute(
        "select c.id, c.quote, c.status, c.anchor, c.basis, c.guide_id, c.consensus, "
        "g.claims_sha256 from claims c join guides g on g.id = c.guide_id where c.id = ?",
        [claim_id])).first()
    if row is None:
        return None
    claim = dict(row)
    claim["linked"] = [r[0] for r in await db.execute(
        "select source_id from claim_sources where claim_id = ?", [claim_id])]
    return claim


async def find_sources(db, text: str, limit: int = 30) -> list[dict]:
    """Sources of references.bib (as built) that match what an editor types: a DOI in
    any form they paste it (``https://doi.org/10.…``, ``doi:10.…``, any case) is that
    DOI; else every word must be found in the citekey, authors, title, DOI or year
    (``Sederberg 2022``), the citekey's own matches first."""
    try:
        doi = normalise_doi(text)
    except InvalidDOI:
        doi = None
    if doi is not None:
        where, params = "lower(doi) like :doi escape '\\'", {"doi": _like(doi)[1:]}
    else:
        # "Sederberg, M." is two words: "Sederberg" and "M"
        terms = [t.rstrip(".") for t in re.findall(r"[^\s,;()]+", text)][:8] or [""]
        where = " and ".join(
            f"(id like :t{n} escape '\\' or title like :t{n} escape '\\' "
            f"or authors like :t{n} escape '\\' or doi like :t{n} escape '\\' "
            f"or cast(year as text) like :t{n} escape '\\')" for n in range(len(terms)))
        params = {f"t{n}": _like(term) for n, term in enumerate(terms)}
    rows = await db.execute(
        "select id, title, authors, year, doi, tier, study_design from sources "
        f"where {where} order by (id like :first escape '\\') desc, year desc, id "
        "limit :limit", params | {"first": _like(text.split()[0] if text.split() else ""),
                                  "limit": limit})
    return [dict(r) for r in rows]


def _like(term: str) -> str:
    """A LIKE pattern matching ``term`` anywhere, its own % and _ taken literally."""
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
