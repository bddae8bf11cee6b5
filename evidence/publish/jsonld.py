"""JSON-LD for guide and claim pages: a schema.org ``MedicalWebPage`` that cites
the sources behind it, so other tools can read which sources stand behind a page.

Each source is a ``MedicalScholarlyArticle`` with its DOI and a
``publicationType`` (the study design's label: PubMed's publication types
replace it once the build stores them). The guide's page cites its printed
reference list and every linked source; a claim's page its linked sources.
:func:`script_body` serialises for a ``<script type="application/ld+json">``
element: ``<``, ``>`` and ``&`` are escaped (``\\u003c`` …), so no value can
close the element.
"""

from __future__ import annotations

import json

from markupsafe import Markup

SCHEMA = "https://schema.org"


def article(source: dict) -> dict:
    item: dict = {"@type": "MedicalScholarlyArticle", "name": source.get("title") or source["id"],
                  "identifier": source["id"]}
    if source.get("doi"):
        item["sameAs"] = f"https://doi.org/{source['doi']}"
        item["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI",
                              "value": source["doi"]}
    if source.get("design_label"):
        item["publicationType"] = source["design_label"]
    if source.get("year"):
        item["datePublished"] = str(source["year"])
    if source.get("container_title"):
        item["isPartOf"] = {"@type": "Periodical", "name": source["container_title"]}
    return item


def page(*, name: str, url: str, language: str | None, sources: list[dict],
         reviews: list[dict], about: str | None = None) -> dict:
    """A ``MedicalWebPage``; ``reviews`` are ``{by, on}`` of verified claims."""
    data: dict = {"@context": SCHEMA, "@type": "MedicalWebPage", "name": name, "url": url}
    if language:
        data["inLanguage"] = language
    if about:
        data["about"] = {"@type": "MedicalCondition", "name": about}
    dates = sorted(r["on"] for r in reviews if r.get("on"))
    if dates:
        data["lastReviewed"] = dates[-1]
    people = sorted({r["by"] for r in reviews if r.get("by")})
    if people:
        data["reviewedBy"] = [{"@type": "Person", "name": p} for p in people]
    data["citation"] = [article(s) for s in sources]
    return data


def script_body(data: dict) -> Markup:
    """``data`` as the text of a JSON-LD script element, safe inside HTML."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


_SOURCE_COLUMNS = ("select so.id, so.title, so.doi, so.year, so.container_title, "
                   "d.label as design_label from sources so "
                   "left join study_designs d on d.code = so.study_design ")


async def guide_sources(db, guide_id: str) -> list[dict]:
    """The guide's printed reference list (its numbering), then every other linked source."""
    printed = [dict(row) for row in await db.execute(
        _SOURCE_COLUMNS + "join guide_references r on r.source_id = so.id "
        "where r.guide_id = ? order by r.position", [guide_id])]
    seen = {s["id"] for s in printed}
    linked = [dict(row) for row in await db.execute(
        _SOURCE_COLUMNS + "where so.id in (select cs.source_id from claim_sources cs "
        "join claims c on c.id = cs.claim_id where c.guide_id = ?) order by so.id",
        [guide_id])]
    return printed + [s for s in linked if s["id"] not in seen]


async def claim_sources(db, claim_id: str) -> list[dict]:
    return [dict(row) for row in await db.execute(
        _SOURCE_COLUMNS + "join claim_sources cs on cs.source_id = so.id "
        "where cs.claim_id = ? order by cs.position, cs.id", [claim_id])]


async def guide_reviews(db, guide_id: str) -> list[dict]:
    return [{"by": row[0], "on": row[1]} for row in await db.execute(
        "select reviewed_by, reviewed_on from claims where guide_id = ? "
        "and status = 'verified'", [guide_id])]
