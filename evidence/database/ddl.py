"""evidence.db's SQL, compiled from the models of evidence/database/schema.py.

Generated: do not edit. The build writes through sqlite3 alone, without
importing SQLAlchemy (a third of a small rebuild's time went to importing it
and declaring the models); tests/database/test_ddl.py holds this file equal
to what SQLAlchemy compiles from the models. After changing a model:

    .venv/bin/python -m evidence.database.schema > evidence/database/ddl.py
"""

from __future__ import annotations

from typing import NamedTuple


class Table(NamedTuple):
    name: str
    create: str  # CREATE TABLE
    columns: tuple[str, ...]  # in the table's order
    defaults: dict[str, object]  # the models' Python-side defaults, by column


TABLES: tuple[Table, ...] = (
    Table('_evidence_build',
          '\nCREATE TABLE _evidence_build (\n\tinput_sha256 VARCHAR NOT NULL, \n\tbuilt_at VARCHAR NOT NULL, \n\tevidence_version VARCHAR NOT NULL, \n\tschema_version VARCHAR NOT NULL, \n\terrors INTEGER NOT NULL, \n\tproblems TEXT, \n\tPRIMARY KEY (input_sha256)\n)\n\n',
          ('input_sha256', 'built_at', 'evidence_version', 'schema_version', 'errors', 'problems'),
          {'errors': 0}),
    Table('bases',
          '\nCREATE TABLE bases (\n\tcode VARCHAR NOT NULL, \n\tlabel TEXT NOT NULL, \n\trank INTEGER NOT NULL, \n\tdescription TEXT NOT NULL, \n\tPRIMARY KEY (code)\n)\n\n',
          ('code', 'label', 'rank', 'description'),
          {}),
    Table('guides',
          '\nCREATE TABLE guides (\n\tid VARCHAR NOT NULL, \n\ttitle TEXT NOT NULL, \n\tlanguage VARCHAR NOT NULL, \n\tpath TEXT NOT NULL, \n\tsha256 VARCHAR NOT NULL, \n\tbuilt_at VARCHAR NOT NULL, \n\tclaims_path TEXT, \n\tclaims_sha256 VARCHAR, \n\tstyle VARCHAR, \n\tmethod TEXT, \n\tclaim_count INTEGER NOT NULL, \n\ttext TEXT, \n\tclaims_text TEXT, \n\tstale BOOLEAN NOT NULL, \n\tstale_reason TEXT, \n\thistory_sha256 VARCHAR, \n\tPRIMARY KEY (id)\n)\n\n',
          ('id', 'title', 'language', 'path', 'sha256', 'built_at', 'claims_path', 'claims_sha256', 'style', 'method', 'claim_count', 'text', 'claims_text', 'stale', 'stale_reason', 'history_sha256'),
          {'claim_count': 0, 'stale': False}),
    Table('tiers',
          '\nCREATE TABLE tiers (\n\tcode VARCHAR NOT NULL, \n\tlabel TEXT NOT NULL, \n\trank INTEGER NOT NULL, \n\tPRIMARY KEY (code)\n)\n\n',
          ('code', 'label', 'rank'),
          {}),
    Table('claim_history',
          '\nCREATE TABLE claim_history (\n\tguide_id VARCHAR NOT NULL, \n\tposition INTEGER NOT NULL, \n\tclaim_id VARCHAR NOT NULL, \n\taction VARCHAR NOT NULL, \n\t"by" TEXT, \n\tat VARCHAR NOT NULL, \n\t"before" TEXT NOT NULL, \n\t"after" TEXT NOT NULL, \n\tline INTEGER, \n\tPRIMARY KEY (guide_id, position), \n\tFOREIGN KEY(guide_id) REFERENCES guides (id)\n)\n\n',
          ('guide_id', 'position', 'claim_id', 'action', 'by', 'at', 'before', 'after', 'line'),
          {}),
    Table('retired_claims',
          '\nCREATE TABLE retired_claims (\n\tid VARCHAR NOT NULL, \n\tguide_id VARCHAR NOT NULL, \n\tquote TEXT, \n\treason TEXT NOT NULL, \n\tdate VARCHAR, \n\tline INTEGER, \n\tPRIMARY KEY (id), \n\tFOREIGN KEY(guide_id) REFERENCES guides (id)\n)\n\n',
          ('id', 'guide_id', 'quote', 'reason', 'date', 'line'),
          {}),
    Table('sections',
          '\nCREATE TABLE sections (\n\tid VARCHAR NOT NULL, \n\tguide_id VARCHAR NOT NULL, \n\tposition INTEGER NOT NULL, \n\theading TEXT NOT NULL, \n\tlevel INTEGER NOT NULL, \n\tline INTEGER, \n\tstart INTEGER, \n\t"end" INTEGER, \n\tclaim_count INTEGER NOT NULL, \n\tPRIMARY KEY (id), \n\tFOREIGN KEY(guide_id) REFERENCES guides (id)\n)\n\n',
          ('id', 'guide_id', 'position', 'heading', 'level', 'line', 'start', 'end', 'claim_count'),
          {'claim_count': 0}),
    Table('study_designs',
          '\nCREATE TABLE study_designs (\n\tcode VARCHAR NOT NULL, \n\tlabel TEXT NOT NULL, \n\ttier VARCHAR NOT NULL, \n\tocebm_level INTEGER NOT NULL, \n\tdescription TEXT NOT NULL, \n\tPRIMARY KEY (code), \n\tFOREIGN KEY(tier) REFERENCES tiers (code)\n)\n\n',
          ('code', 'label', 'tier', 'ocebm_level', 'description'),
          {}),
    Table('blocks',
          '\nCREATE TABLE blocks (\n\tguide_id VARCHAR NOT NULL, \n\tposition INTEGER NOT NULL, \n\tsection_id VARCHAR, \n\tkind VARCHAR NOT NULL, \n\tstart INTEGER NOT NULL, \n\t"end" INTEGER NOT NULL, \n\tline INTEGER NOT NULL, \n\tPRIMARY KEY (guide_id, position), \n\tFOREIGN KEY(guide_id) REFERENCES guides (id), \n\tFOREIGN KEY(section_id) REFERENCES sections (id)\n)\n\n',
          ('guide_id', 'position', 'section_id', 'kind', 'start', 'end', 'line'),
          {}),
    Table('claims',
          '\nCREATE TABLE claims (\n\tid VARCHAR NOT NULL, \n\tguide_id VARCHAR NOT NULL, \n\tsection_id VARCHAR, \n\tposition INTEGER NOT NULL, \n\tquote TEXT NOT NULL, \n\tprefix TEXT, \n\tsuffix TEXT, \n\tstart INTEGER, \n\t"end" INTEGER, \n\ttype VARCHAR, \n\tbasis VARCHAR NOT NULL, \n\tindirect BOOLEAN NOT NULL, \n\tcontested BOOLEAN NOT NULL, \n\tconsensus TEXT, \n\tstatus VARCHAR NOT NULL, \n\treviewed_by TEXT, \n\treviewed_on VARCHAR, \n\treview_note TEXT, \n\tline INTEGER, \n\tclaims_line INTEGER, \n\tsupporting_sources INTEGER NOT NULL, \n\tnote TEXT, \n\tanchor VARCHAR NOT NULL, \n\tstale_reason TEXT, \n\tPRIMARY KEY (id), \n\tFOREIGN KEY(guide_id) REFERENCES guides (id), \n\tFOREIGN KEY(section_id) REFERENCES sections (id), \n\tFOREIGN KEY(basis) REFERENCES bases (code)\n)\n\n',
          ('id', 'guide_id', 'section_id', 'position', 'quote', 'prefix', 'suffix', 'start', 'end', 'type', 'basis', 'indirect', 'contested', 'consensus', 'status', 'reviewed_by', 'reviewed_on', 'review_note', 'line', 'claims_line', 'supporting_sources', 'note', 'anchor', 'stale_reason'),
          {'supporting_sources': 0, 'anchor': 'exact'}),
    Table('sources',
          '\nCREATE TABLE sources (\n\tid VARCHAR NOT NULL, \n\tdoi VARCHAR, \n\tentry_type VARCHAR NOT NULL, \n\ttitle TEXT, \n\tcontainer_title TEXT, \n\tyear INTEGER, \n\tvolume VARCHAR, \n\tissue VARCHAR, \n\tpages VARCHAR, \n\tauthors TEXT, \n\tstudy_design VARCHAR, \n\ttier VARCHAR, \n\tmetadata_source VARCHAR, \n\tretracted BOOLEAN NOT NULL, \n\tpmid VARCHAR, \n\tpubtypes TEXT, \n\tline INTEGER, \n\tbibtex TEXT, \n\tclaim_count INTEGER NOT NULL, \n\tPRIMARY KEY (id), \n\tFOREIGN KEY(study_design) REFERENCES study_designs (code), \n\tFOREIGN KEY(tier) REFERENCES tiers (code)\n)\n\n',
          ('id', 'doi', 'entry_type', 'title', 'container_title', 'year', 'volume', 'issue', 'pages', 'authors', 'study_design', 'tier', 'metadata_source', 'retracted', 'pmid', 'pubtypes', 'line', 'bibtex', 'claim_count'),
          {'claim_count': 0}),
    Table('claim_sources',
          '\nCREATE TABLE claim_sources (\n\tid INTEGER NOT NULL, \n\tclaim_id VARCHAR NOT NULL, \n\tsource_id VARCHAR NOT NULL, \n\trelation VARCHAR NOT NULL, \n\tdirect BOOLEAN NOT NULL, \n\tlocator TEXT, \n\tnote TEXT, \n\tposition INTEGER NOT NULL, \n\tcounts BOOLEAN NOT NULL, \n\tPRIMARY KEY (id), \n\tFOREIGN KEY(claim_id) REFERENCES claims (id), \n\tFOREIGN KEY(source_id) REFERENCES sources (id)\n)\n\n',
          ('id', 'claim_id', 'source_id', 'relation', 'direct', 'locator', 'note', 'position', 'counts'),
          {'position': 0, 'counts': False}),
    Table('findings',
          '\nCREATE TABLE findings (\n\tid INTEGER NOT NULL, \n\tguide_id VARCHAR, \n\tclaim_id VARCHAR, \n\tsource_id VARCHAR, \n\tseverity VARCHAR NOT NULL, \n\tcode VARCHAR NOT NULL, \n\tmessage TEXT NOT NULL, \n\tPRIMARY KEY (id), \n\tFOREIGN KEY(guide_id) REFERENCES guides (id), \n\tFOREIGN KEY(claim_id) REFERENCES claims (id), \n\tFOREIGN KEY(source_id) REFERENCES sources (id)\n)\n\n',
          ('id', 'guide_id', 'claim_id', 'source_id', 'severity', 'code', 'message'),
          {}),
    Table('guide_references',
          '\nCREATE TABLE guide_references (\n\tguide_id VARCHAR NOT NULL, \n\tposition INTEGER NOT NULL, \n\tsource_id VARCHAR NOT NULL, \n\tprinted BOOLEAN NOT NULL, \n\tPRIMARY KEY (guide_id, position), \n\tFOREIGN KEY(guide_id) REFERENCES guides (id), \n\tFOREIGN KEY(source_id) REFERENCES sources (id)\n)\n\n',
          ('guide_id', 'position', 'source_id', 'printed'),
          {}),
    Table('source_authors',
          '\nCREATE TABLE source_authors (\n\tsource_id VARCHAR NOT NULL, \n\tposition INTEGER NOT NULL, \n\tfamily TEXT NOT NULL, \n\tgiven TEXT, \n\torcid VARCHAR, \n\tPRIMARY KEY (source_id, position), \n\tFOREIGN KEY(source_id) REFERENCES sources (id)\n)\n\n',
          ('source_id', 'position', 'family', 'given', 'orcid'),
          {}),
    Table('source_csl',
          '\nCREATE TABLE source_csl (\n\tsource_id VARCHAR NOT NULL, \n\tcsl_json TEXT NOT NULL, \n\tPRIMARY KEY (source_id), \n\tFOREIGN KEY(source_id) REFERENCES sources (id)\n)\n\n',
          ('source_id', 'csl_json'),
          {}),
    Table('source_updates',
          '\nCREATE TABLE source_updates (\n\tid INTEGER NOT NULL, \n\tsource_id VARCHAR NOT NULL, \n\tupdate_type VARCHAR NOT NULL, \n\tnotice_doi VARCHAR, \n\tupdated VARCHAR, \n\tlabel TEXT NOT NULL, \n\torigin VARCHAR, \n\tPRIMARY KEY (id), \n\tFOREIGN KEY(source_id) REFERENCES sources (id)\n)\n\n',
          ('id', 'source_id', 'update_type', 'notice_doi', 'updated', 'label', 'origin'),
          {}),
)

# (table, CREATE INDEX), tables in the order above, each table's indexes by name.
INDEXES: tuple[tuple[str, str], ...] = (
    ('guides', 'CREATE INDEX ix_guides_stale ON guides (stale)'),
    ('claim_history', 'CREATE INDEX ix_claim_history_action ON claim_history (action)'),
    ('claim_history', 'CREATE INDEX ix_claim_history_claim_id ON claim_history (claim_id)'),
    ('retired_claims', 'CREATE INDEX ix_retired_claims_guide_id ON retired_claims (guide_id)'),
    ('sections', 'CREATE INDEX ix_sections_guide_id ON sections (guide_id)'),
    ('study_designs', 'CREATE INDEX ix_study_designs_tier ON study_designs (tier)'),
    ('blocks', 'CREATE INDEX ix_blocks_guide_start ON blocks (guide_id, start)'),
    ('blocks', 'CREATE INDEX ix_blocks_section_id ON blocks (section_id)'),
    ('claims', 'CREATE INDEX ix_claims_anchor ON claims (anchor)'),
    ('claims', 'CREATE INDEX ix_claims_basis ON claims (basis)'),
    ('claims', 'CREATE INDEX ix_claims_contested ON claims (contested)'),
    ('claims', 'CREATE INDEX ix_claims_facet_basis ON claims (basis, type, status, indirect, contested, section_id)'),
    ('claims', 'CREATE INDEX ix_claims_facet_contested ON claims (contested, basis, type, status, indirect, section_id)'),
    ('claims', 'CREATE INDEX ix_claims_facet_indirect ON claims (indirect, basis, type, status, contested, section_id)'),
    ('claims', 'CREATE INDEX ix_claims_facet_section_id ON claims (section_id, basis, type, status, indirect, contested)'),
    ('claims', 'CREATE INDEX ix_claims_facet_status ON claims (status, basis, type, indirect, contested, section_id)'),
    ('claims', 'CREATE INDEX ix_claims_facet_type ON claims (type, basis, status, indirect, contested, section_id)'),
    ('claims', 'CREATE INDEX ix_claims_guide_id ON claims (guide_id)'),
    ('claims', 'CREATE INDEX ix_claims_guide_position ON claims (guide_id, position)'),
    ('claims', 'CREATE INDEX ix_claims_indirect ON claims (indirect)'),
    ('claims', 'CREATE INDEX ix_claims_position ON claims (position)'),
    ('claims', 'CREATE INDEX ix_claims_section_id ON claims (section_id)'),
    ('claims', 'CREATE INDEX ix_claims_status ON claims (status)'),
    ('claims', 'CREATE INDEX ix_claims_supporting_sources ON claims (supporting_sources)'),
    ('claims', 'CREATE INDEX ix_claims_type ON claims (type)'),
    ('sources', 'CREATE INDEX ix_sources_doi ON sources (doi)'),
    ('sources', 'CREATE INDEX ix_sources_entry_type ON sources (entry_type)'),
    ('sources', 'CREATE INDEX ix_sources_metadata_source ON sources (metadata_source)'),
    ('sources', 'CREATE INDEX ix_sources_retracted ON sources (retracted)'),
    ('sources', 'CREATE INDEX ix_sources_study_design ON sources (study_design)'),
    ('sources', 'CREATE INDEX ix_sources_tier ON sources (tier)'),
    ('sources', 'CREATE INDEX ix_sources_year ON sources (year)'),
    ('claim_sources', 'CREATE INDEX ix_claim_sources_claim_id ON claim_sources (claim_id)'),
    ('claim_sources', 'CREATE INDEX ix_claim_sources_counts_source ON claim_sources (counts, source_id)'),
    ('claim_sources', 'CREATE INDEX ix_claim_sources_direct ON claim_sources (direct)'),
    ('claim_sources', 'CREATE INDEX ix_claim_sources_relation ON claim_sources (relation)'),
    ('claim_sources', 'CREATE INDEX ix_claim_sources_source_id ON claim_sources (source_id)'),
    ('claim_sources', 'CREATE INDEX ix_claim_sources_source_relation ON claim_sources (source_id, relation)'),
    ('findings', 'CREATE INDEX ix_findings_claim_id ON findings (claim_id)'),
    ('findings', 'CREATE INDEX ix_findings_code ON findings (code)'),
    ('findings', 'CREATE INDEX ix_findings_guide_id ON findings (guide_id)'),
    ('findings', 'CREATE INDEX ix_findings_severity ON findings (severity)'),
    ('findings', 'CREATE INDEX ix_findings_source_id ON findings (source_id)'),
    ('guide_references', 'CREATE INDEX ix_guide_references_source_id ON guide_references (source_id)'),
    ('source_authors', 'CREATE INDEX ix_source_authors_family ON source_authors (family)'),
    ('source_authors', 'CREATE INDEX ix_source_authors_orcid ON source_authors (orcid)'),
    ('source_updates', 'CREATE INDEX ix_source_updates_origin ON source_updates (origin)'),
    ('source_updates', 'CREATE INDEX ix_source_updates_source_id ON source_updates (source_id)'),
    ('source_updates', 'CREATE INDEX ix_source_updates_update_type ON source_updates (update_type)'),
)

TABLE = {table.name: table for table in TABLES}
