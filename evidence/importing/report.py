"""What an import recognised and what it could not place, for the editor to read."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Note:
    """Something the import could not place, or placed by a guess the editor should see."""

    message: str
    line: int | None = None  # in the input file, when known

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass
class Recognised:
    """What the written guide.md holds, counted as the guide parser reads it."""

    headings: int = 0
    lists: int = 0  # runs of list items outside the reference list
    items: int = 0
    paragraphs: int = 0
    references: int = 0  # items of the printed reference list

    def summary(self) -> str:
        parts = [_count(self.headings, "heading"), _count(self.lists, "list"),
                 _count(self.paragraphs, "paragraph")]
        parts.append(f"a reference list of {self.references}" if self.references
                     else "no reference list")
        return ", ".join(parts)


@dataclass
class ImportReport:
    guide: str
    guide_file: str
    claims_file: str
    recognised: Recognised
    stubs: int = 0
    drafted_sources: int = 0  # stubs that carry a drafted citekey as a comment
    notes: list[Note] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [f"Wrote {self.guide_file}: {self.recognised.summary()}.",
                f"Wrote {self.claims_file}: {_stubs(self.stubs, self.drafted_sources)}.",
                f"Next: `evidence add --from-guide {self.guide}`, then `evidence build`."]


@dataclass
class DraftReport:
    guide: str
    claims_file: str
    added: list[str] = field(default_factory=list)  # ids of the stubs added
    drafted_sources: int = 0
    notes: list[Note] = field(default_factory=list)

    def lines(self) -> list[str]:
        if not self.added:
            return [f"{self.claims_file}: every statement of {self.guide} is covered by a claim "
                    "or a not_claims entry; nothing added."]
        return [f"Added to {self.claims_file}: {_stubs(len(self.added), self.drafted_sources)}:",
                *(f"  {claim_id}" for claim_id in self.added)]


def _stubs(n: int, drafted: int) -> str:
    return (f"{_count(n, 'claim stub')}, unreviewed and unsupported"
            + (f" ({drafted} with a drafted source, as a comment to confirm)" if drafted else ""))


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
