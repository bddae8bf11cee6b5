"""A changed guide's claims and links written again only where they changed.

An edit of a guide changes a few of its claims; the offsets of the claims
after it shift, and the rest stay as they were. Deleting a guide's hundreds of
claims and inserting them again costs every one of the claims table's fourteen
indexes and both full-text indexes per row; this module compares the rows the
rebuild computed with the rows the previous build stored, by their natural key
(a claim's id; a link's claim and position), and deletes, updates or inserts
only what differs. An updated row sets only the columns that changed, so an
index none of whose columns changed is not touched, and the full-text indexes
are told only of the claims whose indexed text changed.

What it writes equals what a full build writes, table by table and in both
full-text indexes (tests/database/test_incremental.py); only the surrogate
``claim_sources.id`` of a new link differs, as it would after any rebuild.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter

from evidence.database.fts import FOLDED_TABLES, FTS_TABLES, folded_statements
from evidence.database.write import insert_rows

CLAIMS_TEXT = FTS_TABLES["claims"]


@dataclass(frozen=True)
class Change:
    """What a comparison of a table's stored rows with its new rows found."""

    removed: list[tuple]  # the stored rows (surrogate key first) that are no more
    updated: list[tuple[tuple, dict]]  # (stored row, the columns whose values changed)
    added: list[dict]  # the new rows without a stored one

    def __bool__(self) -> bool:
        return bool(self.removed or self.updated or self.added)


def compare(stored: Iterable[tuple], new: Sequence[dict], columns: Sequence[str],
            key: Sequence[str]) -> Change:
    """Compare rows read as (surrogate key, *columns) with new rows as dicts.

    SQLite gives booleans back as 0 and 1, which equal False and True; every
    other value comes back as it was written.
    """
    # Keys and values taken in C (itemgetter; a one-column key is the value
    # itself, on both sides alike), and a row's values compared as one tuple:
    # most rows are unchanged, and only a changed one is compared column by column.
    stored_key = itemgetter(*[columns.index(k) + 1 for k in key])
    new_key = itemgetter(*key)
    values_of = itemgetter(*columns)
    old = {stored_key(row): row for row in stored}
    updated: list[tuple[tuple, dict]] = []
    added: list[dict] = []
    for row in new:
        before = old.pop(new_key(row), None)
        if before is None:
            added.append(row)
            continue
        values = values_of(row)
        if len(columns) == 1:
            values = (values,)
        stored_values = before[1:]
        if values == stored_values:
            continue
        changed = {c: v for c, v, b in zip(columns, values, stored_values, strict=True) if b != v}
        updated.append((before, changed))
    removed = list(old.values())
    return Change(removed, updated, added)


def sync_guides_claims(conn: sqlite3.Connection, touched: Sequence[str], claims: list[dict],
                       links: list[dict]) -> None:
    """Make the touched guides' claims and links those given, writing only the difference."""
    marks = _marks(touched)
    claim_columns = _columns(conn, "claims", exclude="")
    link_columns = _columns(conn, "claim_sources", exclude="id")
    claims_change = compare(
        conn.execute(f"select rowid, {_list(claim_columns)} from claims "
                     f"where guide_id in ({marks})", tuple(touched)),
        claims, claim_columns, ("id",))
    links_change = compare(
        conn.execute(f"select cs.id, {_list(link_columns, 'cs')} from claim_sources cs "
                     f"join claims c on c.id = cs.claim_id where c.guide_id in ({marks})",
                     tuple(touched)),
        links, link_columns, ("claim_id", "position"))
    # Links first: a removed claim's links go before it, a new claim's come after it.
    _delete(conn, "claim_sources", "id", [row[0] for row in links_change.removed])
    _sync_claims(conn, claims_change, claim_columns)
    _update(conn, "claim_sources", "id", links_change.updated)
    insert_rows(conn, "claim_sources", links_change.added)


def _sync_claims(conn: sqlite3.Connection, change: Change, columns: list[str]) -> None:
    text_at = [columns.index(c) + 1 for c in CLAIMS_TEXT]
    reindexed = [before for before, changed in change.updated
                 if any(c in changed for c in CLAIMS_TEXT)]
    # The external-content index must be told the old text before it goes.
    fts = f"insert into claims_fts (claims_fts, rowid, {_list(CLAIMS_TEXT)}) " \
          f"values ('delete', ?, {_marks(CLAIMS_TEXT)})"
    conn.executemany(fts, [(row[0], *(row[i] for i in text_at))
                           for row in (*change.removed, *reindexed)])
    conn.executemany(f"delete from [{FOLDED_TABLES['claims']}] where rowid = ?",
                     [(row[0],) for row in (*change.removed, *reindexed)])
    _delete(conn, "claims", "rowid", [row[0] for row in change.removed])
    _update(conn, "claims", "rowid", change.updated)
    insert_rows(conn, "claims", change.added)
    ids = [row[1 + columns.index("id")] for row in reindexed] + [c["id"] for c in change.added]
    for start in range(0, len(ids), 500):  # well within SQLite's limit of variables
        chunk = ids[start:start + 500]
        conn.execute(f"insert into claims_fts (rowid, {_list(CLAIMS_TEXT)}) "
                     f"select rowid, {_list(CLAIMS_TEXT)} from claims "
                     f"where id in ({_marks(chunk)})", chunk)
        for statement in folded_statements("claims", f"id in ({_marks(chunk)})"):
            conn.execute(statement, chunk)


def _delete(conn: sqlite3.Connection, table: str, key: str, values: list) -> None:
    conn.executemany(f"delete from [{table}] where [{key}] = ?", [(v,) for v in values])


def _update(conn: sqlite3.Connection, table: str, key: str,
            updated: list[tuple[tuple, dict]]) -> None:
    """Set each row's changed columns only (the surrogate key is the stored row's first)."""
    for before, changed in updated:
        assignments = ", ".join(f"[{c}] = ?" for c in changed)
        conn.execute(f"update [{table}] set {assignments} where [{key}] = ?",
                     (*changed.values(), before[0]))


def _columns(conn: sqlite3.Connection, table: str, exclude: str) -> list[str]:
    return [row[1] for row in conn.execute(f"pragma table_info([{table}])") if row[1] != exclude]


def _list(columns: Iterable[str], alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return ", ".join(f"{prefix}[{c}]" for c in columns)


def _marks(values: Sequence) -> str:
    return ", ".join("?" * len(values)) or "null"
