"""``evidence build``: the text files in git, baked into evidence.db.

The database is written to a temporary file beside the target and renamed
into place only when complete, so a failed or concurrent build never leaves
a half-written database and the previous one survives any error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import sqlite3
from dataclasses import asdict, dataclass
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

from evidence import SCHEMA_VERSION, __version__
from evidence.errors import EvidenceError
from evidence.perf import collector_paused
from evidence.project import Project, input_digest

if TYPE_CHECKING:
    from evidence.bib.references import Source

# SQLAlchemy, the models and the rest are imported where used: finding that
# evidence.db is up to date must take well under half a second, imports included.

DEFAULT_DATABASE = "evidence.db"


@dataclass
class BuildResult:
    database: Path
    built: bool  # False when the database was already up to date
    guides: int = 0
    claims: int = 0
    sources: int = 0
    findings: int = 0
    incremental: bool = False  # True when only the changed guides were written again


def build_digest(root: Path) -> str:
    return input_digest(root, extra=f"evidence {__version__} schema {SCHEMA_VERSION}")


def stored_digest(database: Path) -> str | None:
    """The input digest recorded in an existing database, if readable."""
    if not database.exists():
        return None
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
            row = conn.execute("select input_sha256 from _evidence_build").fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def is_stale(root: Path, database: Path) -> bool:
    return stored_digest(database) != build_digest(root)


def build(root: Path | str = ".", database: Path | str | None = None, *,
          force: bool = False) -> BuildResult:
    root = Path(root)
    database = Path(database) if database else root / DEFAULT_DATABASE
    if not database.parent.is_dir():
        raise EvidenceError(f"cannot write {database}: the folder {database.parent} does not "
                            "exist (create it, or choose another --database)")
    digest = build_digest(root)
    if not force and stored_digest(database) == digest:
        return BuildResult(database, built=False)
    from evidence.atomic import atomic_path
    from evidence.database import incremental
    from evidence.database.parallel import load_project_parallel

    with collector_paused():
        if not force:
            result = incremental.rebuild(root, database, digest)
            if result is not None:
                return result
        # Raises InputError before anything is written.
        project = load_project_parallel(root)
        with atomic_path(database, suffix=".db.tmp") as tmp:
            counts = write_database(project, tmp, digest)
        try:
            incremental.write_state(database, digest, project)
        except OSError:
            pass  # without its state the next build is a full one
    return BuildResult(database, True, **counts)


def write_database(project: Project, path: Path, digest: str) -> dict[str, int]:
    from sqlalchemy.exc import SQLAlchemyError

    from evidence.database import schema as m

    rows = Rows.from_project(project, digest, findings=False)
    engine = build_engine(path)
    try:
        with engine.begin() as conn:
            # Tables first, rows in bulk, then indexes and full-text search over
            # the loaded tables: building an index once is cheaper than keeping
            # it sorted through 500,000 inserts.
            create_tables(conn)
            for model, values in rows.tables():
                insert_rows(conn, model.__table__, values)
            # SQLite builds the indexes and the full-text index on a thread of
            # its own (without Python's lock) while the check computes the
            # findings here: two cores at work instead of one.
            indexing = _Indexing(conn, exclude=m.Finding.__table__)
            try:
                rows.findings = collect_findings(project)
            finally:
                indexing.finish()
            insert_rows(conn, m.Finding.__table__, rows.findings)
            create_indexes(conn, only=m.Finding.__table__)
            check_foreign_keys(conn)
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    except SQLAlchemyError as exc:
        raise EvidenceError(f"could not write the database {path}: {exc}") from exc
    finally:
        engine.dispose()
    return {
        "guides": len(rows.guides),
        "claims": len(rows.claims),
        "sources": len(rows.sources),
        "findings": len(rows.findings),
    }


class _Indexing:
    """CREATE INDEX and the FTS statements on a thread, on the same connection
    and in the same transaction; the caller uses the connection only after
    finish()."""

    def __init__(self, conn, exclude):
        import threading

        from sqlalchemy.schema import CreateIndex

        from evidence.database import schema as m

        dialect = conn.dialect
        self.statements = [
            str(CreateIndex(index).compile(dialect=dialect))
            for table in m.Base.metadata.sorted_tables if table is not exclude
            for index in sorted(table.indexes, key=lambda i: i.name)
        ] + m.fts_statements()
        self.driver = conn.connection.driver_connection
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="evidence-indexing", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            for statement in self.statements:
                self.driver.execute(statement)
        except BaseException as exc:  # noqa: BLE001 - raised again by finish()
            self.error = exc

    def finish(self) -> None:
        self.thread.join()
        if self.error is not None:
            raise EvidenceError(f"could not index the database: {self.error}") from self.error


def build_engine(path: Path):
    from sqlalchemy import create_engine, event

    # check_same_thread off: the indexes are built on a thread of their own
    # (_Indexing), the connection used by one thread at a time.
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):
        # The file is private until renamed into place: durability comes from
        # the rename, so the build can skip the journal and fsyncs. Foreign keys
        # are checked once, after loading (check_foreign_keys), not per row.
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode = OFF")
        cursor.execute("PRAGMA synchronous = OFF")
        cursor.execute("PRAGMA foreign_keys = OFF")
        cursor.execute("PRAGMA cache_size = -65536")  # 64 MiB for sorting the indexes
        cursor.close()

    return engine


def create_tables(conn) -> None:
    from sqlalchemy.schema import CreateTable

    from evidence.database import schema as m

    for table in m.Base.metadata.sorted_tables:
        conn.execute(CreateTable(table))


def create_indexes(conn, only=None) -> None:
    from sqlalchemy.schema import CreateIndex

    from evidence.database import schema as m

    for table in m.Base.metadata.sorted_tables:
        if only is not None and table is not only:
            continue
        for index in sorted(table.indexes, key=lambda i: i.name):
            conn.execute(CreateIndex(index))


def check_foreign_keys(conn) -> None:
    """Every foreign key resolves: a broken link is a bug, never published."""
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise EvidenceError(f"internal error: dangling foreign keys {broken[:5]}")


def insert_rows(conn, table, values: list[dict]) -> None:
    """One executemany of the table's INSERT (compiled by SQLAlchemy Core).

    Rows go to the driver as tuples in column order: SQLAlchemy's per-row
    parameter processing would cost more than SQLite's work. The values are
    what the driver stores anyway (str, int, bool as 0/1, None); a column a
    row leaves out is NULL.
    """
    from sqlalchemy import insert

    if not values:
        return
    # The columns the rows give (an autoincrement id is left to SQLite), when
    # every row gives the same ones; else every column, NULL where left out.
    columns = [c.name for c in table.columns if c.name in values[0]]
    try:
        if set(map(len, values)) != {len(values[0])} or len(columns) != len(values[0]):
            raise KeyError
        params = list(map(itemgetter(*columns), values))
    except KeyError:
        columns = [c.name for c in table.columns]
        params = [tuple(row.get(c) for c in columns) for row in values]
    statement = str(insert(table).compile(dialect=conn.dialect, column_keys=columns))
    conn.exec_driver_sql(statement, params)


def display_authors(source: Source) -> str | None:
    """Vancouver-style names ('Sederberg M, Cushman DM') for tables and search."""
    names = []
    for author in source.authors:
        if author.given:
            initials = "".join(p[0] for p in re.split(r"[\s.\-]+", author.given) if p)
            names.append(f"{author.family} {initials}")
        else:
            names.append(author.family)
    return ", ".join(names) or None


@dataclass
class Rows:
    """Every row of the database, computed before anything is written."""

    build_info: list[dict]
    tiers: list[dict]
    designs: list[dict]
    bases: list[dict]
    guides: list[dict]
    sections: list[dict]
    sources: list[dict]
    authors: list[dict]
    updates: list[dict]
    claims: list[dict]
    links: list[dict]
    findings: list[dict]

    def tables(self):
        from evidence.database import schema as m

        return [
            (m.BuildInfo, self.build_info), (m.Tier, self.tiers), (m.StudyDesign, self.designs),
            (m.BasisRow, self.bases), (m.Guide, self.guides), (m.Section, self.sections),
            (m.Source, self.sources), (m.SourceAuthor, self.authors),
            (m.SourceUpdate, self.updates), (m.Claim, self.claims),
            (m.ClaimSource, self.links), (m.Finding, self.findings),
        ]

    @classmethod
    def from_project(cls, project: Project, digest: str, *, findings: bool = True) -> Rows:
        from evidence.scale import BASES, STUDY_DESIGNS, TIERS

        built_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        rows = cls(
            build_info=[{"input_sha256": digest, "built_at": built_at,
                         "evidence_version": __version__, "schema_version": SCHEMA_VERSION}],
            tiers=[asdict(t) for t in TIERS],
            designs=[asdict(d) for d in STUDY_DESIGNS],
            bases=[asdict(b) for b in BASES],
            guides=[], sections=[], sources=[], authors=[], updates=[], claims=[], links=[],
            findings=[],
        )
        cited: dict[str, int] = {}
        for guide in project.guides:
            rows._add_guide(project, guide, built_at, cited)
        for source in project.references:
            rows._add_source(source, cited.get(source.key, 0))
        if findings:
            rows.findings = collect_findings(project)
        return rows

    def _add_guide(self, project: Project, guide, built_at: str, cited: dict[str, int]):
        root = project.root
        claims = guide.claims_in_order()
        per_section: dict[str, int] = {}
        for position, claim in enumerate(claims, start=1):
            anchor = guide.anchors[claim.id]
            grade = project.grade(claim)
            per_section[anchor.section.id] = per_section.get(anchor.section.id, 0) + 1
            supporting = 0
            for number, link in enumerate(claim.evidence, start=1):
                if link.relation == "supports" and not project.source_facts(link.source)[1]:
                    supporting += 1
                cited[link.source] = cited.get(link.source, 0) + 1
                self.links.append({
                    "claim_id": claim.id, "source_id": link.source, "relation": link.relation,
                    "direct": link.direct, "locator": link.locator, "note": link.note,
                    "position": number,
                })
            self.claims.append({
                "id": claim.id, "guide_id": guide.id, "section_id": anchor.section.id,
                "position": position, "quote": claim.quote, "prefix": claim.prefix,
                "suffix": claim.suffix, "start": anchor.start, "end": anchor.end,
                "type": claim.type, "basis": grade.basis, "indirect": grade.indirect,
                "contested": grade.contested, "consensus": claim.consensus,
                "status": claim.review.status, "reviewed_by": claim.review.by,
                "reviewed_on": claim.review.on, "review_note": claim.review.note,
                "line": anchor.line, "claims_line": claim.line,
                "supporting_sources": supporting, "note": claim.note,
            })
        for section in guide.guide.sections:
            self.sections.append({
                "id": section.id, "guide_id": guide.id, "position": section.position,
                "heading": section.heading, "level": section.level, "line": section.line,
                "start": section.start, "end": section.end,
                "claim_count": per_section.get(section.id, 0),
            })
        claims_path = guide.claims_file.path
        self.guides.append({
            "id": guide.id, "title": guide.title, "language": guide.language,
            "path": _relative(guide.guide.path, root), "sha256": guide.guide.sha256,
            "built_at": built_at,
            "claims_path": _relative(claims_path, root) if claims_path.exists() else None,
            "claims_sha256": _sha256_file(claims_path),
            "style": guide.claims_file.meta.style,
            "claim_count": len(claims), "text": guide.guide.text,
        })

    def _add_source(self, source: Source, claim_count: int):
        self.sources.append({
            "id": source.key, "doi": source.doi, "entry_type": source.entry_type,
            "title": source.text("title"), "container_title": source.container_title,
            "year": source.year, "volume": source.text("volume"),
            "issue": source.text("number") or source.text("issue"),
            "pages": source.text("pages"), "authors": display_authors(source),
            "study_design": source.study_design, "tier": source.tier,
            "metadata_source": source.metadata_source, "retracted": source.retracted,
            "line": source.line, "bibtex": source.entry.raw, "claim_count": claim_count,
        })
        for position, author in enumerate(source.authors, start=1):
            self.authors.append({"source_id": source.key, "position": position,
                                 "family": author.family, "given": author.given,
                                 "orcid": author.orcid})
        for update in source.updates:
            self.updates.append({"source_id": source.key, "update_type": update.update_type,
                                 "notice_doi": update.notice_doi, "updated": update.updated,
                                 "label": update.label, "origin": update.origin})


def collect_findings(project: Project) -> list[dict]:
    """Findings of the editorial check, as rows; the check module owns their logic."""
    from evidence.check.rules import run_checks

    return [finding.as_row() for finding in run_checks(project)]


def _relative(path: Path, root: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path(root).resolve()))
    except ValueError:
        return str(path)


def _sha256_file(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
