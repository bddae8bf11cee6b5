"""What a build reports: whether it wrote, and the rows of the main tables.

A module of its own, with no heavy import: finding that evidence.db is up to
date (``evidence build`` with nothing changed) must take well under half a
second, imports included, so it must not load the rows or the parsers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class BuildResult:
    database: Path
    built: bool  # False when the database was already up to date
    guides: int = 0
    claims: int = 0
    sources: int = 0
    findings: int = 0
    incremental: bool = False  # True when only the changed guides were written again
    # The errors that remain (problems the build worked around): exit 1 when any.
    problems: list[str] = field(default_factory=list)

    @classmethod
    def written(cls, database: Path, counts: Counts, *, incremental: bool = False) -> BuildResult:
        return cls(database, True, counts.guides, counts.claims, counts.sources, counts.findings,
                   incremental)


@dataclass(frozen=True)
class Counts:
    """The rows of the main tables in a database just written."""

    guides: int
    claims: int
    sources: int
    findings: int
