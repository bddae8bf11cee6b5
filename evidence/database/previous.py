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
from collections.abc import Iterable, Iterator
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


def read_last_good(database: Path, guides: Iterable[str] = (),
                   orphans_of: Iterable[str] = ()) -> LastGood:
    """The previous database's files of ``guides`` and the claim placements of
    the guides in ``orphans_of``: only what the build falls back on (reading
    every guide's text would cost a build of many guides more than it needs)."""
    last = LastGood()
    guides, orphans_of = sorted(set(guides)), sorted(set(orphans_of))
    if not Path(database).exists() or not (guides or orphans_of):
        return last
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
            if guides and {"text", "claims_text", "stale"} <= _columns(conn, "guides"):
                for chunk in _chunks(guides):
                    marks = ", ".join("?" * len(chunk))
                    for row in conn.execute(
                            "select id, text, claims_text, path, claims_path, built_at "
                            f"from guides where text is not null and id in ({marks})", chunk):
                        last.guides[row[0]] = GoodGuide(*row)
            if orphans_of and {"id", "guide_id", "section_id", "start", "end", "line"} <= \
                    _columns(conn, "claims"):
                for chunk in _chunks(orphans_of):
                    marks = ", ".join("?" * len(chunk))
                    for row in conn.execute(
                            "select id, guide_id, section_id, start, [end], line from claims "
                            f"where guide_id in ({marks})", chunk):
                        last.placements[row[0]] = (row[1], Placement(*row[2:]))
    except sqlite3.Error:
        return LastGood()
    return last


def _chunks(values: list[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


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
