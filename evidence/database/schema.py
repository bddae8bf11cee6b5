"""The published database (DESIGN §4): SQLAlchemy ORM models.

Column names are a public contract: Datasette users, canned queries and
downstream scripts rely on them. Add columns; never rename.
"""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from evidence import SCHEMA_VERSION  # noqa: F401 - defined beside __version__, re-exported


class Base(DeclarativeBase):
    pass


class Guide(Base):
    __tablename__ = "guides"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String)
    path: Mapped[str] = mapped_column(Text, doc="guide.md, relative to the project")
    sha256: Mapped[str] = mapped_column(String)
    built_at: Mapped[str] = mapped_column(String)
    claims_path: Mapped[str | None] = mapped_column(Text)
    claims_sha256: Mapped[str | None] = mapped_column(String)
    style: Mapped[str | None] = mapped_column(String, doc="CSL style of the guide's bibliography")
    method: Mapped[str | None] = mapped_column(
        Text, doc="how the guide's evidence was linked (guide.method in claims.yaml)")
    claim_count: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str | None] = mapped_column(Text, doc="guide.md as built, for context")
    claims_text: Mapped[str | None] = mapped_column(
        Text, doc="claims.yaml as built: what a later build keeps when the file cannot be read")
    stale: Mapped[bool] = mapped_column(
        Boolean, default=False, index=True,
        doc="1 when the guide's files could not be built: its last good rows are shown")
    stale_reason: Mapped[str | None] = mapped_column(Text)
    history_sha256: Mapped[str | None] = mapped_column(
        String, doc="hash of claims/<guide>/history.yaml as built (none when absent)")


class Section(Base):
    __tablename__ = "sections"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    guide_id: Mapped[str] = mapped_column(ForeignKey("guides.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    heading: Mapped[str] = mapped_column(Text)
    level: Mapped[int] = mapped_column(Integer)
    line: Mapped[int | None] = mapped_column(Integer)
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
    claim_count: Mapped[int] = mapped_column(Integer, default=0)


class Tier(Base):
    __tablename__ = "tiers"

    code: Mapped[str] = mapped_column(String, primary_key=True)
    label: Mapped[str] = mapped_column(Text)
    rank: Mapped[int] = mapped_column(Integer)


class StudyDesign(Base):
    __tablename__ = "study_designs"

    code: Mapped[str] = mapped_column(String, primary_key=True)
    label: Mapped[str] = mapped_column(Text)
    tier: Mapped[str] = mapped_column(ForeignKey("tiers.code"), index=True)
    ocebm_level: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)


class BasisRow(Base):
    __tablename__ = "bases"

    code: Mapped[str] = mapped_column(String, primary_key=True)
    label: Mapped[str] = mapped_column(Text)
    rank: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)


class Claim(Base):
    __tablename__ = "claims"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    guide_id: Mapped[str] = mapped_column(ForeignKey("guides.id"), index=True)
    section_id: Mapped[str | None] = mapped_column(ForeignKey("sections.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, index=True,
                                          doc="order of the claim in its guide")
    quote: Mapped[str] = mapped_column(Text)
    prefix: Mapped[str | None] = mapped_column(Text)
    suffix: Mapped[str | None] = mapped_column(Text)
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
    type: Mapped[str | None] = mapped_column(String, index=True)
    basis: Mapped[str] = mapped_column(ForeignKey("bases.code"), index=True)
    indirect: Mapped[bool] = mapped_column(Boolean, index=True)
    contested: Mapped[bool] = mapped_column(Boolean, index=True)
    consensus: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String, index=True)
    reviewed_by: Mapped[str | None] = mapped_column(Text)
    reviewed_on: Mapped[str | None] = mapped_column(String)
    review_note: Mapped[str | None] = mapped_column(Text)
    line: Mapped[int | None] = mapped_column(Integer, doc="line of the quote in guide.md")
    claims_line: Mapped[int | None] = mapped_column(Integer, doc="line of the claim in claims.yaml")
    supporting_sources: Mapped[int] = mapped_column(Integer, default=0, index=True)
    note: Mapped[str | None] = mapped_column(Text)
    anchor: Mapped[str] = mapped_column(
        String, default="exact", index=True,
        doc="exact: the quote stands in guide.md; orphaned: it no longer does, and section, "
            "position and offsets are those of its last good anchoring")
    stale_reason: Mapped[str | None] = mapped_column(
        Text, doc="why a verdict lapsed (status stale): what changed since it was given")


class RetiredClaim(Base):
    """A claim taken out of its guide (``evidence retire``): not published as a
    claim, and its id is never reused."""

    __tablename__ = "retired_claims"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    guide_id: Mapped[str] = mapped_column(ForeignKey("guides.id"), index=True)
    quote: Mapped[str | None] = mapped_column(Text, doc="the claim's last quote")
    reason: Mapped[str] = mapped_column(Text)
    date: Mapped[str | None] = mapped_column(String, doc="when it was retired")
    line: Mapped[int | None] = mapped_column(Integer, doc="line of the entry in claims.yaml")


class ClaimHistory(Base):
    """What editors did to a guide's claims (claims/<guide>/history.yaml), oldest
    first: every verdict, link, re-anchoring and retirement, from the CLI or the desk."""

    __tablename__ = "claim_history"

    guide_id: Mapped[str] = mapped_column(ForeignKey("guides.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True,
                                          doc="order in history.yaml, from 1")
    claim_id: Mapped[str] = mapped_column(String, index=True,
                                          doc="the claim's id (retired claims' too)")
    action: Mapped[str] = mapped_column(
        String, index=True, doc="review, link, consensus, reanchor, retire, draft or not-claim")
    by: Mapped[str | None] = mapped_column(Text, doc="the editor")
    at: Mapped[str] = mapped_column(String, doc="when, ISO 8601 in UTC")
    before: Mapped[str] = mapped_column(Text, doc="what changed, as it was (JSON)")
    after: Mapped[str] = mapped_column(Text, doc="what it became (JSON)")
    line: Mapped[int | None] = mapped_column(Integer, doc="line of the entry in history.yaml")


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(String, primary_key=True, doc="the citekey")
    doi: Mapped[str | None] = mapped_column(String, index=True)
    entry_type: Mapped[str] = mapped_column(String, index=True)
    title: Mapped[str | None] = mapped_column(Text)
    container_title: Mapped[str | None] = mapped_column(Text)
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    volume: Mapped[str | None] = mapped_column(String)
    issue: Mapped[str | None] = mapped_column(String)
    pages: Mapped[str | None] = mapped_column(String)
    authors: Mapped[str | None] = mapped_column(Text, doc="display form: 'Family G, Family G'")
    study_design: Mapped[str | None] = mapped_column(ForeignKey("study_designs.code"), index=True)
    tier: Mapped[str | None] = mapped_column(ForeignKey("tiers.code"), index=True)
    metadata_source: Mapped[str | None] = mapped_column(String, index=True)
    retracted: Mapped[bool] = mapped_column(Boolean, index=True)
    pmid: Mapped[str | None] = mapped_column(String, doc="PubMed's record (pubtypes field)")
    pubtypes: Mapped[str | None] = mapped_column(
        Text, doc="PubMed's publication types, '; '-joined: never the study design")
    line: Mapped[int | None] = mapped_column(Integer, doc="line of the entry in references.bib")
    bibtex: Mapped[str | None] = mapped_column(Text, doc="the entry as written in references.bib")
    claim_count: Mapped[int] = mapped_column(Integer, default=0)


class SourceAuthor(Base):
    __tablename__ = "source_authors"

    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    family: Mapped[str] = mapped_column(Text, index=True)
    given: Mapped[str | None] = mapped_column(Text)
    orcid: Mapped[str | None] = mapped_column(String, index=True)


class ClaimSource(Base):
    __tablename__ = "claim_sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id"), index=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    relation: Mapped[str] = mapped_column(String, index=True)
    direct: Mapped[bool] = mapped_column(Boolean, index=True)
    locator: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[bool] = mapped_column(
        Boolean, default=False,
        doc="the link counts toward the claim's basis: it supports and its source is not "
            "retracted (the grading rule, applied at build time)")


class SourceCsl(Base):
    """Each source as a CSL-JSON item (LaTeX decoded), what the publication formats
    and exports: stored so that it need not parse references.bib."""

    __tablename__ = "source_csl"

    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), primary_key=True)
    csl_json: Mapped[str] = mapped_column(Text)


class GuideReference(Base):
    """A guide's bibliography in its numbering: its printed reference list (Kilder)
    first, then first citation (DESIGN §8), as ``evidence bibliography`` numbers it."""

    __tablename__ = "guide_references"

    guide_id: Mapped[str] = mapped_column(ForeignKey("guides.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True, doc="its number, from 1")
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    printed: Mapped[bool] = mapped_column(Boolean, doc="listed in the guide's printed references")


class Block(Base):
    """The guide's paragraphs, list items and headings with their spans in guide.md:
    a claim's context on its page, and the reading view's structure."""

    __tablename__ = "blocks"

    guide_id: Mapped[str] = mapped_column(ForeignKey("guides.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    section_id: Mapped[str | None] = mapped_column(ForeignKey("sections.id"), index=True)
    kind: Mapped[str] = mapped_column(String, doc="paragraph, item or heading")
    start: Mapped[int] = mapped_column(Integer, doc="offset of its text in guide.md")
    end: Mapped[int] = mapped_column(Integer)
    line: Mapped[int] = mapped_column(Integer)


class SourceUpdate(Base):
    __tablename__ = "source_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    update_type: Mapped[str] = mapped_column(String, index=True)
    notice_doi: Mapped[str | None] = mapped_column(String)
    updated: Mapped[str | None] = mapped_column(String)
    label: Mapped[str] = mapped_column(Text)
    origin: Mapped[str | None] = mapped_column(String, index=True)


class Finding(Base):
    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guide_id: Mapped[str | None] = mapped_column(ForeignKey("guides.id"), index=True)
    claim_id: Mapped[str | None] = mapped_column(ForeignKey("claims.id"), index=True)
    source_id: Mapped[str | None] = mapped_column(ForeignKey("sources.id"), index=True)
    severity: Mapped[str] = mapped_column(String, index=True)
    code: Mapped[str] = mapped_column(String, index=True)
    message: Mapped[str] = mapped_column(Text)


class BuildInfo(Base):
    """One row: what the database was built from, to skip needless rebuilds."""

    __tablename__ = "_evidence_build"

    input_sha256: Mapped[str] = mapped_column(String, primary_key=True)
    built_at: Mapped[str] = mapped_column(String)
    evidence_version: Mapped[str] = mapped_column(String)
    schema_version: Mapped[str] = mapped_column(String)
    # The build's errors (problems of the input it built around), one JSON list of
    # messages: a rebuild with nothing changed reports them again and exits 1.
    errors: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[str | None] = mapped_column(Text)


Index("ix_claims_guide_position", Claim.guide_id, Claim.position)
Index("ix_claim_sources_source_relation", ClaimSource.source_id, ClaimSource.relation)
Index("ix_claim_sources_counts_source", ClaimSource.counts, ClaimSource.source_id)
Index("ix_blocks_guide_start", Block.guide_id, Block.start)

# Covering indexes for the claims page's facets (evidence.publish): each starts
# with one faceted column and holds the others, so a facet count under any
# filter on the others reads the index alone, never the wide claims rows
# (100,000 claims: a filtered claims page in 0.1 s instead of 0.6 s).
_FACETED = ("basis", "type", "status", "indirect", "contested", "section_id")
for _first in _FACETED:
    Index(f"ix_claims_facet_{_first}",
          *(getattr(Claim, c) for c in (_first, *(c for c in _FACETED if c != _first))))

# The full-text indexes (FTS5) are declared in evidence/database/fts.py, which
# needs no SQLAlchemy; re-exported here for the modules that read them from the schema.
from evidence.database.fts import (  # noqa: E402
    FOLDED_TABLES,
    FOLDS,
    FTS_TABLES,
    fold_sql,
    folded_statements,
    fts_statements,
)

__all__ = ["FOLDED_TABLES", "FOLDS", "FTS_TABLES", "fold_sql", "folded_statements",
           "fts_statements"]


def ddl_module() -> str:
    """The text of evidence/database/ddl.py: every table's CREATE TABLE, columns
    and Python-side defaults, and every CREATE INDEX, as SQLAlchemy compiles
    them for SQLite, in the order the build runs them (tables sorted by their
    foreign keys; each table's indexes by name)."""
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.schema import ColumnDefault, CreateIndex, CreateTable

    dialect = sqlite.dialect()
    lines = [
        '"""evidence.db\'s SQL, compiled from the models of evidence/database/schema.py.',
        "",
        "Generated: do not edit. The build writes through sqlite3 alone, without",
        "importing SQLAlchemy (a third of a small rebuild's time went to importing it",
        "and declaring the models); tests/database/test_ddl.py holds this file equal",
        "to what SQLAlchemy compiles from the models. After changing a model:",
        "",
        "    .venv/bin/python -m evidence.database.schema > evidence/database/ddl.py",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from typing import NamedTuple",
        "",
        "",
        "class Table(NamedTuple):",
        "    name: str",
        "    create: str  # CREATE TABLE",
        "    columns: tuple[str, ...]  # in the table's order",
        "    defaults: dict[str, object]  # the models' Python-side defaults, by column",
        "",
        "",
        "TABLES: tuple[Table, ...] = (",
    ]
    for table in Base.metadata.sorted_tables:
        create = str(CreateTable(table).compile(dialect=dialect))
        defaults = {c.name: c.default.arg for c in table.columns
                    if isinstance(c.default, ColumnDefault) and c.default.is_scalar}
        lines.append(f"    Table({table.name!r},")
        lines.append(f"          {create!r},")
        lines.append(f"          {tuple(c.name for c in table.columns)!r},")
        lines.append(f"          {defaults!r}),")
    lines += [")", "", "# (table, CREATE INDEX), tables in the order above, each table's indexes by name.",
              "INDEXES: tuple[tuple[str, str], ...] = ("]
    for table in Base.metadata.sorted_tables:
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            lines.append(f"    ({table.name!r}, "
                         f"{str(CreateIndex(index).compile(dialect=dialect))!r}),")
    lines += [")", "", "TABLE = {table.name: table for table in TABLES}", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(ddl_module(), end="")
