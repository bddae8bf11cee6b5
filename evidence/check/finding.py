"""One finding of the check, and the wording helpers its messages share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from evidence.check.codes import CODE_BY_NAME, SEVERITY_RANK
from evidence.project import Project


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    guide_id: str | None = None
    claim_id: str | None = None
    source_id: str | None = None
    path: str | None = None  # the file to edit, relative to the project
    line: int | None = None
    # Every guide the finding concerns (a source cited by several guides), for --guide.
    guides: tuple[str, ...] = field(default=(), compare=False)

    @property
    def severity(self) -> str:
        return CODE_BY_NAME[self.code].severity

    def concerns_guide(self, guide_id: str) -> bool:
        return self.guide_id == guide_id or guide_id in self.guides

    def location(self) -> str | None:
        if not self.path:
            return None
        return f"{self.path}:{self.line}" if self.line else self.path

    def as_row(self) -> dict:
        """The row of the published ``findings`` table (DESIGN §4)."""
        return {"guide_id": self.guide_id, "claim_id": self.claim_id,
                "source_id": self.source_id, "severity": self.severity, "code": self.code,
                "message": self.message}

    def as_dict(self) -> dict:
        return {**self.as_row(), "path": self.path, "line": self.line}

    def sort_key(self) -> tuple:
        return (SEVERITY_RANK[self.severity], self.guide_id or "\uffff", self.path or "",
                self.line or 0, self.code, self.claim_id or "", self.source_id or "")


def relative(project: Project, path: Path | str | None) -> str | None:
    if path is None:
        return None
    try:
        return str(Path(path).resolve().relative_to(Path(project.root).resolve()))
    except ValueError:
        return str(path)


def listing(items: Iterable[object], limit: int = 8) -> str:
    items = list(items)
    shown = ", ".join(str(i) for i in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def excerpt(text: str, width: int = 60, end: bool = False) -> str:
    """The start (or with ``end`` the end) of a text, cut between words."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    if end:
        tail = text[-width:]
        return "…" + (tail.split(" ", 1)[1] if " " in tail else tail)
    head = text[:width]
    return (head.rsplit(" ", 1)[0] if " " in head else head) + "…"
