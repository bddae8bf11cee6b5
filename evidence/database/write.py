"""Writing evidence.db: tables, rows in bulk, then indexes and full-text search.

Shared by the full build (a new file) and the incremental rebuild (a copy of
the previous database); both rename their file into place only when complete.
"""

from __future__ import annotations

from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

from evidence.database.result import Counts
from evidence.database.rows import Rows, collect_findings, resolve_finding_keys
from evidence.errors import EvidenceError
from evidence.project import Project

if TYPE_CHECKING:
    from evidence.database.reach import Reach


def write_database(project: Project, path: Path, digest: str,
                   reach: Reach | None = None) -> Counts:
    """Write every row of the project to ``path``; with ``reach``, the errors the
    build carries and its findings about what it kept or left out."""
    from sqlalchemy.exc import SQLAlchemyError

    from evidence.database import schema as m

    problems = [str(p) for p in reach.problems] if reach else []
    rows = Rows.from_project(project, digest, findings=False, problems=problems)
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
                rows.findings = collect_findings(project, reach.findings if reach else ())
                resolve_finding_keys(rows)
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
    return Counts(len(rows.guides), len(rows.claims), len(rows.sources), len(rows.findings))


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
            for index in sorted(table.indexes, key=lambda i: str(i.name))
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
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
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
