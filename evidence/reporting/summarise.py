"""Long reports summarised: counts per kind and the first few of each (DESIGN §16).

`evidence check` on a bibliography of 6,000 entries prints tens of thousands
of lines, and `evidence resolve` a line per entry; nobody reads that. Beyond
:data:`LIMIT` lines, both print each kind of message (a finding code, a
resolve outcome such as ``skipped`` or ``updated``) once, with its count and
its first :data:`FIRST` items, and say how to see everything (``--full``).
A kind is whatever the report says it is, so a new kind of message is
summarised with no change here.

Used by evidence/check/report.py and evidence/crossref/resolve.py, which are
of one layer and may not import each other; this module imports nothing of
evidence's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

LIMIT = 50  # a report longer than this many lines is summarised
FIRST = 3  # items of each kind shown in a summary
FULL_HINT = "--full shows every one"

T = TypeVar("T")


@dataclass(frozen=True)
class ReportLine:
    """One line of a command's report, and the kind of message it is."""

    kind: str
    text: str


@dataclass
class Group(Generic[T]):
    """The items of one kind: how many, and the first few of them."""

    kind: str
    count: int = 0
    first: list[T] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.first)


def summarised(line_count: int, *, full: bool = False, limit: int = LIMIT) -> bool:
    """Whether a report of ``line_count`` lines is shown summarised."""
    return not full and line_count > limit


def group(items: Iterable[T], kind: Callable[[T], str], *, first: int = FIRST) -> list[Group[T]]:
    """The items by kind, kinds in the order they first appear."""
    groups: dict[str, Group[T]] = {}
    for item in items:
        name = kind(item)
        found = groups.get(name)
        if found is None:
            found = groups[name] = Group(name)
        found.count += 1
        if len(found.first) < first:
            found.first.append(item)
    return list(groups.values())


def more_line(group: Group, hint: str = FULL_HINT) -> str:
    return f"… and {group.more:,} more {group.kind} ({hint})"


def report_lines(lines: Sequence[ReportLine], *, full: bool = False, limit: int = LIMIT,
                 first: int = FIRST) -> list[str]:
    """The lines to print: all of them, or beyond ``limit`` a count per kind
    with the first few lines of each."""
    if not summarised(len(lines), full=full, limit=limit):
        return [line.text for line in lines]
    out = []
    for found in group(lines, lambda line: line.kind, first=first):
        out.append(f"{found.kind}: {found.count:,}")
        out += [f"  {line.text}" for line in found.first]
        if found.more:
            out.append(f"  {more_line(found)}")
    return out
