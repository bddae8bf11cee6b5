"""Datasette metadata for evidence.db: titles, descriptions, labels, facets.

Built in code from the evidence scale, so the legend can never disagree with
the rules the build applies.
"""

from __future__ import annotations

from evidence.publish.queries import QUERIES
from evidence.scale import BASES, STUDY_DESIGNS, TIERS

DATABASE = "evidence"  # the name the database is always published under
STATIC_MOUNT = "-/evidence-static"  # where the publication's stylesheet is served

TABLES = {
    "guides": {
        "title": "Guides",
        "description": "The guides whose statements are recorded as claims.",
        "label_column": "title",
        "columns": {
            "id": "The guide's slug: its folder under claims/.",
            "title": "The guide's title.",
            "language": "Language of the guide's text (BCP 47 code).",
            "path": "guide.md, relative to the project.",
            "sha256": "SHA-256 of guide.md as built.",
            "built_at": "When the database was built (UTC).",
            "claims_path": "claims.yaml, relative to the project.",
            "claims_sha256": "SHA-256 of claims.yaml as built.",
            "history_sha256": "SHA-256 of history.yaml as built (none when the guide has none).",
            "style": "The guide's CSL style for its bibliography (guide: style: in claims.yaml; "
                     "empty means the house style, loeberlab).",
            "claim_count": "Number of claims recorded for the guide.",
            "text": "The guide's Markdown text as built.",
            "claims_text": "claims.yaml as built: what a build keeps when the file cannot be read.",
            "stale": "1 when the guide's files cannot be built now: its last good build is "
                     "shown, re-graded against the current sources.",
            "stale_reason": "Why the guide's files cannot be built now.",
            "method": "How the guide's evidence was linked, in the editors' words.",
        },
    },
    "sections": {
        "title": "Sections",
        "description": "Sections of each guide, from its Markdown headings.",
        "label_column": "heading",
        "sort": "position",
        "facets": ["guide_id", "level"],
        "columns": {
            "id": "Guide slug and heading slug.",
            "guide_id": "The guide the section belongs to.",
            "position": "Order of the section in its guide (0: the text before the first heading).",
            "heading": "The section's heading, verbatim.",
            "level": "Heading level (1 is the guide's lead, 2 is ##, 3 is ###).",
            "line": "Line of the heading in guide.md.",
            "start": "Character offset where the section starts in guide.md.",
            "end": "Character offset where the section ends in guide.md.",
            "claim_count": "Number of claims anchored in the section.",
        },
    },
    "claims": {
        "title": "Claims",
        "description": "Every factual statement of the guides, anchored to its exact words, "
                       "with the basis computed from its sources.",
        "label_column": "quote",
        "sort": "position",
        "facets": ["basis", "type", "section_id", "status", "indirect", "contested"],
        "columns": {
            "id": "Stable claim id, unique across guides and never reused.",
            "guide_id": "The guide that makes the claim.",
            "section_id": "The section where the quote stands.",
            "position": "Order of the claim in its guide.",
            "quote": "The exact words of the guide that make the claim.",
            "prefix": "Words just before the quote, to pick one occurrence.",
            "suffix": "Words just after the quote, to pick one occurrence.",
            "start": "Character offset of the quote in guide.md.",
            "end": "Character offset just after the quote in guide.md.",
            "type": "Kind of statement: definition, anatomy, symptom, treatment, dosage, ...",
            "basis": "What the claim rests on, computed from its sources (see bases).",
            "indirect": "1 when every best-tier supporting source studied another condition "
                        "or population (extrapolation).",
            "contested": "1 when a source contradicts the claim.",
            "consensus": "Why the claim rests on clinical consensus or established knowledge, "
                         "when it does.",
            "status": "Editorial review: unreviewed, verified, disputed or needs-source; stale "
                      "when what a verdict verified changed since (never shown as verified "
                      "then).",
            "stale_reason": "Why the verdict lapsed: what changed since it was given.",
            "anchor": "exact: the quote stands in the guide; orphaned: its words are no longer "
                      "there, and section, position and offsets are those of its last good "
                      "anchoring.",
            "reviewed_by": "The editor who reviewed the claim.",
            "reviewed_on": "Date of the review.",
            "review_note": "The reviewer's note.",
            "line": "Line of the quote in guide.md.",
            "claims_line": "Line of the claim in claims.yaml.",
            "supporting_sources": "Number of sources that support the claim (retracted ones "
                                  "not counted).",
            "note": "Editor's note on the claim.",
        },
    },
    "sources": {
        "title": "Sources",
        "description": "Every source in references.bib, graded by study design.",
        "label_column": "title",
        "sort": "id",
        "facets": ["tier", "study_design", "entry_type", "retracted", "metadata_source"],
        "columns": {
            "id": "The citekey in references.bib.",
            "doi": "DOI, lower case, without resolver prefix.",
            "entry_type": "BibTeX entry type.",
            "title": "Title, LaTeX decoded.",
            "container_title": "Journal, proceedings or book title.",
            "year": "Year of publication.",
            "volume": "Volume.",
            "issue": "Issue (number).",
            "pages": "Pages or article number.",
            "authors": "Authors, family name and initials.",
            "study_design": "Study design, set by an editor (see study_designs).",
            "tier": "Evidence tier of the study design (see tiers).",
            "metadata_source": "Where the bibliographic fields came from: crossref (with date) "
                               "or manual.",
            "retracted": "1 when the source has been retracted: it then supports nothing.",
            "pmid": "The source's PubMed record (PMID), found by its DOI.",
            "pubtypes": "PubMed's publication types of the source ('; '-joined), recorded by "
                        "`evidence resolve`: PubMed's indexing, not the study design.",
            "line": "Line of the entry in references.bib.",
            "bibtex": "The entry as written in references.bib.",
            "claim_count": "Number of claim links to the source.",
        },
    },
    "source_authors": {
        "title": "Authors of sources",
        "description": "Authors of each source, in order.",
        "columns": {
            "source_id": "The source.", "position": "Author position, from 1.",
            "family": "Family name (or organisation).", "given": "Given names or initials.",
            "orcid": "ORCID iD, when known.",
        },
    },
    "claim_sources": {
        "title": "Claim–source links",
        "description": "Links between claims and the sources the guide attributes them to.",
        "facets": ["relation", "direct"],
        "columns": {
            "id": "Row id.", "claim_id": "The claim.", "source_id": "The source.",
            "relation": "supports, contradicts or mentions.",
            "direct": "0 when the source studied another condition or population.",
            "locator": "Page, table or section of the source.", "note": "Editor's note.",
            "position": "Order of the link within the claim.",
            "counts": "1 when the link counts toward the claim's basis: it supports and the "
                      "source is not retracted.",
        },
    },
    "study_designs": {
        "title": "Study designs",
        "description": "The study designs an editor can give a source, with their tier and "
                       "OCEBM 2011 level.",
        "label_column": "label",
        "sort": "ocebm_level",
        "columns": {
            "code": "Code used in references.bib (studydesign field).", "label": "Name.",
            "tier": "Evidence tier.", "ocebm_level": "OCEBM 2011 level (1 strongest, 5 weakest).",
            "description": "What the design is.",
        },
    },
    "tiers": {
        "title": "Evidence tiers",
        "description": "Evidence tiers, strongest first.",
        "label_column": "label",
        "sort": "rank",
        "columns": {"code": "Tier code.", "label": "Name.", "rank": "1 is strongest."},
    },
    "bases": {
        "title": "Bases of claims",
        "description": "What a claim can rest on, strongest first.",
        "label_column": "label",
        "sort": "rank",
        "columns": {"code": "Basis code.", "label": "Name.", "rank": "1 is strongest.",
                    "description": "The rule that gives a claim this basis."},
    },
    "source_updates": {
        "title": "Update notices",
        "description": "Retractions, corrections and expressions of concern recorded on sources.",
        "sort_desc": "updated",
        "facets": ["update_type", "origin"],
        "columns": {
            "id": "Row id.", "source_id": "The source concerned.",
            "update_type": "retraction, correction or expression_of_concern.",
            "notice_doi": "DOI of the notice.", "updated": "Date of the notice.",
            "label": "Human label.", "origin": "Who recorded it: publisher or retraction-watch.",
        },
    },
    "findings": {
        "title": "Editorial findings",
        "description": "What `evidence check` reports: what needs an editor's attention.",
        "facets": ["severity", "code", "guide_id"],
        "columns": {
            "id": "Row id.", "guide_id": "The guide concerned.", "claim_id": "The claim concerned.",
            "source_id": "The source concerned.", "severity": "error, warning or info.",
            "code": "Stable finding code.", "message": "What is wrong and what to do.",
        },
    },
    "_evidence_build": {
        "hidden": True,
        "description": "What the database was built from (one row).",
        "columns": {
            "input_sha256": "SHA-256 over every input file, to skip needless rebuilds.",
            "built_at": "When the database was built (UTC).",
            "evidence_version": "Version of the evidence package that built it.",
            "schema_version": "Version of the database schema.",
            "errors": "Number of problems the build worked around (its exit status was 1).",
            "problems": "Those problems' messages (a JSON list).",
        },
    },
    "retired_claims": {
        "title": "Retired claims",
        "description": "Claims taken out of their guide (`evidence retire`): not published as "
                       "claims; their ids are never reused.",
        "label_column": "id",
        "columns": {
            "id": "The retired claim's id.", "guide_id": "The guide it belonged to.",
            "quote": "Its last quote.", "reason": "Why it was retired.",
            "date": "When it was retired.", "line": "Line of the entry in claims.yaml.",
        },
    },
    "claim_history": {
        "title": "Claim history",
        "description": "What editors did to the claims, oldest first (claims/<guide>/history.yaml): "
                       "every verdict, link, re-anchoring and retirement, from the command line "
                       "or the editor's desk, so that earlier verdicts are kept.",
        "sort": "at",
        "columns": {
            "guide_id": "The guide.", "position": "Order in history.yaml, from 1.",
            "claim_id": "The claim (a retired claim's id too).",
            "action": "review, link, consensus, reanchor, retire, draft or not-claim.",
            "by": "The editor.", "at": "When, ISO 8601 in UTC.",
            "before": "What changed, as it was (JSON).", "after": "What it became (JSON).",
            "line": "Line of the entry in history.yaml.",
        },
    },
    # What the build stores for the publication's own pages, so that they read
    # only the database: hidden from the table lists, there for anyone's queries.
    "source_csl": {
        "hidden": True,
        "description": "Each source as a CSL-JSON item (LaTeX decoded): what bibliographies "
                       "are formatted and exported from.",
        "columns": {"source_id": "The source.", "csl_json": "Its CSL-JSON item."},
    },
    "guide_references": {
        "hidden": True,
        "description": "Each guide's bibliography in its numbering: its printed reference "
                       "list first, then first citation.",
        "columns": {
            "guide_id": "The guide.", "position": "The source's number in the guide.",
            "source_id": "The source.",
            "printed": "1 when the guide's printed reference list holds it.",
        },
    },
    "blocks": {
        "hidden": True,
        "description": "The paragraphs, list items and headings of each guide, with their "
                       "place in guide.md.",
        "columns": {
            "guide_id": "The guide.", "position": "Order of the block in the guide.",
            "section_id": "The section it belongs to.",
            "kind": "paragraph, item or heading.",
            "start": "Character offset of its text in guide.md.",
            "end": "Character offset just after its text.", "line": "Its line in guide.md.",
        },
    },
    "claims_fts": {"hidden": True, "description": "Full-text index of claims (FTS5)."},
    "sources_fts": {"hidden": True, "description": "Full-text index of sources (FTS5)."},
    "claims_fold_fts": {"hidden": True, "description": "Full-text index of claims with æ, ø, "
                      "å and accents folded (FTS5): what the publication's search matches."},
    "sources_fold_fts": {"hidden": True, "description": "Full-text index of sources with æ, "
                       "ø, å and accents folded (FTS5)."},
}


def tier_sentences() -> list[tuple[str, str, str]]:
    """(code, label, one sentence) for every tier, from the evidence scale."""
    out = []
    for tier in TIERS:
        designs = [d for d in STUDY_DESIGNS if d.tier == tier.code]
        levels = sorted({d.ocebm_level for d in designs})
        level = (f"OCEBM level {levels[0]}" if len(levels) == 1
                 else f"OCEBM levels {levels[0]}\u2013{levels[-1]}")
        names = ", ".join(d.label.lower() for d in designs)
        out.append((tier.code, tier.label, f"{names[0].upper()}{names[1:]} ({level})."))
    return out


def legend() -> str:
    """The scale in words: every tier and basis in one sentence each."""
    tiers = " ".join(f"{label}: {sentence}" for _, label, sentence in tier_sentences())
    bases = " ".join(f"{b.label}: {b.description}" for b in BASES)
    return f"Tiers, strongest first. {tiers} Bases, strongest first. {bases}"


DESCRIPTION = (
    "Every factual statement of the guides, the sources behind it and how strong "
    "they are: which statements rest on trials and which on clinical consensus."
)


def metadata(database: str = DATABASE) -> dict:
    """Datasette metadata: packaged with the code, never read from a file."""
    return {
        "title": "Evidence behind the guides",
        "description": DESCRIPTION,
        "license": "CC BY 4.0",
        "license_url": "https://creativecommons.org/licenses/by/4.0/",
        "source": "the guides' claims and their reference list, as the editors keep them",
        "about": "How claims are graded",
        "about_url": "/evidence/bases",
        "databases": {
            database: {
                "title": "Evidence database",
                "description": DESCRIPTION,
                "tables": TABLES,
                "queries": QUERIES,
            }
        },
    }
