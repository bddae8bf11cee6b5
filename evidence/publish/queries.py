"""Canned queries of the publication (metadata ``queries``).

They run with arbitrary SQL off (public mode). Columns named ``claim_id`` or
``source_id`` are rendered as links to the claim and source pages by the
plugin's ``render_cell``.
"""

from __future__ import annotations

_CLAIM_COLUMNS = """
    c.id as claim_id,
    g.title as guide,
    s.heading as section,
    c.quote,
    c.type"""

_CLAIM_FROM = """
from claims c
join guides g on g.id = c.guide_id
left join sections s on s.id = c.section_id"""

# A DOI as people paste it: any case, with or without a resolver prefix.
_NORMALISED_DOI = (
    "replace(replace(replace(replace(replace(lower(trim(:doi)), "
    "'https://doi.org/', ''), 'http://doi.org/', ''), 'https://dx.doi.org/', ''), "
    "'http://dx.doi.org/', ''), 'doi:', '')"
)

QUERIES: dict[str, dict] = {
    "trial_backed_claims": {
        "title": "Trial-backed claims",
        "description": "Claims whose best supporting source is a randomised trial or a "
                       "systematic review of trials, with those sources.",
        "sql": f"""select{_CLAIM_COLUMNS},
    c.indirect,
    c.contested,
    c.status,
    (select group_concat(cs.source_id, ', ') from claim_sources cs
       join sources so on so.id = cs.source_id
      where cs.claim_id = c.id and cs.relation = 'supports'
        and so.tier = 'trial' and not so.retracted) as trial_sources
{_CLAIM_FROM}
where c.basis = 'trial'
order by c.guide_id, c.position""",
    },
    "consensus_only_claims": {
        "title": "Consensus-only claims",
        "description": "Claims that cite no supporting source and deliberately rest on "
                       "clinical consensus or established knowledge, with the reason given.",
        "sql": f"""select{_CLAIM_COLUMNS},
    c.consensus as reason,
    c.status
{_CLAIM_FROM}
where c.basis = 'consensus'
order by c.guide_id, c.position""",
    },
    "unsupported_claims": {
        "title": "Unsupported claims",
        "description": "Claims with no supporting source and no consensus reason: each "
                       "needs a source, or a reason why it needs none.",
        "sql": f"""select{_CLAIM_COLUMNS},
    c.status,
    (select count(*) from claim_sources cs
      where cs.claim_id = c.id and cs.relation = 'mentions') as mentioned_by,
    (select group_concat(cs.source_id, ', ') from claim_sources cs
       join sources so on so.id = cs.source_id
      where cs.claim_id = c.id and cs.relation = 'supports' and so.retracted)
      as retracted_sources
{_CLAIM_FROM}
where c.basis = 'unsupported'
order by c.guide_id, c.position""",
    },
    "single_source_claims": {
        "title": "Claims resting on a single source",
        "description": "Claims supported by exactly one (not retracted) source: if that "
                       "source falls, the claim has nothing left.",
        "sql": f"""select{_CLAIM_COLUMNS},
    c.basis,
    so.id as source_id,
    d.label as study_design,
    t.label as tier,
    cs.direct
{_CLAIM_FROM}
join claim_sources cs on cs.claim_id = c.id and cs.relation = 'supports'
join sources so on so.id = cs.source_id and not so.retracted
left join study_designs d on d.code = so.study_design
left join tiers t on t.code = so.tier
where c.supporting_sources = 1
order by c.guide_id, c.position""",
    },
    "indirect_evidence": {
        "title": "Claims on indirect evidence",
        "description": "Claims whose best supporting sources all studied another condition "
                       "or population: the guide extrapolates. Each row is one such source.",
        "sql": f"""select{_CLAIM_COLUMNS},
    c.basis,
    so.id as source_id,
    d.label as study_design,
    cs.note
from claims c
join guides g on g.id = c.guide_id
left join sections s on s.id = c.section_id
-- CROSS JOIN keeps SQLite from starting at sources: claims come first, in order
cross join claim_sources cs on cs.claim_id = c.id and cs.relation = 'supports' and not cs.direct
join sources so on so.id = cs.source_id and not so.retracted
    and coalesce(so.tier, 'expert') = c.basis
left join study_designs d on d.code = so.study_design
where c.indirect
order by c.guide_id, c.position, cs.position""",
    },
    "claims_affected_by_updates": {
        "title": "Claims affected by retracted or corrected sources",
        "description": "Every link from a claim to a source that has been retracted, "
                       "corrected or given an expression of concern. A retracted source "
                       "supports nothing, so the claim's basis may have dropped.",
        "sql": f"""select{_CLAIM_COLUMNS},
    c.basis,
    so.id as source_id,
    cs.relation,
    case when so.retracted and u.update_type is null then 'retraction'
         else u.update_type end as update_type,
    u.label as notice,
    u.notice_doi,
    u.updated
{_CLAIM_FROM}
join claim_sources cs on cs.claim_id = c.id
join sources so on so.id = cs.source_id
left join source_updates u on u.source_id = so.id
where so.retracted or u.source_id is not null
order by c.guide_id, c.position, so.id""",
    },
    "claims_citing_doi": {
        "title": "Claims citing a DOI",
        "description": "Every claim linked to the source with this DOI (paste it in any "
                       "form: 10.1002/pmrj.12667 or https://doi.org/10.1002/pmrj.12667).",
        "sql": f"""select{_CLAIM_COLUMNS},
    c.basis,
    so.id as source_id,
    so.doi,
    cs.relation,
    cs.direct,
    cs.locator
{_CLAIM_FROM}
join claim_sources cs on cs.claim_id = c.id
join sources so on so.id = cs.source_id
where so.doi = {_NORMALISED_DOI}
order by c.guide_id, c.position""",
    },
    "sources_by_tier": {
        "title": "Sources by tier",
        "description": "Every source, strongest evidence tier first, with its study design, "
                       "OCEBM level and how many claims it supports.",
        "sql": """select
    coalesce(t.label, 'Not graded') as tier,
    so.id as source_id,
    so.authors,
    so.year,
    so.title,
    d.label as study_design,
    d.ocebm_level,
    so.retracted,
    (select count(*) from claim_sources cs
      where cs.source_id = so.id and cs.relation = 'supports') as supports_claims,
    so.claim_count as links
from sources so
left join study_designs d on d.code = so.study_design
left join tiers t on t.code = so.tier
order by coalesce(t.rank, 99), d.ocebm_level, so.year desc, so.id""",
    },
}

# Readers see the answers first; the SQL is one click away ("show").
for _query in QUERIES.values():
    _query.setdefault("hide_sql", True)
