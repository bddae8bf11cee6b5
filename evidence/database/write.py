"""Writing evidence.db: tables, rows in bulk, then indexes and full-text search.

Shared by the full build (a new file) and the incremental rebuild (a copy of
the previous database); both rename their file into place only when complete.
Written through sqlite3 with the SQL of evidence/database/ddl.py (compiled
from the models once, held equal to them by a test): a build imports no
SQLAlchemy.
"""

from __future__ import annotations

import sqlite3
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

from evidence.database.ddl import INDEXES, TABLE, TABLES
from evidence.database.fts import fts_statements
from evidence.database.result import Counts
from evidence.database.rows import RowKeys, Rows, collect_findings, resolve_finding_keys
from evidence.errors import EvidenceError
from evidence.project import Project

if TYPE_CHECKING:
    from evidence.check.text import RepeatMemo
    from evidence.database.reach import Reach


def write_database(project: Project, path: Path, digest: str,
                   reach: Reach | None = None, repeats: RepeatMemo | None = None) -> Counts:
    """Write every row of the project to ``path``; with ``reach``, the errors the
    build carries and its findings about what it kept or left out; ``repeats``
    is given the check's near-repeat results (for the build state)."""
    problems = [str(p) for p in reach.problems] if reach else []
    conn = connect(path)
    try:
        conn.execute("BEGIN")
        # Tables first, rows in bulk, then indexes and full-text search over
        # the loaded tables: building an index once is cheaper than keeping
        # it sorted through 500,000 inserts.
        create_tables(conn)
        # A batch's rows go as soon as they are written: what the findings'
        # keys are checked against is all that is kept of them.
        keys = RowKeys(set(), {}, set())
        for batch in Rows.batches(project, digest, problems=problems):
            for table, values in batch.tables():
                insert_rows(conn, table, values)
            batch.add_keys_to(keys)
            batch.release()
        counts = Counts(len(keys.guides), len(keys.claims), len(keys.sources), 0)
        # SQLite builds the indexes and the full-text index on a thread of
        # its own (without Python's lock) while the check computes the
        # findings here: two cores at work instead of one.
        indexing = _Indexing(conn, exclude=FINDINGS)
        try:
            findings = collect_findings(project, reach.findings if reach else (), repeats)
            resolve_finding_keys(findings, keys)
        finally:
            indexing.finish()
        insert_rows(conn, FINDINGS, findings)
        create_indexes(conn, only=FINDINGS)
        check_foreign_keys(conn)
        conn.execute("COMMIT")
        # Statistics for the query planner (the publication's facets and
        # joins), from a sample of each index as PRAGMA optimize takes them:
        # the planner needs their proportions, not exact counts, and reading
        # every index cost 0.3 s of a 100,000-claim build.
        conn.execute("PRAGMA analysis_limit = 1000")
        conn.execute("ANALYZE")
    except sqlite3.Error as exc:
        raise EvidenceError(f"could not write the database {path}: "
                            f"({type(exc).__module__}.{type(exc).__name__}) {exc}") from exc
    finally:
        conn.close()
    return Counts(counts.guides, counts.claims, counts.sources, len(findings))


FINDINGS = "findings"


class _Indexing:
    """CREATE INDEX and the FTS statements on a thread, on the same connection
    and in the same transaction; the caller uses the connection only after
    finish()."""

    def __init__(self, conn: sqlite3.Connection, exclude: str):
        import threading

        self.statements = [sql for table, sql in INDEXES if table != exclude] + fts_statements()
        self.conn = conn
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="evidence-indexing", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            for statement in self.statements:
                self.conn.execute(statement)
        except BaseException as exc:  # noqa: BLE001 - raised again by finish()
            self.error = exc

    def finish(self) -> None:
        self.thread.join()
        if self.error is not None:
            raise EvidenceError(f"could not index the database: {self.error}") from self.error


def connect(path: Path) -> sqlite3.Connection:
    """A connection for writing the build's file, in autocommit mode (the
    caller says BEGIN and COMMIT): sqlite3 alone, no SQLAlchemy to import."""
    # check_same_thread off: the indexes are built on a thread of their own
    # (_Indexing), the connection used by one thread at a time.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    # The file is private until renamed into place: durability comes from
    # the rename, so the build can skip the journal and fsyncs. Foreign keys
    # are checked once, after loading (check_foreign_keys), not per row.
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("PRAGMA cache_size = -65536")  # 64 MiB for sorting the indexes
    return conn


def create_tables(conn: sqlite3.Connection) -> None:
    for table in TABLES:
        conn.execute(table.create)


def create_indexes(conn: sqlite3.Connection, only: str | None = None) -> None:
    for table, sql in INDEXES:
        if only is None or table == only:
            conn.execute(sql)


def check_foreign_keys(conn: sqlite3.Connection) -> None:
    """Every foreign key resolves: a broken link is a bug, never published."""
    broken = conn.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise EvidenceError(f"internal error: dangling foreign keys {broken[:5]}")


def insert_rows(conn: sqlite3.Connection, table: str, values: list[dict]) -> None:
    """One executemany of the table's INSERT.

    Rows go to the driver as tuples in column order. The values are what the
    driver stores anyway (str, int, bool as 0/1, None); a column a row leaves
    out takes the model's default (ddl.Table.defaults), else NULL.
    """
    if not values:
        return
    spec = TABLE[table]
    # The columns the rows give (an autoincrement id is left to SQLite), when
    # every row gives the same ones and every column with a default; else
    # every column, its default or NULL where left out.
    first = values[0]
    columns = [c for c in spec.columns if c in first]
    try:
        if (len(columns) != len(first) or any(c not in first for c in spec.defaults)
                or set(map(len, values)) != {len(first)}):
            raise KeyError
        params = list(map(itemgetter(*columns), values)) if len(columns) > 1 else [
            (row[columns[0]],) for row in values]
    except KeyError:
        columns = list(spec.columns)
        defaults = spec.defaults
        params = [tuple(row.get(c, defaults.get(c)) for c in columns) for row in values]
    names = ", ".join(columns)
    marks = ", ".join("?" * len(columns))
    conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", params)
