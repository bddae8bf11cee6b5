"""What the previous evidence.db holds that a build with errors falls back on.

A build never stops for a problem confined to one claim or one guide
(DESIGN §4 and "What an error takes down" in docs/DESIGN.md): an orphaned
claim keeps the place of its last good anchoring, and a guide whose files
cannot be read keeps its last good rows. Both come from the database the
build is about to replace, read here once, read-only, before anything is
written. A database that cannot be read, or that an older schema wrote
without the files a guide was built from, simply has nothing to offer.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from evidence.project import Placement


@dataclass(frozen=True)
class GoodGuide:
    """A guide's files as the last build that could read them built it."""

    id: str
    guide_text: str
    claims_text: str | None
    path: str  # guide.md, relative to the project
    claims_path: str | None
    built_at: str


@dataclass
class LastGood:
    guides: dict[str, GoodGuide] = field(default_factory=dict)
    placements: dict[str, tuple[str, Placement]] = field(default_factory=dict)  # claim -> guide

    def placement(self, guide_id: str, claim_id: str) -> Placement | None:
        found = self.placements.get(claim_id)
        return found[1] if found is not None and found[0] == guide_id else None


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"pragma table_info([{table}])")}


def read_last_good(database: Path) -> LastGood:
    """The previous database's guides (with their files) and claim placements."""
    last = LastGood()
    if not Path(database).exists():
        return last
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
            guide_columns = _columns(conn, "guides")
            if {"text", "claims_text", "stale"} <= guide_columns:
                for row in conn.execute(
                        "select id, text, claims_text, path, claims_path, built_at from guides "
                        "where text is not null"):
                    last.guides[row[0]] = GoodGuide(*row)
            if {"id", "guide_id", "section_id", "start", "end", "line"} <= _columns(conn, "claims"):
                for row in conn.execute(
                        "select id, guide_id, section_id, start, [end], line from claims"):
                    last.placements[row[0]] = (row[1], Placement(row[2], row[3], row[4], row[5]))
    except sqlite3.Error:
        return LastGood()
    return last


@dataclass(frozen=True)
class StoredBuild:
    """What the database records of the build that wrote it."""

    input_sha256: str
    problems: list[str]


def stored_build(database: Path) -> StoredBuild | None:
    """The input digest and the errors recorded in an existing database, if readable."""
    if not Path(database).exists():
        return None
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
            if "problems" in _columns(conn, "_evidence_build"):
                row = conn.execute("select input_sha256, problems from _evidence_build").fetchone()
            else:
                row = conn.execute("select input_sha256, null from _evidence_build").fetchone()
    except sqlite3.Error:
        return None
    if not row:
        return None
    try:
        problems = [str(p) for p in json.loads(row[1])] if row[1] else []
    except (ValueError, TypeError):
        problems = ["the previous build's errors cannot be read: rebuild with --force"]
    return StoredBuild(row[0], problems)


def stale_guides(database: Path) -> list[tuple[str, str]]:
    """(guide id, why) of every guide the database shows from its last good files."""
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
            if "stale" not in _columns(conn, "guides"):
                return []
            return [(r[0], r[1] or "") for r in conn.execute(
                "select id, stale_reason from guides where stale order by id")]
    except sqlite3.Error:
        return []
